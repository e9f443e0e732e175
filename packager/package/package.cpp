// SPDX-License-Identifier: MIT
#include "package.h"

#include "archive/archivewriter.h"
#include "base/fileio.h"
#include "debpackage.h"
#include "formats/bundlemanifest.h"
#include "installerpackage.h"
#include "lock/lockvalidator.h"
#include "runtime/elfaudit.h"
#include "selfcontained.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QTemporaryDir>

namespace deskpack::package {

using namespace Qt::Literals::StringLiterals;

std::optional<PackageFormat> parsePackageFormat(const QString &name)
{
    if (name == u"zip")
        return PackageFormat::Zip;
    if (name == u"tar.gz")
        return PackageFormat::TarGz;
    if (name == u"tar.zst")
        return PackageFormat::TarZst;
    if (name == u"deb")
        return PackageFormat::Deb;
    if (name == u"installer")
        return PackageFormat::Installer;
    return std::nullopt;
}

QString packageFormatName(PackageFormat format)
{
    switch (format) {
    case PackageFormat::Zip:
        return u"zip"_s;
    case PackageFormat::TarGz:
        return u"tar.gz"_s;
    case PackageFormat::TarZst:
        return u"tar.zst"_s;
    case PackageFormat::Deb:
        return u"deb"_s;
    case PackageFormat::Installer:
        return u"installer"_s;
    }
    return {};
}

Result<void> verifyBundle(const QString &bundleDir)
{
    const QString dir = QFileInfo(bundleDir).absoluteFilePath();
    if (!QFileInfo(dir).isDir())
        return makeError(ErrorKind::Unreadable, u"%1: not a directory"_s.arg(bundleDir));
    Result<formats::BundleManifest> manifest = formats::readManifest(dir);
    if (!manifest)
        return manifest.error();
    Result<formats::VerifyReport> files = formats::verifyBundleFiles(*manifest, dir);
    if (!files)
        return files.error();
    QStringList problems;
    for (const QString &f : std::as_const(files->missing))
        problems.append(u"missing: "_s + f);
    for (const QString &f : std::as_const(files->changed))
        problems.append(u"changed: "_s + f);
    for (const QString &f : std::as_const(files->extra))
        problems.append(u"extra file: "_s + f);
    Result<lock::LockFileCheck> checked = lock::checkLockFile(
        QDir(dir).filePath(manifest->lock), {QDir(dir).filePath(manifest->coreSitePackages)});
    if (!checked) {
        problems.append(checked.error().message);
    } else {
        for (const lock::Problem &p : std::as_const(checked->problems)) {
            if (p.severity == lock::Severity::Error)
                problems.append(p.toString());
        }
    }
    if (!QFileInfo(QDir(dir).filePath(manifest->python)).isExecutable())
        problems.append(
            u"%1: the interpreter is missing or not executable"_s.arg(manifest->python));
    // The launcher's host libraries are what packaging supplies next.
    for (const runtime::ElfFinding &f : runtime::auditBundleElf(dir))
        problems.append(f.message);
    if (problems.isEmpty())
        return {};
    return makeError(
        ErrorKind::Invalid,
        u"%1: the bundle fails verification (run 'deskpack verify'); not packaged:\n  %2"_s.arg(
            dir, problems.join(u"\n  "_s)));
}

qint64 packageMtime(const QString &bundleDir)
{
    const QFileInfo manifest(
        QDir(bundleDir).filePath(QLatin1StringView(formats::BundleManifest::FileName)));
    return sourceDateEpoch(manifest.exists() ? manifest.lastModified().toSecsSinceEpoch() : 0);
}

namespace {

// Where packaging spends its time, off by default:
// QT_LOGGING_RULES=deskpack.packager.timing.info=true (benchmarks/package reads it).
Q_LOGGING_CATEGORY(lcTiming, "deskpack.packager.timing", QtWarningMsg)

class PhaseTimer
{
public:
    PhaseTimer() { m_timer.start(); }
    void done(const char *phase)
    {
        qCInfo(lcTiming, "phase %s %.1f ms", phase, double(m_timer.nsecsElapsed()) / 1e6);
        m_timer.restart();
    }

private:
    QElapsedTimer m_timer;
};

QString machineName()
{
    const QString arch = debianArchitecture();
    if (arch == u"amd64")
        return u"x86_64"_s;
    if (arch == u"arm64")
        return u"aarch64"_s;
    return arch;
}

archive::ArchiveFormat archiveFormat(PackageFormat format)
{
    switch (format) {
    case PackageFormat::Zip:
        return archive::ArchiveFormat::Zip;
    case PackageFormat::TarZst:
        return archive::ArchiveFormat::TarZst;
    default:
        return archive::ArchiveFormat::TarGz;
    }
}

// The output directory, absolute and created; never inside the bundle.
Result<QString> outputDir(const PackageOptions &options, const QString &bundleDir)
{
    const QString outDir = QDir::cleanPath(
        QFileInfo(options.outDir.isEmpty() ? QFileInfo(bundleDir).absolutePath() : options.outDir)
            .absoluteFilePath());
    if (outDir == bundleDir || outDir.startsWith(bundleDir + u'/')) {
        return makeError(
            ErrorKind::Usage,
            u"--out %1: inside the bundle; the package would change what it packages"_s.arg(
                outDir));
    }
    if (!QDir().mkpath(outDir))
        return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(outDir));
    return outDir;
}

// What packageBundle has settled before writing the package itself.
struct PackageJob
{
    const PackageOptions &options;
    QString bundleDir;
    formats::BundleManifest manifest;
    qint64 mtime = 0;
    QString path;
};

Result<PackageResult> packageDeb(const PackageJob &job, const QString &outDir, PhaseTimer &timer)
{
    const formats::BundleManifest &manifest = job.manifest;
    if (const QString why = checkDebianPackageName(manifest.id); !why.isEmpty())
        return makeError(ErrorKind::Invalid, u"%1/bundle.json: id: %2"_s.arg(job.bundleDir, why));
    const QString path =
        outDir + u"/%1_%2_%3.deb"_s.arg(manifest.id, manifest.version, debianArchitecture());
    Result<PackageResult> deb = writeDeb(job.bundleDir, manifest, job.options, job.mtime, path);
    timer.done("deb");
    return deb;
}

void addTreeFacts(PackageResult &result, const SelfContainedTree &tree)
{
    result.rootExecutables = tree.rootExecutables;
    result.bundledLibraries = tree.copiedLibraries;
    result.bundledPlugins = tree.copiedPlugins;
}

Result<PackageResult> packageInstaller(const PackageJob &job, const SelfContainedTree &tree,
                                       QTemporaryDir &staging, PhaseTimer &timer)
{
    Result<PackageResult> installer =
        writeInstaller(tree, job.manifest, job.options, job.mtime, job.path);
    if (!installer)
        return installer.error();
    timer.done("installer");
    staging.remove();
    timer.done("cleanup");
    addTreeFacts(*installer, tree);
    if (!installer->launcher)
        installer->warnings.append(
            u"%1: the bundle has no launcher; the installed app cannot be started"_s.arg(
                job.bundleDir));
    return installer;
}

Result<PackageResult> packageArchive(const PackageJob &job, const SelfContainedTree &tree,
                                     QTemporaryDir &staging, PhaseTimer &timer)
{
    archive::WriteOptions write;
    write.format = archiveFormat(job.options.format);
    write.mtime = job.mtime;
    write.topLevel = QFileInfo(job.bundleDir).fileName();
    write.compressionLevel = job.options.compressionLevel;
    Result<archive::WriteSummary> written = writeTreeArchive(tree, job.path, write);
    if (!written)
        return written.error();
    timer.done("archive");
    staging.remove();
    timer.done("cleanup");
    PackageResult result;
    result.path = job.path;
    result.sha256 = written->sha256;
    result.size = written->archiveSize;
    result.entries = written->entries;
    result.mtime = job.mtime;
    result.launcher = !job.manifest.launcher.isEmpty();
    addTreeFacts(result, tree);
    if (!result.launcher)
        result.warnings.append(
            u"%1: the bundle has no launcher yet; packaged without one"_s.arg(job.bundleDir));
    return result;
}

} // namespace

