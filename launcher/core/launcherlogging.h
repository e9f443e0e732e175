// SPDX-License-Identifier: MIT
#pragma once

#include <QLoggingCategory>
#include <QString>

namespace deskpack::launcher {

// "deskpack.launcher": the launcher's own decisions (bundle checks, single
// instance, state changes). What the user sees is the status window's model.
Q_DECLARE_LOGGING_CATEGORY(lcLauncher)

// Sends Qt messages to DATA/logs/launcher.log (rotated at start past 1 MiB,
// one backup) and, when `toStderr`, to stderr as well.
void installLauncherLog(const QString &dataDir, bool toStderr);

} // namespace deskpack::launcher
