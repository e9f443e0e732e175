// SPDX-License-Identifier: MIT
#include "sharedlibraries.h"

#include "base/childprocess.h"
#include "runtime/runtimelogging.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

using namespace Qt::Literals::StringLiterals;

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
        program = QStandardPaths::findExecutable(tool, {u"/usr/sbin"_s, u"/sbin"_s});
    return program;
}

Result<ToolOutput> runTool(const QString &tool, const QString &debianPackage,
                           const QStringList &arguments)
{
    const QString program = findTool(tool);
    if (program.isEmpty()) {
        return makeError(ErrorKind::Environment,
                         u"'%1' not found on PATH (Debian package %2)"_s.arg(tool, debianPackage));
    }
    ChildCommand command;
    command.program = program;
    command.arguments = arguments;
    Result<ChildOutput> ran = runToCompletion(command);
    if (!ran)
        return makeError(ErrorKind::Environment, u"%1 failed: %2"_s.arg(tool, ran.error().message));
    return ToolOutput{ran->exitCode, QString::fromLocal8Bit(ran->standardOutput),
                      QString::fromLocal8Bit(ran->standardError)};
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
    static const QRegularExpression base(
        u"^(linux-vdso|linux-gate|ld-linux[-.\\w]*|ld64|libc|libm|libmvec|libpthread|libdl|librt"
        "|libutil|libresolv|libanl|libBrokenLocale|libthread_db|libnss_\\w+|libgcc_s|libstdc\\+\\+"
        "|libX11|libXext|libXrender|libICE|libSM|libGL|libgobject-2\\.0|libgthread-2\\.0"
        "|libglib-2\\.0)\\.so(\\.\\d+)*$"_s);
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
    out.replace(u"${ORIGIN}"_s, originDir);
    out.replace(u"$ORIGIN"_s, originDir);
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
    search.m_defaultDirs = {u"/lib/x86_64-linux-gnu"_s,
                            u"/usr/lib/x86_64-linux-gnu"_s,
                            u"/lib/aarch64-linux-gnu"_s,
                            u"/usr/lib/aarch64-linux-gnu"_s,
                            u"/lib64"_s,
                            u"/usr/lib64"_s,
                            u"/lib"_s,
                            u"/usr/lib"_s};
    // `ldconfig -p` only prints the cache file; it runs nothing it lists.
    Result<ToolOutput> listed = runTool(u"ldconfig"_s, u"libc-bin"_s, {u"-p"_s});
    if (!listed || listed->exitCode != 0) {
        qCWarning(lcRuntime) << "cannot read the loader cache; searching only the default "
                                "directories:"
                             << (listed ? listed->standardError : listed.error().message);
        return search;
    }
    static const QRegularExpression line(u"^\\s+(\\S+) \\(([^)]*)\\) => (\\S.*)$"_s);
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
    const QStringList arguments = runPath.isEmpty() ? QStringList{u"--remove-rpath"_s}
                                                    : QStringList{u"--set-rpath"_s, runPath};
    Result<ToolOutput> output = runTool(u"patchelf"_s, u"patchelf"_s, arguments + files);
    if (!output)
        return output.error();
    if (output->exitCode != 0) {
        return makeError(
            ErrorKind::Environment,
            u"patchelf %1 failed: %2"_s.arg(arguments.join(u' '), output->standardError.trimmed()));
    }
    return {};
}

} // namespace deskpack::runtime
