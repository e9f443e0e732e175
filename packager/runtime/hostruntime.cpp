// SPDX-License-Identifier: MIT
#include "hostruntime.h"
#include "base/fileio.h"

#include "runtime/elfaudit.h"
#include "runtime/runtimefiles.h"
#include "runtime/runtimelogging.h"
#include "runtime/sharedlibraries.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runtime {

namespace {

// Debian's `site` lists only dist-packages directories (none of which a copy
// has) and its sysconfig installs into local/lib/.../dist-packages. This puts
// the runtime's own lib/pythonX.Y/site-packages on sys.path after the stdlib,
// as upstream CPython does, and makes it the default install scheme so pip
// installs there. A venv made from the runtime keeps its own site-packages.
const char SiteCustomize[] =
    R"PY(# Written by Deskpack (docs/runtime.md): the core site-packages of a runtime
# copied from a Debian interpreter, whose patched site module only knows the
# system's dist-packages directories.
import os
import sys


def _deskpack_core_site_packages():
    if sys.prefix != sys.base_prefix:
        return
    import site
    import sysconfig
    version = "python%d.%d" % sys.version_info[:2]
    site.addsitedir(os.path.join(sys.prefix, "lib", version, "site-packages"))
    schemes = getattr(sysconfig, "_INSTALL_SCHEMES", {})
    if "posix_local" in schemes and "posix_prefix" in schemes:
        schemes["posix_local"] = dict(schemes["posix_prefix"])


_deskpack_core_site_packages()
del _deskpack_core_site_packages
)PY";

bool isInside(const QString &path, const QString &root)
{
    const QString clean = QDir::cleanPath(path);
    return clean == root || clean.startsWith(root + u'/');
}

// Runs the copy and checks it lives in its own prefix. Returns whether the
// core site-packages is on sys.path and is the default install location.
Result<bool> checkCopy(const QString &interpreter, const QString &root, const QString &coreSite)
{
    Result<PythonInfo> info = probePython(interpreter);
    if (!info)
        return info.error();
    if (QFileInfo(info->prefix).canonicalFilePath() != root) {
        return makeError(
            ErrorKind::Environment,
            u"the copied runtime reports sys.prefix %1, not %2"_s.arg(info->prefix, root));
    }
    for (const QString &entry : std::as_const(info->sysPath)) {
        if (!entry.isEmpty() && !isInside(entry, root)) {
            return makeError(ErrorKind::Environment,
                             u"the copied runtime still reads %1 from the host"_s.arg(entry));
        }
    }
    return info->sysPath.contains(coreSite) && QDir::cleanPath(info->purelib) == coreSite;
}

Result<void> checkExtensionModules(const QString &copy, const QString &host,
                                   const QStringList &modules)
{
    Result<QList<QPair<QString, QString>>> failed = failingImports(copy, modules);
    if (!failed)
        return failed.error();
    if (failed->isEmpty())
        return {};
    QStringList names;
    for (const auto &f : std::as_const(*failed))
        names.append(f.first);
    Result<QList<QPair<QString, QString>>> onHost = failingImports(host, names);
    if (!onHost)
        return onHost.error();
    QStringList problems;
    for (const auto &f : std::as_const(*failed)) {
        const bool hostFails = std::any_of(onHost->cbegin(), onHost->cend(),
                                           [&](const auto &h) { return h.first == f.first; });
        if (hostFails)
            qCWarning(lcRuntime) << "module" << f.first << "does not import on the host either";
        else
            problems.append(u"%1 (%2)"_s.arg(f.first, f.second));
    }
    if (!problems.isEmpty()) {
        return makeError(ErrorKind::Environment,
                         u"extension modules that import on the host fail in the "
                         "copy: %1"_s.arg(problems.join(u", "_s)));
    }
    return {};
}

} // namespace

