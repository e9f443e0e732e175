// SPDX-License-Identifier: MIT
#pragma once

#include "pluginsinstalldialog.h"
#include "runner/plugins/pluginboundary.h"

#include <QString>

#include <functional>
#include <optional>

namespace deskpack::launcher {

// What one operation of the Plugins tab reports back from its worker thread:
// the message shown under the buttons, whether it succeeded, whether the
// running backend needs a restart to see it, and the listing read after it.
struct PluginOperationOutcome
{
    QString message;
    bool ok = true;
    bool restartRequired = false;
    std::optional<plugins::ListResult> listed;
    QString listError;
};
// Runs on the worker thread with the boundary open; empty: only list.
using PluginOperation = std::function<PluginOperationOutcome(plugins::PluginBoundary &)>;

// Opens the boundary, runs `operation` (if any), then lists what is installed.
// Blocking: the panel calls it on its worker thread.
PluginOperationOutcome runPluginOperation(const plugins::PluginBoundary::Options &options,
                                          const PluginOperation &operation);

// The operations behind Install from requirements file…, Remove, Audit now
// and Restore, with the messages the panel shows.
PluginOperation installPluginOperation(const PluginInstallRequest &request);
PluginOperation removePluginOperation(const QString &plugin);
PluginOperation auditPluginsOperation();
PluginOperation restorePluginOperation(const QString &quarantineId);

} // namespace deskpack::launcher
