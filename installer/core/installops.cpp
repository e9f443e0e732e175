// SPDX-License-Identifier: MIT
#include "installops.h"

#include "archive/extractor.h"
#include "base/fileio.h"
#include "desktopentries.h"
#include "runninginstance.h"
#include "treecheck.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QStorageInfo>

#include <csignal>
#include <cstdio>
#include <functional>
#include <optional>

#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

namespace {

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

// One install, phase by phase. Until the staging directory exists a failure
// returns as it is; after, fail() rolls back what this run wrote.
class Installation
{
public:
    Installation(const InstallerFile &file, const InstallLayout &layout,
                 const InstallOptions &options)
        : m_file(file)
        , m_layout(layout)
        , m_options(options)
        , m_header(file.header())
        , m_staging(layout.root + u"/.staging-"_s + QString::number(::getpid()))
    {
    }

    Result<InstallReport> run()
    {
        // 1. Nothing is written before the payload proves intact.
        if (Result<void> ok = checkPayload(); !ok)
            return ok.error();
        // 2. One installer at a time per installation.
        if (Result<void> ok = lockInstallation(); !ok)
            return ok.error();
        if (Result<void> ok = closeRunningApp(); !ok)
            return fail(ok.error());
        // 3. Everything new is built in a staging directory beside versions/.
        if (!QDir().mkpath(m_staging))
            return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(m_staging));
        Result<QString> tree = stageAndExtract();
        if (!tree)
            return fail(tree.error());
        if (Result<void> ok = verify(*tree); !ok)
            return fail(ok.error());
        if (Result<void> ok = moveIntoVersions(*tree); !ok)
            return fail(ok.error());
        if (Result<void> ok = switchLinks(); !ok)
            return fail(ok.error());
        if (Result<void> ok = addEntries(); !ok)
            return fail(ok.error());
        m_report.pruned = pruneVersions(m_layout);
        QDir(m_staging).removeRecursively();
        reach("pruned");
        tell("done", u"%1 %2 is installed"_s.arg(m_header.name, m_header.version), 1.0);
        return m_report;
    }

private:
    void tell(const char *phase, const QString &text, double fraction) const
    {
        if (m_options.progress)
            m_options.progress({QString::fromLatin1(phase), text, fraction});
    }

    bool cancelled() const { return m_options.cancel && m_options.cancel->load(); }

    // Progress of a long step, mapped onto [from, to] of the whole install.
    std::function<bool(double)> within(const char *phase, const QString &text, double from,
                                       double to) const
    {
        return [=, this](double f) {
            tell(phase, text, from + (to - from) * f);
            return !cancelled();
        };
    }

    Result<void> checkPayload()
    {
        tell("checking", u"Checking the installer"_s, 0);
        if (Result<void> ok =
                m_file.checkPayload(within("checking", u"Checking the installer"_s, 0.0, 0.25));
            !ok)
            return ok.error();
        reach("payload-checked");
        return {};
    }

    Result<void> lockInstallation()
    {
        m_rootExisted = QFileInfo(m_layout.root).isDir();
        if (!QDir().mkpath(m_layout.root))
            return makeError(ErrorKind::Environment,
                             u"%1: cannot create the directory"_s.arg(m_layout.root));
        m_lock.emplace(m_layout.lockFile());
        if (Result<void> ok = lockRoot(*m_lock, m_layout); !ok)
            return ok.error();
        reach("locked");
        if (const QStringList foreign = foreignVersions(m_layout); !foreign.isEmpty())
            return foreignError(m_layout, foreign, ErrorKind::Usage);
        m_report.version = m_header.version;
        m_report.cleaned = removeLeftovers(m_layout);
        return {};
    }

    // An upgrade or a repair never replaces or prunes files under a running
    // launcher: it is asked to quit first (a first install touches nothing it runs).
    Result<void> closeRunningApp()
    {
        const QString installed = currentVersion(m_layout);
        if (installed.isEmpty())
            return {};
        tell("closing", u"Asking %1 to close"_s.arg(m_header.name), 0.25);
        const QString reason = installed == m_header.version
                                   ? u"the repair of version %1"_s.arg(installed)
                                   : u"the upgrade to %1"_s.arg(m_header.version);
        return closeRunningInstance(m_layout.dataDir(), m_header.name, reason);
    }

    // The payload copied into staging, then unpacked beside it; returns the tree.
    Result<QString> stageAndExtract()
    {
        const QString payload = m_staging + u"/payload."_s + m_header.payloadFormat;
        if (Result<void> ok =
                m_file.copyPayload(payload, within("staging", u"Preparing the files"_s, 0.25, 0.4));
            !ok)
            return ok.error();
        reach("staged-payload");

        tell("extracting", u"Extracting %1 %2"_s.arg(m_header.name, m_header.version), 0.4);
        archive::ExtractOptions extract;
        extract.expectedSha256 = m_file.payloadSha256Hex();
        extract.beforeCommit = [](const QString &) -> Result<void> {
            reach("extracted");
            return {};
        };
        const QString tree = m_staging + u"/tree"_s;
        if (Result<archive::ExtractSummary> ok = archive::extractArchive(payload, tree, extract);
            !ok)
            return ok.error();
        QFile::remove(payload); // room for the next steps on a small disk
        if (cancelled())
            return makeError(ErrorKind::Environment, u"cancelled"_s);
        return tree;
    }

