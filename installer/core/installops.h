// SPDX-License-Identifier: MIT
#pragma once

// The installer's work as plain functions: no widgets, no event loop. The
// wizard runs install() on a worker thread; --silent calls them directly;
// the tests call them both ways (docs/installing.md).
#include "base/result.h"
#include "installer/layout/installroot.h"
#include "installerpackagefile.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace deskpack::installer {

// The named phases of an install, in order. The test seam
// DESKPACK_INSTALLER_KILL_AT=<phase> makes the process SIGKILL itself when it
// reaches one, so the tests can prove an install killed there harms nothing.
inline constexpr const char *InstallPhases[] = {
    "payload-checked", "locked",   "staged-payload", "extracted", "verified",
    "moved",           "previous", "switched",       "entries",   "pruned",
};

struct InstallProgress
{
    QString phase;   // one of InstallPhases, or "checking", "extracting", ...
    QString text;    // for people
    double fraction; // of the whole install, 0..1
};

struct InstallOptions
{
    std::function<void(const InstallProgress &)> progress;
    const std::atomic<bool> *cancel = nullptr; // checked between and inside long steps
};

struct InstallReport
{
    QString version;
    QString previousVersion; // what `current` pointed to before, empty on a first install
    QString versionDir;
    QString launcherLink; // <bin>/<app-id>
    QStringList pruned;   // version directories removed
    QStringList cleaned;  // leftovers of interrupted runs removed
};

// Installs `file` into `layout`: checks the payload's SHA-256 before writing
// anything, takes the lock, clears leftovers of interrupted runs, extracts
// into <root>/.staging-<pid>, verifies the tree against its bundle.json,
// renames it to versions/<version>, points `previous` at the old current,
// switches `current` by renaming a new link over it, writes the bin link,
// desktop entry and icon, and prunes versions other than current and
// previous. Until `current` is switched, a failure (a full disk: Environment)
// or a kill leaves the installed version as it was. A cancel returns
// ErrorKind::Environment "cancelled" with everything rolled back.
Result<InstallReport> install(const InstallerFile &file, const InstallLayout &layout,
                              const InstallOptions &options = {});

struct RollbackReport
{
    QString from;
    QString to;
};

// Switches `current` to `previous` and `previous` to the old current, both by
// rename, then rewrites the desktop entry and icons from the version now
// current's bundle.json. No previous version is ErrorKind::Invalid.
Result<RollbackReport> rollback(const InstallLayout &layout);

struct UninstallReport
{
    QStringList removed;
    bool dataKept = true;
};

// Removes the versions, links, desktop entry and icon (only what the
// installer made), then the root if it is empty; the user data directory only
// with `purge`. Nothing installed is ErrorKind::Invalid.
Result<UninstallReport> uninstall(const InstallLayout &layout, bool purge);

} // namespace deskpack::installer
