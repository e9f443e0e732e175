// SPDX-License-Identifier: MIT
#include "relocation.h"
#include "base/fileio.h"
#include "base/sha256.h"

#include "runtime/elfaudit.h"

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
    return "sha256=" + Sha256::hash(data).toBase64(QByteArray::Base64UrlEncoding |
                                                   QByteArray::OmitTrailingEquals);
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

// Regular files only, in name order: links are the loader's business, not text.
QStringList regularFilesUnder(const QString &root)
{
    QStringList files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!it.fileInfo().isSymLink())
            files.append(path);
    }
    files.sort();
    return files;
}

// The paths of one bundle and what a pass over its files found.
struct RelocationPass
{
    const RelocationInput &input;
    QDir root;
    QString interpreter;
    QString core;
    RelocationReport report;
    QHash<QString, QByteArray> newRecordLines; // core-relative path -> "hash,size"
};

// Only scripts: a module's shebang is never used (nobody runs the bundled
// stdlib as a program), and a trampoline would become its docstring.
bool rewriteShebang(RelocationPass &pass, const QString &path, const QString &relative,
                    QByteArray &data)
{
    const qsizetype headerEnd = isScript(relative) ? scriptHeaderEnd(data) : -1;
    if (headerEnd < 0)
        return false;
    const QString relInterpreter = QFileInfo(path).dir().relativeFilePath(pass.interpreter);
    data = trampoline(relInterpreter) + data.mid(headerEnd);
    pass.report.rewritten.append(
        u"%1: shebang now runs %2 relative to the script"_s.arg(relative, relInterpreter));
    return true;
}

// Absolute paths into the core become relative to it (RECORD) or to the
// .pth's own directory, which for a .pth is the core itself.
bool relativizeCorePaths(RelocationPass &pass, const QString &path, const QString &relative,
                         QByteArray &data)
{
    const bool isRecord = path.endsWith(u"/RECORD"_s) && path.contains(u".dist-info/"_s);
    const bool isPth = path.endsWith(u".pth"_s);
    const QByteArray corePrefix = pass.core.toUtf8() + '/';
    if (!(isRecord || isPth) || !data.contains(corePrefix))
        return false;
    data.replace(corePrefix, isPth ? QByteArray("./") : QByteArray());
    pass.report.rewritten.append(u"%1: absolute core paths made relative"_s.arg(relative));
    return true;
}

Result<void> relocateFile(RelocationPass &pass, const QString &path)
{
    Result<QByteArray> read = readAll(path);
    if (!read)
        return read.error();
    QByteArray data = std::move(*read);
    const QString relative = pass.root.relativeFilePath(path);
    bool changed = rewriteShebang(pass, path, relative, data);
    if (isText(data)) {
        changed = relativizeCorePaths(pass, path, relative, data) || changed;
        for (const QString &host : pass.input.hostPaths) {
            if (data.contains(host.toUtf8())) {
                pass.report.reported.append(u"%1: mentions host path %2"_s.arg(relative, host));
                break;
            }
        }
    }
    for (const QString &build : pass.input.buildPaths) {
        if (data.contains(build.toUtf8()))
            pass.report.errors.append(u"%1: contains the build-machine path %2 (%3)"_s.arg(
                relative, build, isText(data) ? u"text"_s : u"binary"_s));
    }
    if (!changed)
        return {};
    if (Result<void> w = writeFileAtomically(path, data); !w)
        return w.error();
    if (path.startsWith(pass.core + u'/'))
        pass.newRecordLines.insert(path.mid(pass.core.size() + 1),
                                   recordHash(data) + ',' + QByteArray::number(data.size()));
    return {};
}

// The lines of one RECORD with the new hashes of rewritten files; false when
// none of them is listed there.
bool updateRecordLines(QList<QByteArray> &lines, const QHash<QString, QByteArray> &newLines)
{
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
        const auto found = newLines.constFind(key);
        if (found == newLines.cend())
            continue;
        line = line.left(comma) + ',' + *found;
        touched = true;
    }
    return touched;
}

// Keep RECORD honest about the files we rewrote.
Result<void> updateRecords(RelocationPass &pass)
{
    QDirIterator records(pass.core, {u"RECORD"_s}, QDir::Files, QDirIterator::Subdirectories);
    while (records.hasNext()) {
        const QString recordPath = records.next();
        Result<QByteArray> read = readAll(recordPath);
        if (!read)
            return read.error();
        QList<QByteArray> lines = read->split('\n');
        if (!updateRecordLines(lines, pass.newRecordLines))
            continue;
        if (Result<void> w = writeFileAtomically(recordPath, lines.join('\n')); !w)
            return w.error();
        pass.report.rewritten.append(u"%1: hashes of rewritten scripts updated"_s.arg(
            pass.root.relativeFilePath(recordPath)));
    }
    return {};
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
    const QDir root(input.bundleRoot);
    RelocationPass pass{
        input, root, root.filePath(input.interpreter), root.filePath(input.coreSitePackages),
        {},    {}};
    for (const QString &path : regularFilesUnder(input.bundleRoot)) {
        if (Result<void> done = relocateFile(pass, path); !done)
            return done.error();
    }

    // ELF files are checked by what the loader reads, not by their text: an
    // absolute RUNPATH or a library found only on this machine breaks a move.
    for (const runtime::ElfFinding &finding : runtime::auditBundleElf(input.bundleRoot))
        pass.report.errors.append(finding.message);

    if (pass.newRecordLines.isEmpty())
        return pass.report;
    if (Result<void> done = updateRecords(pass); !done)
        return done.error();
    return pass.report;
}

} // namespace deskpack::bundle
