// SPDX-License-Identifier: MIT
#include "sharedlibraries.h"

#include "runtime/runtimelogging.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>

namespace deskpack::runtime {

namespace {

struct ToolOutput
{
    int exitCode = 0;
    QString standardOutput;
    QString standardError;
};

QString findTool(const QString &tool)
{
    QString program = QStandardPaths::findExecutable(tool);
    if (program.isEmpty()) // ldconfig lives in sbin, which a user's PATH may lack
        program = QStandardPaths::findExecutable(
            tool, {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
    return program;
}

Result<ToolOutput> runTool(const QString &tool, const QString &debianPackage,
                           const QStringList &arguments)
{
    const QString program = findTool(tool);
    if (program.isEmpty()) {
        return makeError(
            ErrorKind::Environment,
            QStringLiteral("'%1' not found on PATH (Debian package %2)").arg(tool, debianPackage));
    }
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForStarted() || !process.waitForFinished(300'000) ||
        process.exitStatus() != QProcess::NormalExit) {
        process.kill();
        process.waitForFinished();
        return makeError(ErrorKind::Environment,
                         QStringLiteral("%1 failed: %2").arg(tool, process.errorString()));
    }
    return ToolOutput{process.exitCode(), QString::fromLocal8Bit(process.readAllStandardOutput()),
                      QString::fromLocal8Bit(process.readAllStandardError())};
}

// A candidate the loader would accept for `requester`: same class and machine.
bool matches(const QString &candidate, const ElfInfo &requester)
{
    if (!QFileInfo(candidate).isFile())
        return false;
    Result<ElfInfo> info = readElf(candidate);
    return info && info->is64 == requester.is64 && info->machine == requester.machine;
}

} // namespace

bool isBaseSystemLibrary(const QString &soname)
{
    // glibc itself, which must come from the host (it pairs with the loader),
    // and the manylinux2014 (PEP 599) list of libraries wheels may assume.
    // Not here, so carried: libcrypt.so.1 (libxcrypt, no longer glibc's),
    // libnsl.so.2 (libtirpc-based), libz, libffi, libssl, ...
    static const QRegularExpression base(QStringLiteral(
        "^(linux-vdso|linux-gate|ld-linux[-.\\w]*|ld64|libc|libm|libmvec|libpthread|libdl|librt"
        "|libutil|libresolv|libanl|libBrokenLocale|libthread_db|libnss_\\w+|libgcc_s|libstdc\\+\\+"
        "|libX11|libXext|libXrender|libICE|libSM|libGL|libgobject-2\\.0|libgthread-2\\.0"
        "|libglib-2\\.0)\\.so(\\.\\d+)*$"));
    if (soname == u"libnsl.so.1")
        return true; // glibc's; libnsl.so.2 is libtirpc-based and gets bundled
    return base.match(soname).hasMatch();
}

bool isOriginRelative(const QString &entry)
{
    return entry.startsWith(u"$ORIGIN") || entry.startsWith(u"${ORIGIN}");
}

QString expandOrigin(const QString &entry, const QString &originDir)
{
    QString out = entry;
    out.replace(QStringLiteral("${ORIGIN}"), originDir);
    out.replace(QStringLiteral("$ORIGIN"), originDir);
    return QDir::cleanPath(out);
}

HostLibrarySearch::HostLibrarySearch(QHash<QString, QStringList> cache, QStringList defaultDirs)
    : m_cache(std::move(cache))
    , m_defaultDirs(std::move(defaultDirs))
{
}

HostLibrarySearch HostLibrarySearch::load()
{
    HostLibrarySearch search;
    // glibc's built-in defaults; the multiarch directories come first on Debian.
    search.m_defaultDirs = {QStringLiteral("/lib/x86_64-linux-gnu"),
                            QStringLiteral("/usr/lib/x86_64-linux-gnu"),
                            QStringLiteral("/lib/aarch64-linux-gnu"),
                            QStringLiteral("/usr/lib/aarch64-linux-gnu"),
                            QStringLiteral("/lib64"),
                            QStringLiteral("/usr/lib64"),
                            QStringLiteral("/lib"),
                            QStringLiteral("/usr/lib")};
    // `ldconfig -p` only prints the cache file; it runs nothing it lists.
    Result<ToolOutput> listed =
        runTool(QStringLiteral("ldconfig"), QStringLiteral("libc-bin"), {QStringLiteral("-p")});
    if (!listed || listed->exitCode != 0) {
        qCWarning(lcRuntime) << "cannot read the loader cache; searching only the default "
                                "directories:"
                             << (listed ? listed->standardError : listed.error().message);
        return search;
    }
    static const QRegularExpression line(QStringLiteral("^\\s+(\\S+) \\(([^)]*)\\) => (\\S.*)$"));
    const QStringList lines = listed->standardOutput.split(u'\n', Qt::SkipEmptyParts);
    for (const QString &text : lines) {
        const QRegularExpressionMatch m = line.match(text);
        if (m.hasMatch())
            search.m_cache[m.captured(1)].append(m.captured(3).trimmed());
    }
    return search;
}

QString HostLibrarySearch::find(const QString &soname, const ElfInfo &requester,
                                const QString &requesterPath) const
{
    if (soname.contains(u'/')) // a path, not a name: the loader opens it as is
        return matches(soname, requester) ? soname : QString();
    const QString origin = QFileInfo(requesterPath).absolutePath();
    for (const QString &entry : requester.searchPath()) {
        const QString candidate = expandOrigin(entry, origin) + u'/' + soname;
        if (matches(candidate, requester))
            return candidate;
    }
    for (const QString &candidate : m_cache.value(soname)) {
        if (matches(candidate, requester))
            return candidate;
    }
    for (const QString &dir : m_defaultDirs) {
        if (matches(dir + u'/' + soname, requester))
            return dir + u'/' + soname;
    }
    return {};
}

Result<void> setRunPath(const QStringList &files, const QString &runPath)
{
    if (files.isEmpty())
        return {};
    const QStringList arguments = runPath.isEmpty()
                                      ? QStringList{QStringLiteral("--remove-rpath")}
                                      : QStringList{QStringLiteral("--set-rpath"), runPath};
    Result<ToolOutput> output =
        runTool(QStringLiteral("patchelf"), QStringLiteral("patchelf"), arguments + files);
    if (!output)
        return output.error();
    if (output->exitCode != 0) {
        return makeError(ErrorKind::Environment,
                         QStringLiteral("patchelf %1 failed: %2")
                             .arg(arguments.join(u' '), output->standardError.trimmed()));
    }
    return {};
}

} // namespace deskpack::runtime
