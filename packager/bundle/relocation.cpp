// SPDX-License-Identifier: MIT
#include "relocation.h"
#include "base/fileio.h"

#include "runtime/elfaudit.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::bundle {

namespace {

bool isText(const QByteArray &data)
{
    return !data.left(8192).contains('\0');
}

Result<QByteArray> readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Environment, u"%1: %2"_s.arg(path, f.errorString()));
    return f.readAll();
}

// RECORD's hash format: sha256=<urlsafe base64, no padding>.
QByteArray recordHash(const QByteArray &data)
{
    return "sha256=" +
           QCryptographicHash::hash(data, QCryptographicHash::Sha256)
               .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

bool isPythonShebang(const QByteArray &firstLine)
{
    if (!firstLine.startsWith("#!"))
        return false;
    const QByteArray command = firstLine.mid(2).trimmed();
    return command.startsWith('/') && command.contains("python");
}

// Where the interpreter-naming header of a script ends, or -1 if it names
// none: "#!/abs/python" (one line), or the /bin/sh trampoline pip and distlib
// write when that line would be too long (three lines, an absolute exec).
qsizetype scriptHeaderEnd(const QByteArray &data)
{
    auto lineEnd = [&](qsizetype from) {
        const qsizetype eol = data.indexOf('\n', from);
        return eol < 0 ? data.size() : eol + 1;
    };
    const qsizetype first = lineEnd(0);
    if (isPythonShebang(data.left(first).trimmed()))
        return first;
    if (data.left(first).trimmed() == "#!/bin/sh") {
        const qsizetype second = lineEnd(first);
        const QByteArray exec = data.mid(first, second - first).trimmed();
        const qsizetype third = lineEnd(second);
        if ((exec.startsWith("'''exec' /") || exec.startsWith("'''exec' \"/")) &&
            data.mid(second, third - second).trimmed() == "' '''")
            return third;
    }
    return -1;
}

// Console scripts live in a bin/ directory (pip --target puts them in
// site-packages/bin) and are not importable modules.
bool isScript(const QString &relative)
{
    return relative.contains(u"/bin/"_s) && !relative.endsWith(u".py"_s);
}

} // namespace

QByteArray trampoline(const QString &relativeInterpreter)
{
    // sh runs the second line as exec; Python sees a string literal and goes on.
    return "#!/bin/sh\n'''exec' \"$(dirname -- \"$0\")/" + relativeInterpreter.toUtf8() +
           "\" \"$0\" \"$@\"\n' '''\n";
}

Result<RelocationReport> makeRelocatable(const RelocationInput &input)
{
    RelocationReport report;
    const QDir root(input.bundleRoot);
    const QString interpreter = root.filePath(input.interpreter);
    const QString core = root.filePath(input.coreSitePackages);
    QHash<QString, QByteArray> newRecordLines; // core-relative path -> "hash,size"

    QStringList files;
    QDirIterator it(input.bundleRoot, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!it.fileInfo().isSymLink())
            files.append(path);
    }
    files.sort();

    for (const QString &path : std::as_const(files)) {
        Result<QByteArray> read = readAll(path);
        if (!read)
            return read.error();
        QByteArray data = std::move(*read);
        const QString relative = root.relativeFilePath(path);
        bool changed = false;

        // Only scripts: a module's shebang is never used (nobody runs the bundled
        // stdlib as a program), and a trampoline would become its docstring.
        const qsizetype headerEnd = isScript(relative) ? scriptHeaderEnd(data) : -1;
        if (headerEnd >= 0) {
            const QString relInterpreter = QFileInfo(path).dir().relativeFilePath(interpreter);
            data = trampoline(relInterpreter) + data.mid(headerEnd);
            report.rewritten.append(
                u"%1: shebang now runs %2 relative to the script"_s.arg(relative, relInterpreter));
            changed = true;
        }
        if (isText(data)) {
            const bool isRecord = path.endsWith(u"/RECORD"_s) && path.contains(u".dist-info/"_s);
            const bool isPth = path.endsWith(u".pth"_s);
            const QByteArray corePrefix = core.toUtf8() + '/';
            if ((isRecord || isPth) && data.contains(corePrefix)) {
                // Absolute paths into the core become relative to it (RECORD) or to
                // the .pth's own directory, which for a .pth is the core itself.
                data.replace(corePrefix, isPth ? QByteArray("./") : QByteArray());
                report.rewritten.append(u"%1: absolute core paths made relative"_s.arg(relative));
                changed = true;
            }
            for (const QString &host : input.hostPaths) {
                if (data.contains(host.toUtf8())) {
                    report.reported.append(u"%1: mentions host path %2"_s.arg(relative, host));
                    break;
                }
            }
        }
        for (const QString &build : input.buildPaths) {
            if (data.contains(build.toUtf8()))
                report.errors.append(u"%1: contains the build-machine path %2 (%3)"_s.arg(
                    relative, build, isText(data) ? u"text"_s : u"binary"_s));
        }
        if (changed) {
            if (Result<void> w = writeFileAtomically(path, data); !w)
                return w.error();
            if (path.startsWith(core + u'/'))
                newRecordLines.insert(path.mid(core.size() + 1),
                                      recordHash(data) + ',' + QByteArray::number(data.size()));
        }
    }

    // ELF files are checked by what the loader reads, not by their text: an
    // absolute RUNPATH or a library found only on this machine breaks a move.
    for (const runtime::ElfFinding &finding : runtime::auditBundleElf(input.bundleRoot))
        report.errors.append(finding.message);

    if (newRecordLines.isEmpty())
        return report;
    // Keep RECORD honest about the files we rewrote.
    QDirIterator records(core, {u"RECORD"_s}, QDir::Files, QDirIterator::Subdirectories);
    while (records.hasNext()) {
        const QString recordPath = records.next();
        Result<QByteArray> read = readAll(recordPath);
        if (!read)
            return read.error();
        QList<QByteArray> lines = read->split('\n');
        bool touched = false;
        for (QByteArray &line : lines) {
            const qsizetype comma = line.indexOf(',');
            if (comma <= 0)
                continue;
            const QString entry = QString::fromUtf8(line.left(comma));
            // pip --target records scripts as "../../bin/NAME" although it puts them
            // in <target>/bin/NAME: match those by their bin/NAME tail.
            const QString key = entry.startsWith(u"../"_s) && entry.contains(u"/bin/"_s)
                                    ? entry.section(u'/', -2)
                                    : QDir::cleanPath(entry);
            const auto found = newRecordLines.constFind(key);
            if (found == newRecordLines.cend())
                continue;
            line = line.left(comma) + ',' + *found;
            touched = true;
        }
        if (touched) {
            if (Result<void> w = writeFileAtomically(recordPath, lines.join('\n')); !w)
                return w.error();
            report.rewritten.append(u"%1: hashes of rewritten scripts updated"_s.arg(
                root.relativeFilePath(recordPath)));
        }
    }
    return report;
}

} // namespace deskpack::bundle
