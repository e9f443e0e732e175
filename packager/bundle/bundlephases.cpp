// SPDX-License-Identifier: MIT
#include "bundlephases.h"

#include "base/filehash.h"
#include "base/fileio.h"
#include "formats/bundlemanifest.h"
#include "fstree.h"
#include "lock/lockvalidator.h"
#include "lock/sitepackages.h"
#include "runner/python/distributionprobe.h"
#include "runner/python/pip.h"
#include "runtime/hostruntime.h"
#include "runtime/pythoninfo.h"
#include "runtime/runtimearchive.h"
#include "runtimeorigin.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::bundle::detail {

namespace {

// Where runner.py and launch_backend.py are: $DESKPACK_RESOURCES_DIR, else
// <bin>/../share/deskpack/resources (the build tree and installs both have it).
QString resourcesDir()
{
    const QString fromEnv = qEnvironmentVariable("DESKPACK_RESOURCES_DIR");
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QDir::cleanPath(QCoreApplication::applicationDirPath() +
                           u"/../share/deskpack/resources"_s);
}

qint64 buildEpoch(const AppConfig &config)
{
    if (config.sourceDateEpoch)
        return *config.sourceDateEpoch;
    return sourceDateEpoch(ZipEpochSeconds);
}

} // namespace

QString Builder::runtimeDir() const
{
    return m_root + u"/runtime"_s;
}

QString Builder::coreDir() const
{
    return m_root + u'/' + m_coreRelative;
}

QString Builder::stdlibDir() const
{
    return runtimeDir() + u"/lib/python"_s + m_versionShort;
}

Result<void> Builder::prepareRuntime()
{
    QStringList excluded;
    for (const QString &p : std::as_const(m_config.prune))
        excluded.append(p == u"tests" ? u"test"_s : p);
    if (!m_config.runtimePython.isEmpty()) {
        Result<runtime::PythonInfo> host = runtime::probePython(m_config.runtimePython);
        if (!host)
            return host.error();
        m_hostPaths = {host->stdlib, host->executable, m_config.runtimePython};
        m_sourceStdlib = QDir::cleanPath(host->stdlib);
        Result<runtime::HostRuntime> copied =
            runtime::copyHostRuntime(m_config.runtimePython, runtimeDir(), {excluded});
        if (!copied)
            return copied.error();
        m_interpreter = copied->interpreter;
        m_origin = hostRuntimeOrigin(host->executable, host->basePrefix);
        m_versionShort = copied->info.versionShort;
        m_result.pythonVersion = copied->info.version;
    } else {
        Result<runtime::CachedRuntime> cached = runtime::runtimeFromArchive(
            m_config.runtimeArchive, m_config.runtimeSha256, m_options.cacheDir);
        if (!cached)
            return cached.error();
        m_result.runtimeFromCache = cached->reused;
        m_origin = archiveRuntimeOrigin(m_config.runtimeArchive, m_config.runtimeSha256);
        if (Result<void> copied = copyTree(cached->root, runtimeDir()); !copied)
            return copied;
        Result<QString> interpreter = runtime::findInterpreter(runtimeDir());
        if (!interpreter)
            return interpreter.error();
        m_interpreter = *interpreter;
        Result<runtime::PythonInfo> info = runtime::probePython(m_interpreter);
        if (!info)
            return info.error();
        m_versionShort = info->versionShort;
        m_sourceStdlib = cached->root + u"/lib/python"_s + m_versionShort;
        m_result.pythonVersion = info->version;
    }
    m_result.runtimeSourceBytes = treeSize(runtimeDir()).bytes;
    m_interpreterRelative = QDir(m_root).relativeFilePath(m_interpreter);
    m_coreRelative = u"runtime/lib/python%1/site-packages"_s.arg(m_versionShort);
    if (!QDir().mkpath(coreDir()))
        return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(coreDir()));
    return {};
}

Result<void> Builder::copyApp()
{
    // The backend's own source, without caches and VCS metadata.
    static const QStringList skipped = {u"__pycache__"_s, u".git"_s,          u".hg"_s,  u".svn"_s,
                                        u".mypy_cache"_s, u".pytest_cache"_s, u".venv"_s};
    return copyTree(m_config.appSource, m_root + u"/app"_s, [](const QString &rel) {
        const QString name = rel.section(u'/', -1);
        return skipped.contains(name) || name.endsWith(u".pyc"_s) || name.endsWith(u".pyo"_s);
    });
}

