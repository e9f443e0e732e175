// SPDX-License-Identifier: MIT
#pragma once

#include "launcheroptions.h"

namespace deskpack::launcher {

// `<app-id> plugins list|check|install|remove|audit|restore` (DESIGN.md,
// "Command-line surfaces") over plugins::PluginBoundary, without a display:
// human messages on stderr, the boundary's toJson() on stdout with --json
// (an error becomes {"error": {"kind", "message"}}). Exit 0 ok; 1 a refused
// clash, an audit that leaves entries in quarantine, or a quarantine entry that
// still conflicts; 2 bad input (unknown plugin or entry, an unreadable or
// hostile requirements file); 3 pip, the disk or a held lock.
// The bundle is --bundle or the one beside the executable (`executableDir`),
// the data dir --data-dir or the app id's default.
int runPluginsCommand(const LauncherOptions &options, const QString &executableDir);

// A usage error of `plugins ...` found while parsing: stderr, and the same
// {"error": ...} document on stdout when the arguments asked for --json.
int reportPluginsUsageError(const QString &message, bool json);

} // namespace deskpack::launcher
