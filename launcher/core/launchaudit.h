// SPDX-License-Identifier: MIT
#pragma once

#include "runner/plugins/pluginboundary.h"

#include <QMetaType>
#include <QString>

namespace deskpack::launcher {

// What the plugin audit at launch found (DESIGN.md, "The plugin site-packages
// boundary", 6). Runs before every backend start except in safe mode, where
// the plugin site-packages is off sys.path anyway and nothing of the plugins'
// is touched. An audit that cannot run (an unreadable data dir, a plugin change
// holding the lock) is reported and the app starts anyway: the core still
// comes first on sys.path, so the audit is a second line, not the only one.
struct LaunchAudit
{
    bool skipped = false; // safe mode
    QString error;        // the audit could not run
    plugins::AuditResult result;
    qint64 elapsedMs = 0;

    bool ok() const { return error.isEmpty(); }
    // One line for the log, stderr and the Plugins panel.
    QString summary() const;
};

// How long the launch audit waits for a plugin change another process holds.
constexpr int LaunchAuditLockTimeoutMs = 3000;

// Opens the boundary on the bundle and data dir and audits; logs each
// quarantined entry with its reasons to deskpack.launcher (launcher.log).
LaunchAudit auditAtLaunch(const QString &bundleDir, const QString &dataDir, bool safeMode);

// "ID (name version): reason; reason [restorable]" for lists and logs.
QString describeQuarantineEntry(const plugins::QuarantineEntry &entry);

} // namespace deskpack::launcher

Q_DECLARE_METATYPE(deskpack::launcher::LaunchAudit)