Result<void> Builder::bootstrapPip()
{
    // A pip that fits this interpreter, tried once before anything is installed.
    PipSelectionInput input;
    input.interpreter = m_interpreter;
    input.pythonVersion = m_result.pythonVersion;
    input.sitePackages = coreDir();
    input.ensurepipDirs = {m_sourceStdlib};
    input.configWheel = m_config.pipWheel;
    input.configSha256 = m_config.pipSha256;
    input.environmentWheel = qEnvironmentVariable("DESKPACK_PIP_WHEEL");
    input.logFile = m_result.logFile;
    Result<PipChoice> choice = selectPip(input);
    if (!choice)
        return choice.error();
    // A pip run from a wheel installs that wheel into the core along with the
    // requirements, in one pip run (pip --target merges into bin/ only once),
    // so the bundle carries a pip that fits its interpreter.
    m_pip = *choice;
    m_result.pipSource = pipSourceName(m_pip.source);
    m_result.pipVersion = m_pip.version;
    m_result.pipLocation = inBundle(m_pip.location);
    return {};
}

// The requirements file and the listed requirements; whether any of them
// carries a --hash (pip then requires one for every requirement).
bool Builder::addRequirements(QStringList &arguments) const
{
    bool hashes = false;
    if (!m_config.requirementsFile.isEmpty()) {
        QFile file(m_config.requirementsFile);
        hashes = file.open(QIODevice::ReadOnly) && file.readAll().contains("--hash");
        arguments << u"-r"_s << m_config.requirementsFile;
    }
    for (const QString &r : std::as_const(m_config.requirements)) {
        hashes = hashes || r.contains(u"--hash"_s);
        arguments << r;
    }
    return hashes;
}

Result<void> Builder::addPipWheel(QStringList &arguments, bool hashes)
{
    // Installed by name from a directory holding only that wheel: a wheel
    // given by path gets a direct_url.json naming this machine's path
    // (PEP 610), and the wheel's own directory may hold other wheels
    // (setuptools in /usr/share/python-wheels) that must not leak in.
    const QString linkDir = m_staging->filePath(u"pip-wheel"_s);
    const QString linked = linkDir + u'/' + QFileInfo(m_pip.wheel).fileName();
    QString requirement = m_pip.wheel;
    if (!m_pip.version.isEmpty() && QDir().mkpath(linkDir) && QFile::copy(m_pip.wheel, linked)) {
        requirement = u"pip=="_s + m_pip.version;
        arguments << u"--find-links"_s << linkDir;
    }
    if (!hashes) {
        arguments << requirement;
        return {};
    }
    // --require-hashes applies to every requirement, the pip wheel too: pin
    // it to the hash of the local file, in a requirements file of its own.
    Result<QString> sha = sha256OfFile(m_pip.wheel);
    if (!sha)
        return sha.error();
    const QString pinned = m_staging->filePath(u"pip-requirement.txt"_s);
    if (Result<void> written = writeFileAtomically(
            pinned, requirement.toUtf8() + " --hash=sha256:" + sha->toLatin1() + '\n');
        !written)
        return written.error();
    arguments << u"-r"_s << pinned;
    return {};
}

Result<void> Builder::installRequirements()
{
    runner::PipCommand pip;
    pip.interpreter = m_interpreter;
    pip.pipWheel = m_pip.wheel;
    pip.logFile = m_result.logFile;
    pip.arguments = {u"install"_s,
                     u"--no-index"_s,
                     u"--only-binary"_s,
                     u":all:"_s,
                     u"--no-compile"_s,
                     u"--no-cache-dir"_s,
                     u"--no-warn-script-location"_s,
                     u"--target"_s,
                     coreDir()};
    if (!m_config.wheelhouse.isEmpty())
        pip.arguments << u"--find-links"_s << m_config.wheelhouse;
    const bool hashes = addRequirements(pip.arguments);
    if (!m_pip.wheel.isEmpty()) {
        if (Result<void> added = addPipWheel(pip.arguments, hashes); !added)
            return added;
    } else if (m_config.requirements.isEmpty() && m_config.requirementsFile.isEmpty()) {
        return {};
    }
    if (hashes)
        pip.arguments << u"--require-hashes"_s;
    Result<runner::PythonOutput> run = runner::runPip(pip);
    if (!run)
        return makeError(run.error().kind,
                         run.error().message + u"\n(wheelhouse %1; full pip output in %2)"_s.arg(
                                                   m_config.wheelhouse, m_result.logFile));
    // pip --target skips, with only a warning, what would overwrite existing files.
    const QByteArray output = run->standardOutput + run->standardError;
    if (output.contains("already exists. Specify --upgrade"))
        return makeError(ErrorKind::Environment,
                         u"pip left files out of the core site-packages:\n%1"_s.arg(
                             runner::pipFailureSummary(run->standardError)));
    return {};
}

