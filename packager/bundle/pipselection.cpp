// SPDX-License-Identifier: MIT
#include "pipselection.h"

#include "archive/archivehandles.h"
#include "base/filehash.h"
#include "runner/python/pip.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::bundle {

namespace {

constexpr la_int64_t MaxMetadataSize = 1 << 20;

// "1.2.3rc1" -> {1, 2, 3}: the release segment, which is all Requires-Python
// of a pip release ever compares against a final CPython version.
QList<int> releaseOf(const QString &version, bool *ok)
{
    static const QRegularExpression release(u"^v?(\\d+(?:\\.\\d+)*)"_s);
    const QRegularExpressionMatch m = release.match(version.trimmed());
    *ok = m.hasMatch();
    QList<int> out;
    if (!*ok)
        return out;
    for (const QString &part : m.captured(1).split(u'.'))
        out.append(part.toInt());
    return out;
}

int compareReleases(QList<int> a, QList<int> b)
{
    const qsizetype n = std::max(a.size(), b.size());
    a.resize(n, 0);
    b.resize(n, 0);
    for (qsizetype i = 0; i < n; ++i) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}

// The newest pip-*.whl in `dir` by version (23.10 after 23.9), or empty.
QString newestPipWheel(const QString &dir)
{
    const QStringList wheels = QDir(dir).entryList({u"pip-*.whl"_s}, QDir::Files, QDir::Name);
    QString best;
    QList<int> bestRelease;
    for (const QString &wheel : wheels) {
        bool ok = false;
        const QList<int> release = releaseOf(pipVersionFromWheel(wheel), &ok);
        if (best.isEmpty() || (ok && compareReleases(release, bestRelease) > 0)) {
            best = wheel;
            bestRelease = release;
        }
    }
    return best.isEmpty() ? QString() : QDir(dir).absoluteFilePath(best);
}

// Whether the first `prefix.size()` components of `version` equal `prefix`.
bool hasPrefix(QList<int> version, const QList<int> &prefix)
{
    version.resize(std::max(version.size(), prefix.size()), 0);
    return std::equal(prefix.cbegin(), prefix.cend(), version.cbegin());
}

QString passedOverLine(const QString &what, const QString &why)
{
    return u"%1: %2"_s.arg(what, why);
}

Error cannotRun(const PipSelectionInput &input, const PipChoice &choice, const QString &why)
{
    return makeError(ErrorKind::Environment,
                     u"pip %1 (%2, %3) cannot run under Python %4 (%5), so nothing was "
                     "installed:\n%6"_s.arg(choice.version.isEmpty() ? u"?"_s : choice.version,
                                            pipSourceName(choice.source), choice.location,
                                            input.pythonVersion, input.interpreter, why));
}

// The chosen pip's Requires-Python (for a wheel) and its trial run: an error
// says why it cannot be used.
Result<void> admit(const PipSelectionInput &input, const PipChoice &choice)
{
    if (!choice.wheel.isEmpty()) {
        if (const std::optional<QString> spec = wheelRequiresPython(choice.wheel)) {
            if (versionSatisfies(input.pythonVersion, *spec) == false)
                return makeError(ErrorKind::Environment, u"its Requires-Python is %1"_s.arg(*spec));
        }
    }
    const auto trial = input.trial ? input.trial : trialPip;
    return trial(input, choice);
}

} // namespace

QString pipSourceName(PipSource source)
{
    switch (source) {
    case PipSource::Runtime:
        return u"runtime"_s;
    case PipSource::Ensurepip:
        return u"ensurepip"_s;
    case PipSource::Config:
        return u"config"_s;
    case PipSource::Environment:
        return u"environment"_s;
    case PipSource::System:
        return u"system"_s;
    }
    return {};
}

QString pipVersionFromWheel(const QString &wheel)
{
    // {distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl
    const QStringList parts = QFileInfo(wheel).fileName().split(u'-');
    return parts.size() >= 5 ? parts.at(1) : QString();
}