    // 4. The tree is checked as `deskpack verify` would before it goes live.
    Result<void> verify(const QString &tree)
    {
        Result<TreeIdentity> identity = checkExtractedBundle(
            tree, within("verifying", u"Verifying the installed files"_s, 0.6, 0.9));
        if (!identity)
            return identity.error();
        if (identity->id != m_header.id || identity->version != m_header.version)
            return makeError(
                ErrorKind::Invalid,
                u"%1: the payload holds %2 %3, the header announces %4 %5"_s.arg(
                    m_file.path(), identity->id, identity->version, m_header.id, m_header.version));
        reach("verified");
        if (cancelled())
            return makeError(ErrorKind::Environment, u"cancelled"_s);
        return {};
    }

    // 5. Into versions/<version>; `current` still points where it did.
    Result<void> moveIntoVersions(const QString &tree)
    {
        tell("moving", u"Putting version %1 in place"_s.arg(m_header.version), 0.9);
        m_report.previousVersion = currentVersion(m_layout);
        const QString target = m_layout.versionDir(m_header.version);
        m_report.versionDir = target;
        if (!QDir().mkpath(m_layout.versionsDir()))
            return makeError(ErrorKind::Environment,
                             u"%1: cannot create"_s.arg(m_layout.versionsDir()));
        if (QFileInfo::exists(target) || isLink(target)) {
            if (!exchangePaths(tree, target)) {
                if (Result<void> moved = moveIntoPlace(tree, target, m_staging + u"/displaced"_s);
                    !moved)
                    return moved.error();
            }
        } else if (Result<void> moved = moveIntoPlace(tree, target); !moved) {
            return moved.error();
        }
        reach("moved");
        return {};
    }

    // 6. The commit: `previous`, then `current`, each by one rename.
    Result<void> switchLinks()
    {
        const QString &previous = m_report.previousVersion;
        if (!previous.isEmpty() && previous != m_header.version) {
            if (Result<void> ok = replaceLink(m_layout.previousLink(), versionLinkTarget(previous));
                !ok)
                return ok.error();
        }
        reach("previous");
        if (Result<void> ok =
                replaceLink(m_layout.currentLink(), versionLinkTarget(m_header.version));
            !ok)
            return ok.error();
        reach("switched");
        return {};
    }

    // 7. The user's entry points; they name `current`, so an upgrade keeps them valid.
    Result<void> addEntries()
    {
        tell("entries", u"Adding the menu entry"_s, 0.95);
        Result<QString> entries = writeDesktopIntegration(m_layout, m_header);
        if (!entries)
            return entries.error();
        m_report.launcherLink = *entries;
        reach("entries");
        return {};
    }

    Error fail(Error error)
    {
        // Measured before the staging area is freed: is the disk why it failed?
        const qint64 need = 3 * m_file.trailer().payloadSize;
        const QStorageInfo disk(m_layout.root);
        if (error.kind == ErrorKind::Environment && error.message != u"cancelled" &&
            disk.isValid() && disk.bytesAvailable() < need)
            error.message += u"\n  the disk holding %1 is full: %2 MiB free, installing needs "
                             "about %3 MiB. Free some space and run the installer again; the "
                             "installed version was not changed."_s.arg(
                                 m_layout.root, QString::number(disk.bytesAvailable() >> 20),
                                 QString::number(need >> 20));
        QDir(m_staging).removeRecursively();
        if (!m_rootExisted) {
            // A failed first install leaves no trace, not even the empty root.
            m_lock->unlock();
            QDir().rmdir(m_layout.versionsDir());
            QDir().rmdir(m_layout.root);
        }
        return error;
    }

    const InstallerFile &m_file;
    const InstallLayout &m_layout;
    const InstallOptions &m_options;
    const formats::InstallerHeader &m_header;
    const QString m_staging;
    bool m_rootExisted = false;
    std::optional<QLockFile> m_lock;
    InstallReport m_report;
};

} // namespace

Result<InstallReport> install(const InstallerFile &file, const InstallLayout &layout,
                              const InstallOptions &options)
{
    const formats::InstallerHeader &header = file.header();
    if (header.id != layout.appId)
        return makeError(ErrorKind::Usage, u"%1: the installer is for %2, the layout for %3"_s.arg(
                                               file.path(), header.id, layout.appId));
    return Installation(file, layout, options).run();
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
    if (Result<void> ok = replaceLink(layout.currentLink(), versionLinkTarget(report.to)); !ok)
        return ok.error();
    if (!report.from.isEmpty()) {
        if (Result<void> ok = replaceLink(layout.previousLink(), versionLinkTarget(report.from));
            !ok)
            return ok.error();
    }
    // The menu entry and icons of the version now current: its name and icon
    // may not be those of the one rolled back from.
    Result<formats::InstallerHeader> header = installedHeader(layout.currentLink());
    if (!header)
        return header.error();
    if (Result<QString> ok = writeDesktopIntegration(layout, *header); !ok)
        return ok.error();
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
    // Never delete the files of a running app, nor its data under it.
    Result<formats::InstallerHeader> header = installedHeader(layout.currentLink());
    if (Result<void> ok = closeRunningInstance(
            layout.dataDir(), header ? header->name : layout.appId, u"the uninstall"_s);
        !ok)
        return ok.error();
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