Result<void> Builder::prune()
{
    removeDirectoriesNamed(m_root, u"__pycache__"_s);
    // pip --target leaves console scripts' launch code in core/bin: keep them
    // (they get relocatable shebangs); stdlib parts the config drops go here,
    // for archive runtimes the host copy could not leave out.
    const QDir stdlib(stdlibDir());
    for (const QString &part : std::as_const(m_config.prune)) {
        if (part == u"tests") {
            QDir(stdlib.filePath(u"test"_s)).removeRecursively();
            for (const QString &pkg : stdlib.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
                if (pkg == u"site-packages" || pkg == u"dist-packages")
                    continue;
                for (const char *name : {"test", "tests", "idle_test"})
                    QDir(stdlib.filePath(pkg + u'/' + QLatin1StringView(name))).removeRecursively();
            }
            continue;
        }
        QDir(stdlib.filePath(part)).removeRecursively();
        const QDir dynload(stdlib.filePath(u"lib-dynload"_s));
        for (const QString &ext :
             dynload.entryList({u'_' + part + u".*"_s, part + u".*"_s}, QDir::Files))
            QFile::remove(dynload.filePath(ext));
    }
    return {};
}

Result<void> Builder::byteCompile()
{
    if (!m_config.byteCompile)
        return {};
    // unchecked-hash .pyc files do not embed source mtimes and -s keeps the
    // staging path out of them: the same bytes on every build and every machine.
    // No trailing slash on -s: 3.13's compileall then strips nothing.
    runner::PythonCommand compile;
    compile.interpreter = m_interpreter;
    compile.arguments = {u"-I"_s,
                         u"-B"_s,
                         u"-m"_s,
                         u"compileall"_s,
                         u"-q"_s,
                         u"-j"_s,
                         u"0"_s,
                         u"--invalidation-mode"_s,
                         u"unchecked-hash"_s,
                         u"-s"_s,
                         m_root,
                         stdlibDir(),
                         m_root + u"/app"_s};
    Result<runner::PythonOutput> run = runner::runPython(compile);
    if (!run)
        return run.error();
    if (run->exitCode != 0) {
        // Some stdlib test data is deliberately invalid Python; not fatal.
        QFile log(m_result.logFile);
        if (log.open(QIODevice::Append))
            log.write("compileall reported errors:\n" + run->standardOutput + run->standardError);
    }
    return {};
}

Result<void> Builder::relocate()
{
    RelocationInput input;
    input.bundleRoot = m_root;
    input.interpreter = m_interpreterRelative;
    input.coreSitePackages = m_coreRelative;
    input.buildPaths = {m_staging->path(), QFileInfo(m_config.configPath).absolutePath(), m_outDir};
    if (!m_config.wheelhouse.isEmpty())
        input.buildPaths.append(m_config.wheelhouse);
    if (!m_config.runtimeArchive.isEmpty())
        input.buildPaths.append(m_options.cacheDir.isEmpty() ? runtime::defaultRuntimeCacheDir()
                                                             : m_options.cacheDir);
    input.buildPaths.removeDuplicates();
    input.hostPaths = m_hostPaths;
    Result<RelocationReport> report = makeRelocatable(input);
    if (!report)
        return report.error();
    m_result.relocation = *report;
    if (!report->errors.isEmpty())
        return makeError(ErrorKind::Invalid, u"the bundle would not survive a move:\n%1"_s.arg(
                                                 report->errors.join(u'\n')));
    return {};
}