namespace {

struct Layout
{
    QString root;
    QString version; // "3.11"
    QString binDir() const { return root + u"/bin"_s; }
    QString libDir() const { return root + u"/lib"_s; }
    QString stdlib() const { return libDir() + u"/python"_s + version; }
    QString dynload() const { return stdlib() + u"/lib-dynload"_s; }
    QString coreSite() const { return stdlib() + u"/site-packages"_s; }
    QString interpreter() const { return binDir() + u"/python"_s + version; }
};

Result<QStringList> copyDynload(const QString &hostDynload, const Layout &layout,
                                const QStringList &excluded, QHash<QString, QString> &originals)
{
    QStringList modules;
    if (hostDynload.isEmpty())
        return modules;
    if (!QDir().mkpath(layout.dynload()))
        return makeError(ErrorKind::Environment, u"cannot create %1"_s.arg(layout.dynload()));
    const QFileInfoList entries = QDir(hostDynload).entryInfoList(QDir::Files, QDir::Name);
    for (const QFileInfo &entry : entries) {
        if (isExcludedName(entry.fileName(), excluded))
            continue;
        if (Result<void> done =
                copyFile(entry.filePath(), layout.dynload() + u'/' + entry.fileName());
            !done) {
            return done.error();
        }
        if (entry.fileName().endsWith(u".so") && isElfFile(entry.filePath())) {
            originals.insert(layout.dynload() + u'/' + entry.fileName(), entry.filePath());
            modules.append(moduleNameOf(entry.fileName()));
        }
    }
    return modules;
}

Result<void> writeSiteCustomize(const Layout &layout)
{
    return writeFileAtomically(layout.stdlib() + u"/sitecustomize.py"_s, QByteArray(SiteCustomize));
}

// The host interpreter as it reports itself, and the binary behind it.
struct HostPython
{
    PythonInfo info;
    QString binary; // canonical
};

Result<HostPython> probeHost(const QString &hostInterpreter)
{
    if (Result<void> usable = checkHostInterpreterFile(hostInterpreter); !usable)
        return usable.error();
    Result<PythonInfo> host = probePython(hostInterpreter);
    if (!host)
        return host.error();
    if (host->prefix != host->basePrefix) {
        return makeError(ErrorKind::Usage,
                         u"%1 belongs to a virtual environment; use its base "
                         "interpreter under %2"_s.arg(hostInterpreter, host->basePrefix));
    }
    const QString hostBinary = QFileInfo(host->executable).canonicalFilePath();
    if (hostBinary.isEmpty() || !isElfFile(hostBinary)) {
        return makeError(ErrorKind::Environment,
                         u"%1: cannot find the interpreter binary (sys.executable "
                         "is '%2')"_s.arg(hostInterpreter, host->executable));
    }
    return HostPython{*host, hostBinary};
}

struct Placement
{
    QString parent; // canonical
    QString name;   // the destination's file name
    QString target; // parent/name
};

// The staging directory goes beside the destination, under its canonical
// parent, so that the final rename stays on one file system.
Result<Placement> placeDestination(const QString &destination)
{
    const QFileInfo dest(QDir::cleanPath(QFileInfo(destination).absoluteFilePath()));
    if (!QDir().mkpath(dest.absolutePath()))
        return makeError(ErrorKind::Environment, u"cannot create %1"_s.arg(dest.absolutePath()));
    Placement place;
    place.parent = QFileInfo(dest.absolutePath()).canonicalFilePath();
    place.name = dest.fileName();
    place.target = place.parent + u'/' + place.name;
    if (QFileInfo::exists(place.target) &&
        !QDir(place.target)
             .isEmpty(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot)) {
        return makeError(ErrorKind::Environment,
                         u"%1: already exists and is not empty"_s.arg(place.target));
    }
    return place;
}

struct Assembled
{
    QStringList modules;         // the extension modules copied into lib-dynload
    QStringList copiedLibraries; // sonames copied into lib
};

// The interpreter, the stdlib, lib-dynload and the shared libraries they
// need, copied into `layout` and given $ORIGIN-relative search paths.
Result<Assembled> assembleCopy(const HostPython &host, const Layout &layout,
                               const HostRuntimeOptions &options)
{
    const QString binaryName = u"python"_s + host.info.versionShort;
    if (!QDir().mkpath(layout.binDir()) || !QDir().mkpath(layout.libDir()))
        return makeError(ErrorKind::Environment, u"cannot create %1"_s.arg(layout.root));
    if (Result<void> done = copyFile(host.binary, layout.interpreter()); !done)
        return done.error();
    if (Result<void> done = makeSymlink(binaryName, layout.binDir() + u"/python3"_s); !done) {
        return done.error();
    }
    if (Result<void> done =
            copyStdlib(QDir::cleanPath(host.info.stdlib), layout.stdlib(), options.excludedModules);
        !done)
        return done.error();
    // Shared libraries: read from the ELF files (never `ldd`, which runs the
    // loader), copied from where the host's loader finds them, and every object
    // given $ORIGIN-relative RUNPATHs (docs/runtime.md, "ELF normalisation").
    ElfNormalizeOptions elf;
    elf.missing = MissingLibraries::CopyFromHost;
    elf.libraryDir = layout.libDir();
    elf.hostOriginals.insert(layout.interpreter(), host.binary);
    Result<QStringList> modules =
        copyDynload(host.info.dynload, layout, options.excludedModules, elf.hostOriginals);
    if (!modules)
        return modules.error();
    Result<ElfNormalizeReport> normalized = normalizeElfTree(layout.root, elf);
    if (!normalized)
        return normalized.error();
    if (!QDir().mkpath(layout.coreSite()))
        return makeError(ErrorKind::Environment, u"cannot create %1"_s.arg(layout.coreSite()));
    return Assembled{*modules, normalized->copiedLibraries};
}

// Runs the copy; when its core site-packages is not on sys.path (Debian's
// patched `site`), writes the sitecustomize.py and checks again. Returns
// whether it had to.
Result<bool> ensureCoreSite(const Layout &layout)
{
    Result<bool> siteOk = checkCopy(layout.interpreter(), layout.root, layout.coreSite());
    if (!siteOk)
        return siteOk.error();
    if (*siteOk)
        return false;
    if (Result<void> done = writeSiteCustomize(layout); !done)
        return done.error();
    siteOk = checkCopy(layout.interpreter(), layout.root, layout.coreSite());
    if (!siteOk)
        return siteOk.error();
    if (!*siteOk) {
        return makeError(ErrorKind::Environment, u"the copied runtime does not use its core "
                                                 "site-packages %1"_s.arg(layout.coreSite()));
    }
    return true;
}

} // namespace