Result<PackageResult> packageBundle(const PackageOptions &options)
{
    PhaseTimer timer;
    const QString bundleDir = QDir::cleanPath(QFileInfo(options.bundleDir).absoluteFilePath());
    if (Result<void> ok = verifyBundle(bundleDir); !ok)
        return ok.error();
    timer.done("verify");
    Result<formats::BundleManifest> manifest = formats::readManifest(bundleDir);
    if (!manifest)
        return manifest.error();
    Result<QString> outDir = outputDir(options, bundleDir);
    if (!outDir)
        return outDir.error();
    PackageJob job{options, bundleDir, *manifest, packageMtime(bundleDir), {}};
    if (options.format == PackageFormat::Deb)
        return packageDeb(job, *outDir, timer);

    QTemporaryDir staging(*outDir + u"/.deskpack-package-XXXXXX"_s);
    if (!staging.isValid())
        return makeError(ErrorKind::Environment, u"%1: cannot create a staging directory: %2"_s.arg(
                                                     *outDir, staging.errorString()));
    Result<SelfContainedTree> tree =
        makeSelfContained(bundleDir, staging.filePath(QFileInfo(bundleDir).fileName()));
    if (!tree)
        return tree.error();
    timer.done("staging");

    const QString extension =
        options.format == PackageFormat::Installer ? u"run"_s : packageFormatName(options.format);
    job.path = *outDir + u"/%1-%2-linux-%3.%4"_s.arg(manifest->id, manifest->version, machineName(),
                                                     extension);
    if (options.format == PackageFormat::Installer)
        return packageInstaller(job, *tree, staging, timer);
    return packageArchive(job, *tree, staging, timer);
}

} // namespace deskpack::package
