// SPDX-License-Identifier: MIT
#include "installops.h"

#include "archive/extractor.h"
#include "base/fileio.h"
#include "base/jsonaccess.h"
#include "base/jsontext.h"
#include "desktopentries.h"
#include "treecheck.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QStorageInfo>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

namespace {

const QString VersionsPrefix = u"versions/"_s;

// The test seam: DESKPACK_INSTALLER_KILL_AT=<phase> ends the process the hard
// way at that phase, as a power cut or `kill -9` would.
void reach(const char *phase)
{
    static const QByteArray killAt = qgetenv("DESKPACK_INSTALLER_KILL_AT");
    if (!killAt.isEmpty() && killAt == phase) {
        std::fprintf(stderr, "deskpack-installer: test seam: SIGKILL at phase %s\n", phase);
        std::fflush(stderr);
        ::kill(::getpid(), SIGKILL);
    }
}

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

QByteArray encoded(const QString &path)
{
    return QFile::encodeName(path);
}

bool isLink(const QString &path)
{
    return QFileInfo(path).isSymLink();
}

// A new link beside `link`, renamed over it: readers see the old link or the
// new one, never none.
Result<void> replaceLink(const QString &link, const QString &target)
{
    const QString fresh = QFileInfo(link).absolutePath() + u"/."_s + QFileInfo(link).fileName() +
                          u".new-"_s + QString::number(::getpid());
    ::unlink(encoded(fresh).constData());
    if (::symlink(encoded(target).constData(), encoded(fresh).constData()) != 0)
        return makeError(ErrorKind::Environment,
                         u"%1: cannot create a link: %2"_s.arg(fresh, systemError()));
    if (::rename(encoded(fresh).constData(), encoded(link).constData()) != 0) {
        const QString why = systemError();
        ::unlink(encoded(fresh).constData());
        return makeError(ErrorKind::Environment,
                         u"%1: cannot switch the link: %2"_s.arg(link, why));
    }
    return {};
}

QString linkedVersion(const QString &link)
{
    const QString target = readLinkTarget(link);
    if (!target.startsWith(VersionsPrefix))
        return {};
    const QString version = target.mid(VersionsPrefix.size());
    if (version.isEmpty() || version.contains(u'/') || !QFileInfo(link).isDir())
        return {};
    return version;
}

// Swaps two directories in one step where the kernel can (renameat2), so a
// reinstall of the current version never leaves `current` dangling.
bool exchangePaths(const QString &a, const QString &b)
{
#ifdef RENAME_EXCHANGE
    return ::renameat2(AT_FDCWD, encoded(a).constData(), AT_FDCWD, encoded(b).constData(),
                       RENAME_EXCHANGE) == 0;
#else
    Q_UNUSED(a);
    Q_UNUSED(b);
    errno = ENOSYS;
    return false;
#endif
}

QStringList removeLeftovers(const InstallLayout &layout)
{
    QStringList cleaned;
    const QDir root(layout.root);
    for (const QFileInfo &entry : root.entryInfoList(
             {u".staging-*"_s, u".current.new-*"_s, u".previous.new-*"_s},
             QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot)) {
        const bool gone = entry.isDir() && !entry.isSymLink()
                              ? QDir(entry.filePath()).removeRecursively()
                              : QFile::remove(entry.filePath());
        if (gone)
            cleaned.append(entry.fileName());
    }
    return cleaned;
}

QStringList pruneVersions(const InstallLayout &layout)
{
    const QString keepCurrent = currentVersion(layout);
    const QString keepPrevious = previousVersion(layout);
    QStringList pruned;
    const QDir versions(layout.versionsDir());
    for (const QFileInfo &entry : versions.entryInfoList(QDir::AllEntries | QDir::Hidden |
                                                         QDir::System | QDir::NoDotAndDotDot)) {
        if (entry.fileName() == keepCurrent || entry.fileName() == keepPrevious)
            continue;
        const bool gone = entry.isDir() && !entry.isSymLink()
                              ? QDir(entry.filePath()).removeRecursively()
                              : QFile::remove(entry.filePath());
        if (gone)
            pruned.append(entry.fileName());
    }
    return pruned;
}

// Entries of versions/ that are not a bundle of this app: a --prefix that
// holds something else is never written over or deleted.
QStringList foreignVersions(const InstallLayout &layout)
{
    QStringList foreign;
    const QDir versions(layout.versionsDir());
    for (const QFileInfo &entry : versions.entryInfoList(QDir::AllEntries | QDir::Hidden |
                                                         QDir::System | QDir::NoDotAndDotDot)) {
        QFile manifest(entry.filePath() + u"/bundle.json"_s);
        QString id;
        if (!entry.isSymLink() && entry.isDir() && manifest.open(QIODevice::ReadOnly)) {
            Result<nlohmann::json> parsed =
                parseJsonText(manifest.read(64 << 20), manifest.fileName(), 16);
            if (parsed) {
                JsonProblems problems(manifest.fileName());
                id = JsonNode(*parsed, problems)["id"].string().value_or(QString());
            }
        }
        if (id != layout.appId)
            foreign.append(u"versions/"_s + entry.fileName() +
                           (id.isEmpty() ? QString() : u" (%1)"_s.arg(id)));
    }
    return foreign;
}

Error foreignError(const InstallLayout &layout, const QStringList &foreign, ErrorKind kind)
{
    return makeError(
        kind, u"%1: holds something other than %2 (%3); nothing was changed: "
              "choose another --prefix"_s.arg(layout.root, layout.appId, foreign.join(u", "_s)));
}

Result<void> lockRoot(QLockFile &lock, const InstallLayout &layout)
{
    // A killed installer leaves the file behind; QLockFile sees its process is
    // gone. Never "stale by age": an install may take minutes.
    lock.setStaleLockTime(0);
    if (lock.tryLock(0))
        return {};
    qint64 pid = 0;
    QString host;
    QString app;
    lock.getLockInfo(&pid, &host, &app);
    return makeError(ErrorKind::Environment,
                     u"%1: another installer (%2, pid %3) is working on this installation; "
                     "wait for it to finish"_s.arg(layout.lockFile(), app, QString::number(pid)));
}

} // namespace