Result<void> checkHostInterpreterFile(const QString &path)
{
    const QFileInfo given(path);
    if (!given.exists()) {
        // DESIGN.md: a missing interpreter is the environment's failure (exit 3).
        return makeError(ErrorKind::Environment,
                         given.isSymLink() ? u"%1: a symlink to %2, which does not exist"_s.arg(
                                                 path, given.symLinkTarget())
                                           : u"%1: no such Python interpreter"_s.arg(path));
    }
    // A venv: <venv>/bin/python (a symlink, or a copy with --copies) and
    // <venv>/pyvenv.cfg, whose "home" is the base interpreter's directory.
    for (const QString &dir :
         {given.absolutePath(), QFileInfo(given.absolutePath()).absolutePath()}) {
        QFile cfg(dir + u"/pyvenv.cfg"_s);
        if (!cfg.exists())
            continue;
        QString home;
        if (cfg.open(QIODevice::ReadOnly)) {
            for (const QByteArray &line : cfg.read(64 * 1024).split('\n')) {
                const qsizetype eq = line.indexOf('=');
                if (eq > 0 && line.left(eq).trimmed() == "home")
                    home = QString::fromUtf8(line.mid(eq + 1).trimmed());
            }
        }
        return makeError(
            ErrorKind::Usage,
            u"%1 is a virtual environment's interpreter (%2): a venv "
            "is not a relocatable prefix; give its base interpreter%3"_s.arg(
                path, cfg.fileName(), home.isEmpty() ? QString() : u" (in %1)"_s.arg(home)));
    }
    const QFileInfo target(given.canonicalFilePath());
    if (target.isDir())
        return makeError(ErrorKind::Usage, u"%1: a directory, not an interpreter"_s.arg(path));
    if (!target.isExecutable())
        return makeError(ErrorKind::Usage, u"%1: not executable"_s.arg(path));
    QFile file(target.filePath());
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Usage, u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    const QByteArray head = file.read(4);
    if (head == "\x7f"
                "ELF")
        return {};
    if (head.startsWith("#!")) {
        file.seek(0);
        const QByteArray shebang = file.readLine(256).trimmed();
        return makeError(ErrorKind::Usage,
                         u"%1: a script (%2), not an interpreter binary; give the "
                         "interpreter itself, e.g. what `%1 -c \"import sys; "
                         "print(sys.executable)\"` prints (a pyenv shim: `pyenv "
                         "which python3.X`)"_s.arg(path, QString::fromUtf8(shebang)));
    }
    return makeError(ErrorKind::Usage,
                     u"%1: not an ELF executable, so not a Python interpreter"_s.arg(path));
}