Result<void> Builder::writeLock()
{
    Result<lock::InstalledSet> installed = lock::scanInstalled({coreDir()});
    if (!installed)
        return installed.error();
    const lock::Lock coreLock = lock::lockFromInstalled(*installed);
    const QString lockPath = m_root + u"/app/runtime-core-lock.json"_s;
    QList<lock::Problem> problems = installed->problems;
    problems += lock::checkLockRules(coreLock, lockPath);
    problems += lock::checkAgainstInstalled(coreLock, lockPath, *installed);
    auto observed = runner::probeDistributions(m_interpreter, {coreDir()});
    if (!observed)
        return observed.error();
    problems += lock::checkAgainstObserved(coreLock, lockPath, *observed, m_interpreterRelative);
    QStringList errors;
    for (const lock::Problem &p : std::as_const(problems)) {
        if (p.severity == lock::Severity::Error)
            errors.append(p.toString());
        else
            m_result.lockWarnings.append(
                {p.severity, p.code, inBundle(p.where), inBundle(p.message)});
    }
    if (!errors.isEmpty())
        return makeError(ErrorKind::Invalid,
                         u"the runtime core lock is not valid:\n%1"_s.arg(errors.join(u'\n')));
    m_result.distributions = int(coreLock.distributions.size());
    return lock::writeLockFile(lockPath, coreLock);
}

Result<void> Builder::addResources()
{
    const QDir source(resourcesDir());
    const QString target = m_root + u"/resources"_s;
    QDir().mkpath(target);
    for (const char *name : {"launch_backend.py", "runner.py", "deskpack_runner_io.py"}) {
        const QString file = source.filePath(QLatin1StringView(name));
        if (!QFileInfo(file).isFile())
            return makeError(ErrorKind::Environment,
                             u"%1 is missing (set DESKPACK_RESOURCES_DIR to the folder "
                             "holding launch_backend.py and runner.py)"_s.arg(file));
        if (!QFile::copy(file, target + u'/' + QLatin1StringView(name)))
            return makeError(ErrorKind::Environment, u"cannot copy %1"_s.arg(file));
    }
    if (!m_config.icon.isEmpty() &&
        !QFile::copy(m_config.icon, target + u'/' + QFileInfo(m_config.icon).fileName()))
        return makeError(ErrorKind::Environment, u"cannot copy %1"_s.arg(m_config.icon));
    // Every bundle ships the launcher, renamed to the app id (DESIGN.md, "The bundle").
    if (m_options.launcher.isEmpty() || !QFileInfo(m_options.launcher).isExecutable())
        return makeError(ErrorKind::Environment,
                         u"the launcher %1 is missing (build the deskpack-launcher "
                         "target; it ships beside deskpack)"_s.arg(m_options.launcher.isEmpty()
                                                                       ? u"deskpack-launcher"_s
                                                                       : m_options.launcher));
    const QString launcher = m_root + u'/' + m_config.id;
    if (!QFile::copy(m_options.launcher, launcher))
        return makeError(ErrorKind::Environment,
                         u"cannot copy the launcher %1"_s.arg(m_options.launcher));
    QFile::setPermissions(launcher, QFile::permissions(m_options.launcher));
    m_result.launcherIncluded = true;
    return {};
}

Result<void> Builder::writeManifest()
{
    formats::BundleManifest m;
    m.id = m_config.id;
    m.name = m_config.name;
    m.version = m_config.version;
    m.entryModule = m_config.entryModule;
    m.entryScript = m_config.entryScript.isEmpty() ? QString() : u"app/"_s + m_config.entryScript;
    m.entryArgs = m_config.entryArgs;
    m.readiness = m_config.readiness;
    m.python = m_interpreterRelative;
    m.pythonVersion = m_result.pythonVersion;
    m.runtimeOrigin = m_origin;
    m.coreSitePackages = m_coreRelative;
    m.lock = u"app/runtime-core-lock.json"_s;
    m.lockEnvAlias = m_config.lockEnv;
    m.env = m_config.env;
    m.launcher = m_result.launcherIncluded ? m_config.id : QString();
    m.icon =
        m_config.icon.isEmpty() ? QString() : u"resources/"_s + QFileInfo(m_config.icon).fileName();
    m.signingPublicKey = m_config.signingPublicKey;
    m.updateFeed = m_config.updateFeed;
    m.updateChannel = m_config.updateChannel;
    Result<formats::BundleTree> tree = formats::scanBundleFiles(m_root);
    if (!tree)
        return tree.error();
    m.files = std::move(tree->files);
    m.dirs = std::move(tree->emptyDirs);
    m_result.files = qint64(m.files.size()); // what `deskpack verify` counts too
    if (Result<void> written = writeFileAtomically(
            m_root + u'/' + QLatin1StringView(formats::BundleManifest::FileName),
            formats::serializeManifest(m));
        !written)
        return written.error();
    return setTreeMtime(m_root, buildEpoch(m_config));
}

} // namespace deskpack::bundle::detail