QString currentVersion(const InstallLayout &layout)
{
    return linkedVersion(layout.currentLink());
}

QString previousVersion(const InstallLayout &layout)
{
    return linkedVersion(layout.previousLink());
}

Result<InstallReport> install(const InstallerFile &file, const InstallLayout &layout,
                              const InstallOptions &options)
{
    const formats::InstallerHeader &header = file.header();
    const auto tell = [&](const char *phase, const QString &text, double fraction) {
        if (options.progress)
            options.progress({QString::fromLatin1(phase), text, fraction});
    };
    const auto cancelled = [&] {
        return options.cancel && options.cancel->load();
    };
    const auto within = [&](const char *phase, const QString &text, double from, double to) {
        return [=, &tell, &cancelled](double f) {
            tell(phase, text, from + (to - from) * f);
            return !cancelled();
        };
    };
    if (header.id != layout.appId)
        return makeError(ErrorKind::Usage, u"%1: the installer is for %2, the layout for %3"_s.arg(
                                               file.path(), header.id, layout.appId));

    // 1. Nothing is written before the payload proves intact.
    tell("checking", u"Checking the installer"_s, 0);
    if (Result<void> ok =
            file.checkPayload(within("checking", u"Checking the installer"_s, 0.0, 0.25));
        !ok)
        return ok.error();
    reach("payload-checked");

    // 2. One installer at a time per installation.
    const bool rootExisted = QFileInfo(layout.root).isDir();
    if (!QDir().mkpath(layout.root))
        return makeError(ErrorKind::Environment,
                         u"%1: cannot create the directory"_s.arg(layout.root));
    QLockFile lock(layout.lockFile());
    if (Result<void> ok = lockRoot(lock, layout); !ok)
        return ok.error();
    reach("locked");
    if (const QStringList foreign = foreignVersions(layout); !foreign.isEmpty())
        return foreignError(layout, foreign, ErrorKind::Usage);
    InstallReport report;
    report.version = header.version;
    report.cleaned = removeLeftovers(layout);

    // 3. Everything new is built in a staging directory beside versions/.
    const QString staging = layout.root + u"/.staging-"_s + QString::number(::getpid());
    const auto fail = [&](Error error) -> Error {
        // Measured before the staging area is freed: is the disk why it failed?
        const qint64 need = 3 * file.trailer().payloadSize;
        const QStorageInfo disk(layout.root);
        if (error.kind == ErrorKind::Environment && error.message != u"cancelled" &&
            disk.isValid() && disk.bytesAvailable() < need)
            error.message += u"\n  the disk holding %1 is full: %2 MiB free, installing needs "
                             "about %3 MiB. Free some space and run the installer again; the "
                             "installed version was not changed."_s.arg(
                                 layout.root, QString::number(disk.bytesAvailable() >> 20),
                                 QString::number(need >> 20));
        QDir(staging).removeRecursively();
        if (!rootExisted) {
            // A failed first install leaves no trace, not even the empty root.
            lock.unlock();
            QDir().rmdir(layout.versionsDir());
            QDir().rmdir(layout.root);
        }
        return error;
    };
    if (!QDir().mkpath(staging))
        return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(staging));
    const QString payload = staging + u"/payload."_s + header.payloadFormat;
    if (Result<void> ok =
            file.copyPayload(payload, within("staging", u"Preparing the files"_s, 0.25, 0.4));
        !ok)
        return fail(ok.error());
    reach("staged-payload");

    tell("extracting", u"Extracting %1 %2"_s.arg(header.name, header.version), 0.4);
    archive::ExtractOptions extract;
    extract.expectedSha256 = file.payloadSha256Hex();
    extract.beforeCommit = [](const QString &) -> Result<void> {
        reach("extracted");
        return {};
    };
    const QString tree = staging + u"/tree"_s;
    if (Result<archive::ExtractSummary> ok = archive::extractArchive(payload, tree, extract); !ok)
        return fail(ok.error());
    QFile::remove(payload); // room for the next steps on a small disk
    if (cancelled())
        return fail(makeError(ErrorKind::Environment, u"cancelled"_s));

    // 4. The tree is checked as `deskpack verify` would before it goes live.
    Result<TreeIdentity> identity = checkExtractedBundle(
        tree, within("verifying", u"Verifying the installed files"_s, 0.6, 0.9));
    if (!identity)
        return fail(identity.error());
    if (identity->id != header.id || identity->version != header.version)
        return fail(makeError(
            ErrorKind::Invalid,
            u"%1: the payload holds %2 %3, the header announces %4 %5"_s.arg(
                file.path(), identity->id, identity->version, header.id, header.version)));
    reach("verified");
    if (cancelled())
        return fail(makeError(ErrorKind::Environment, u"cancelled"_s));

    // 5. Into versions/<version>; `current` still points where it did.
    tell("moving", u"Putting version %1 in place"_s.arg(header.version), 0.9);
    report.previousVersion = currentVersion(layout);
    const QString target = layout.versionDir(header.version);
    report.versionDir = target;
    if (!QDir().mkpath(layout.versionsDir()))
        return fail(
            makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(layout.versionsDir())));
    if (QFileInfo::exists(target) || isLink(target)) {
        if (!exchangePaths(tree, target)) {
            if (Result<void> moved = moveIntoPlace(tree, target, staging + u"/displaced"_s); !moved)
                return fail(moved.error());
        }
    } else if (Result<void> moved = moveIntoPlace(tree, target); !moved) {
        return fail(moved.error());
    }
    reach("moved");

    // 6. The commit: `previous`, then `current`, each by one rename.
    if (!report.previousVersion.isEmpty() && report.previousVersion != header.version) {
        if (Result<void> ok =
                replaceLink(layout.previousLink(), VersionsPrefix + report.previousVersion);
            !ok)
            return fail(ok.error());
    }
    reach("previous");
    if (Result<void> ok = replaceLink(layout.currentLink(), VersionsPrefix + header.version); !ok)
        return fail(ok.error());
    reach("switched");

    // 7. The user's entry points; they name `current`, so an upgrade keeps them valid.
    tell("entries", u"Adding the menu entry"_s, 0.95);
    Result<QString> entries = writeDesktopIntegration(layout, header);
    if (!entries)
        return fail(entries.error());
    report.launcherLink = *entries;
    reach("entries");

    report.pruned = pruneVersions(layout);
    QDir(staging).removeRecursively();
    reach("pruned");
    tell("done", u"%1 %2 is installed"_s.arg(header.name, header.version), 1.0);
    return report;
}