Result<HostRuntime> copyHostRuntime(const QString &hostInterpreter, const QString &destination,
                                    const HostRuntimeOptions &options)
{
    Result<HostPython> host = probeHost(hostInterpreter);
    if (!host)
        return host.error();
    Result<Placement> place = placeDestination(destination);
    if (!place)
        return place.error();
    QTemporaryDir staging(place->parent + u"/."_s + place->name + u".partial-XXXXXX"_s);
    if (!staging.isValid())
        return makeError(ErrorKind::Environment,
                         u"cannot create a staging directory in %1"_s.arg(place->parent));
    QFile::setPermissions(staging.path(), QFile::permissions(staging.path()) | QFile::ReadGroup |
                                              QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther);

    const Layout layout{staging.path(), host->info.versionShort};
    Result<Assembled> assembled = assembleCopy(*host, layout, options);
    if (!assembled)
        return assembled.error();
    HostRuntime runtime;
    Result<bool> customized = ensureCoreSite(layout);
    if (!customized)
        return customized.error();
    runtime.siteCustomized = *customized;
    if (Result<void> done =
            checkExtensionModules(layout.interpreter(), hostInterpreter, assembled->modules);
        !done) {
        return done.error();
    }

    if (Result<void> moved = moveIntoPlace(staging.path(), place->target); !moved)
        return moved.error();
    staging.setAutoRemove(false);
    runtime.root = place->target;
    runtime.interpreter = Layout{place->target, host->info.versionShort}.interpreter();
    runtime.bundledLibraries = assembled->copiedLibraries;
    Result<PythonInfo> info = probePython(runtime.interpreter);
    if (!info)
        return info.error();
    runtime.info = *info;
    return runtime;
}

Result<QString> findInterpreter(const QString &runtimeRoot)
{
    static const QRegularExpression versioned(u"^python3\\.\\d+\\z"_s);
    const QString bin = runtimeRoot + u"/bin"_s;
    const QFileInfoList entries = QDir(bin).entryInfoList(QDir::Files, QDir::Name | QDir::Reversed);
    for (const QFileInfo &entry : entries) {
        if (versioned.match(entry.fileName()).hasMatch() && entry.isExecutable())
            return entry.filePath();
    }
    const QFileInfo fallback(bin + u"/python3"_s);
    if (fallback.isExecutable())
        return fallback.filePath();
    return makeError(ErrorKind::Invalid,
                     u"%1: no bin/python3.X or bin/python3 (not an install_only "
                     "runtime)"_s.arg(runtimeRoot));
}

} // namespace deskpack::runtime