std::optional<QString> wheelRequiresPython(const QString &wheel)
{
    archive::ReadArchivePtr reader = archive::newReadArchive();
    if (!reader || archive_read_support_format_zip(reader.get()) != ARCHIVE_OK ||
        archive_read_open_filename(reader.get(), QFile::encodeName(wheel).constData(), 1 << 16) !=
            ARCHIVE_OK)
        return std::nullopt;
    static const QRegularExpression metadataName(u"^[^/]+\\.dist-info/METADATA\\z"_s);
    struct archive_entry *entry = nullptr;
    while (archive_read_next_header(reader.get(), &entry) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(entry);
        if (!name || !metadataName.match(QString::fromUtf8(name)).hasMatch()) {
            archive_read_data_skip(reader.get());
            continue;
        }
        if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > MaxMetadataSize)
            return std::nullopt;
        QByteArray data;
        char block[16384];
        la_ssize_t n = 0;
        while ((n = archive_read_data(reader.get(), block, sizeof block)) > 0) {
            data.append(block, n);
            if (data.size() > MaxMetadataSize)
                return std::nullopt;
        }
        if (n < 0)
            return std::nullopt;
        // RFC 822 style headers up to the first blank line.
        for (const QByteArray &line : data.split('\n')) {
            const QByteArray trimmed = line.trimmed();
            if (trimmed.isEmpty())
                break;
            if (trimmed.toLower().startsWith("requires-python:"))
                return QString::fromUtf8(trimmed.mid(16).trimmed());
        }
        return std::nullopt;
    }
    return std::nullopt;
}

std::optional<bool> versionSatisfies(const QString &version, const QString &specifiers)
{
    bool ok = false;
    const QList<int> have = releaseOf(version, &ok);
    if (!ok)
        return std::nullopt;
    static const QRegularExpression clause(
        u"^(~=|===|==|!=|<=|>=|<|>)\\s*([0-9][0-9.]*)(\\.\\*)?$"_s);
    for (const QString &raw : specifiers.split(u',', Qt::SkipEmptyParts)) {
        const QRegularExpressionMatch m = clause.match(raw.trimmed());
        if (!m.hasMatch())
            return std::nullopt;
        const QString op = m.captured(1);
        QString number = m.captured(2);
        while (number.endsWith(u'.'))
            number.chop(1);
        const QList<int> want = releaseOf(number, &ok);
        if (!ok)
            return std::nullopt;
        const bool wildcard = m.capturedLength(3) > 0;
        if (wildcard && op != u"==" && op != u"!=")
            return std::nullopt;
        const int cmp = compareReleases(have, want);
        bool pass = false;
        if (op == u"==" || op == u"===")
            pass = wildcard ? hasPrefix(have, want) : cmp == 0;
        else if (op == u"!=")
            pass = wildcard ? !hasPrefix(have, want) : cmp != 0;
        else if (op == u">=")
            pass = cmp >= 0;
        else if (op == u"<=")
            pass = cmp <= 0;
        else if (op == u">")
            pass = cmp > 0;
        else if (op == u"<")
            pass = cmp < 0;
        else { // ~=X.Y: >= X.Y and == X.*
            if (want.size() < 2)
                return std::nullopt;
            pass = cmp >= 0 && hasPrefix(have, want.mid(0, want.size() - 1));
        }
        if (!pass)
            return false;
    }
    return true;
}

Result<void> trialPip(const PipSelectionInput &input, const PipChoice &choice)
{
    runner::PipCommand pip;
    pip.interpreter = input.interpreter;
    pip.pipWheel = choice.wheel;
    pip.logFile = input.logFile;
    pip.timeoutMs = 120'000;
    pip.arguments = {u"list"_s, u"--path"_s, input.sitePackages, u"--format"_s, u"json"_s};
    Result<runner::PythonOutput> run = runner::runPip(pip);
    if (!run)
        return run.error();
    return {};
}