Result<RollbackReport> rollback(const InstallLayout &layout)
{
    if (!QFileInfo(layout.root).isDir())
        return makeError(ErrorKind::Invalid,
                         u"%1: %2 is not installed there"_s.arg(layout.root, layout.appId));
    QLockFile lock(layout.lockFile());
    if (Result<void> ok = lockRoot(lock, layout); !ok)
        return ok.error();
    removeLeftovers(layout);
    RollbackReport report;
    report.from = currentVersion(layout);
    report.to = previousVersion(layout);
    if (report.to.isEmpty())
        return makeError(ErrorKind::Invalid,
                         u"%1: no previous version to roll back to (%2 keeps one after an "
                         "upgrade)"_s.arg(layout.root, layout.previousLink()));
    if (Result<void> ok = replaceLink(layout.currentLink(), VersionsPrefix + report.to); !ok)
        return ok.error();
    if (!report.from.isEmpty()) {
        if (Result<void> ok = replaceLink(layout.previousLink(), VersionsPrefix + report.from); !ok)
            return ok.error();
    }
    return report;
}

Result<UninstallReport> uninstall(const InstallLayout &layout, bool purge)
{
    UninstallReport report;
    const bool installed = QFileInfo(layout.root).isDir() || isLink(layout.binLink()) ||
                           QFileInfo::exists(layout.desktopEntry());
    if (!installed && !(purge && QFileInfo(layout.dataDir()).isDir()))
        return makeError(ErrorKind::Invalid,
                         u"%1: %2 is not installed there"_s.arg(layout.root, layout.appId));
    std::optional<QLockFile> lock;
    if (QFileInfo(layout.root).isDir()) {
        lock.emplace(layout.lockFile());
        if (Result<void> ok = lockRoot(*lock, layout); !ok)
            return ok.error();
        if (const QStringList foreign = foreignVersions(layout); !foreign.isEmpty())
            return foreignError(layout, foreign, ErrorKind::Invalid);
    }
    report.removed += removeDesktopIntegration(layout);
    const auto remove = [&](const QString &path) {
        const QFileInfo info(path);
        if (!info.exists() && !info.isSymLink())
            return;
        const bool gone = info.isDir() && !info.isSymLink() ? QDir(path).removeRecursively()
                                                            : QFile::remove(path);
        if (gone)
            report.removed.append(path);
    };
    // `current` first: an interrupted uninstall never leaves a link to a half-deleted tree.
    remove(layout.currentLink());
    remove(layout.previousLink());
    remove(layout.versionsDir());
    removeLeftovers(layout);
    if (purge) {
        remove(layout.dataDir());
        report.dataKept = false;
    } else {
        report.dataKept = QFileInfo(layout.dataDir()).isDir();
    }
    if (lock) {
        lock->unlock();
        QDir().rmdir(layout.root); // only when nothing of the user's is left in it
    }
    return report;
}

} // namespace deskpack::installer
