// SPDX-License-Identifier: MIT
#include "sharedlibraries.h"

#include <QFile>
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

Result<ToolOutput> runTool(const QString &tool, const QString &debianPackage,
                           const QStringList &arguments)
{
    const QString program = QStandardPaths::findExecutable(tool);
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

} // namespace

bool isBaseSystemLibrary(const QString &soname)
{
    // glibc itself, which must come from the host (it pairs with the loader),
    // and the manylinux2014 (PEP 599) list of libraries wheels may assume.
    static const QRegularExpression base(QStringLiteral(
        "^(linux-vdso|linux-gate|ld-linux[-.\\w]*|ld64|libc|libm|libmvec|libpthread|libdl|librt"
        "|libutil|libresolv|libanl|libBrokenLocale|libthread_db|libnss_\\w+|libgcc_s|libstdc\\+\\+"
        "|libX11|libXext|libXrender|libICE|libSM|libGL|libgobject-2\\.0|libgthread-2\\.0"
        "|libglib-2\\.0)\\.so(\\.\\d+)*$"));
    if (soname == u"libnsl.so.1")
        return true; // glibc's; libnsl.so.2 is libtirpc-based and gets bundled
    return base.match(soname).hasMatch();
}

bool isElfFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.read(4) == QByteArrayLiteral("\x7f"
                                                                               "ELF");
}

Result<LibraryClosure> resolveLibraries(const QStringList &elfFiles)
{
    LibraryClosure closure;
    if (elfFiles.isEmpty())
        return closure;
    Result<ToolOutput> output =
        runTool(QStringLiteral("ldd"), QStringLiteral("libc-bin"), elfFiles);
    if (!output)
        return output.error();
    // ldd prints "FILE:" before each file's list when given several files.
    static const QRegularExpression resolved(
        QStringLiteral("^\\s+(\\S+) => (.+?)(?: \\(0x[0-9a-f]+\\))?$"));
    QString current = elfFiles.size() == 1 ? elfFiles.constFirst() : QString();
    const QStringList lines = output->standardOutput.split(u'\n', Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        if (!line.startsWith(u'\t') && !line.startsWith(u' ') && line.endsWith(u':')) {
            current = line.chopped(1);
            continue;
        }
        const QRegularExpressionMatch match = resolved.match(line);
        if (!match.hasMatch() || current.isEmpty())
            continue;
        const QString soname = match.captured(1);
        const QString path = match.captured(2).trimmed();
        if (isBaseSystemLibrary(soname))
            continue;
        if (path == u"not found") {
            closure.missing[current].append(soname);
            continue;
        }
        closure.libraries.insert(soname, path);
        closure.dependencies[current].append(soname);
    }
    if (output->exitCode != 0 && closure.libraries.isEmpty() && closure.missing.isEmpty()) {
        return makeError(ErrorKind::Environment,
                         QStringLiteral("ldd failed: %1").arg(output->standardError.trimmed()));
    }
    return closure;
}

Result<void> setRunPath(const QStringList &files, const QString &runPath)
{
    if (files.isEmpty())
        return {};
    Result<ToolOutput> output =
        runTool(QStringLiteral("patchelf"), QStringLiteral("patchelf"),
                QStringList{QStringLiteral("--set-rpath"), runPath} + files);
    if (!output)
        return output.error();
    if (output->exitCode != 0) {
        return makeError(ErrorKind::Environment,
                         QStringLiteral("patchelf --set-rpath %1 failed: %2")
                             .arg(runPath, output->standardError.trimmed()));
    }
    return {};
}

} // namespace deskpack::runtime