namespace {

// A configured wheel is checked whichever pip ends up running: a wrong
// hash is a broken input, not a preference.
Result<void> checkConfigWheel(const PipSelectionInput &input)
{
    if (input.configWheel.isEmpty())
        return {};
    if (!QFileInfo(input.configWheel).isFile())
        return makeError(ErrorKind::Unreadable, u"pip: %1 does not exist"_s.arg(input.configWheel));
    if (!input.configSha256.isEmpty()) {
        if (Result<void> same = verifySha256(input.configWheel, input.configSha256); !same)
            return makeError(
                same.error().kind,
                u"pip.sha256: refusing the configured pip wheel: %1"_s.arg(same.error().message));
    }
    return {};
}

PipChoice wheelChoice(PipSource source, const QString &wheel)
{
    PipChoice choice;
    choice.source = source;
    choice.wheel = wheel;
    choice.location = wheel;
    choice.version = pipVersionFromWheel(wheel);
    return choice;
}

// The choice, once admitted; else why it cannot run.
Result<PipChoice> admitted(const PipSelectionInput &input, PipChoice choice,
                           const QStringList &passedOver)
{
    choice.passedOver = passedOver;
    if (Result<void> runs = admit(input, choice); !runs)
        return cannotRun(input, choice, runs.error().message);
    return choice;
}

// pip in the runtime's own site-packages (python-build-standalone ships it).
std::optional<PipChoice> runtimePip(const PipSelectionInput &input)
{
    const QDir site(input.sitePackages);
    if (input.sitePackages.isEmpty() || !QFileInfo(site.filePath(u"pip/__init__.py"_s)).isFile())
        return std::nullopt;
    PipChoice choice;
    choice.source = PipSource::Runtime;
    choice.location = site.filePath(u"pip"_s);
    const QStringList infos = site.entryList({u"pip-*.dist-info"_s}, QDir::Dirs);
    if (infos.size() == 1)
        choice.version = infos.constFirst().mid(4).chopped(10);
    return choice;
}

// The last resort, the build machine's pip, only when it is known to fit;
// else the error that lists every source tried.
Result<PipChoice> systemPip(const PipSelectionInput &input, QStringList passedOver)
{
    const QString system = newestPipWheel(input.systemWheelDir);
    QString systemWhy = u"no pip-*.whl in %1 (Debian: python3-pip-whl)"_s.arg(input.systemWheelDir);
    if (!system.isEmpty()) {
        PipChoice choice = wheelChoice(PipSource::System, system);
        choice.passedOver = passedOver;
        Result<void> runs = admit(input, choice);
        if (runs)
            return choice;
        systemWhy = u"%1: %2"_s.arg(system, runs.error().message);
    }
    passedOver.append(passedOverLine(pipSourceName(PipSource::System), systemWhy));
    return makeError(ErrorKind::Environment,
                     u"no pip that runs under Python %1 (%2), so nothing was "
                     "installed. Tried, in order:\n  %3\nName a pip wheel made for "
                     "Python %1 as \"pip\" in deskpack.json or in "
                     "DESKPACK_PIP_WHEEL."_s.arg(input.pythonVersion, input.interpreter,
                                                 passedOver.join(u"\n  "_s)));
}

} // namespace

Result<PipChoice> selectPip(const PipSelectionInput &input)
{
    if (Result<void> ok = checkConfigWheel(input); !ok)
        return ok.error();
    QStringList passedOver;

    // 1. pip in the runtime itself.
    if (std::optional<PipChoice> runtime = runtimePip(input))
        return admitted(input, *runtime, passedOver);
    passedOver.append(passedOverLine(pipSourceName(PipSource::Runtime),
                                     u"no pip in %1"_s.arg(input.sitePackages)));

    // 2. The interpreter's ensurepip wheel: made for exactly this CPython.
    for (const QString &stdlib : input.ensurepipDirs) {
        const QString wheel = newestPipWheel(stdlib + u"/ensurepip/_bundled"_s);
        if (!wheel.isEmpty())
            return admitted(input, wheelChoice(PipSource::Ensurepip, wheel), passedOver);
    }
    passedOver.append(passedOverLine(
        pipSourceName(PipSource::Ensurepip),
        input.ensurepipDirs.isEmpty() ? u"no stdlib to look in"_s
                                      : u"no ensurepip/_bundled/pip-*.whl in %1 (Debian strips it; "
                                        "`runtime pack --exclude ensurepip` leaves it out)"_s.arg(
                                            input.ensurepipDirs.join(u", "_s))));

    // 3. and 4. What the release engineer named.
    if (!input.configWheel.isEmpty())
        return admitted(
            input, wheelChoice(PipSource::Config, QFileInfo(input.configWheel).absoluteFilePath()),
            passedOver);
    passedOver.append(
        passedOverLine(pipSourceName(PipSource::Config), u"no \"pip\" in deskpack.json"_s));
    if (!input.environmentWheel.isEmpty()) {
        if (!QFileInfo(input.environmentWheel).isFile())
            return makeError(ErrorKind::Unreadable, u"DESKPACK_PIP_WHEEL: %1 does not exist"_s.arg(
                                                        input.environmentWheel));
        return admitted(input,
                        wheelChoice(PipSource::Environment,
                                    QFileInfo(input.environmentWheel).absoluteFilePath()),
                        passedOver);
    }
    passedOver.append(
        passedOverLine(pipSourceName(PipSource::Environment), u"DESKPACK_PIP_WHEEL is not set"_s));

    // 5. The build machine's pip.
    return systemPip(input, passedOver);
}

} // namespace deskpack::bundle
