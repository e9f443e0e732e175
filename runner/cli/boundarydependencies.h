// SPDX-License-Identifier: MIT
#pragma once

#include "runner/plugins/pluginboundary.h"
#include "runner/kernel/kerneldeps.h"

#include <QString>

#include <memory>
#include <optional>

namespace deskpack::runner {
class KernelSession;
}

namespace deskpack::plugins {

// A kernel session's dependency operations on the plugin site-packages
// boundary of a bundle and data dir (docs/runner.md, "Dependencies"):
// install adds requirements to the plugin's declared set (a line naming a
// distribution already declared replaces that line), sync makes the declared
// set exactly the given one (the boundary's reinstall drops what only this
// plugin needed; an empty set removes the plugin), uninstall is the
// boundary's remove, list its list. Requirement lines are vetted like a
// requirements file. The boundary is opened on the first request (so
// attaching costs nothing when no request comes); an open failure is that
// request's error. run() is called on the session's worker thread.
class BoundaryDependencies : public runner::KernelDependencies
{
public:
    BoundaryDependencies(QString bundleDir, QString dataDir, QString logFile = {});
    runner::DepsResult run(const runner::DepsRequest &request) override;

private:
    Result<PluginBoundary *> boundary();
    Result<QList<RequirementLine>> requestedLines(const runner::DepsRequest &request) const;

    QString m_bundleDir;
    QString m_dataDir;
    QString m_logFile;
    std::optional<PluginBoundary> m_boundary;
};

// Gives `session` dependency operations on BUNDLE's plugin site-packages in
// DATA_DIR (its capabilities then report depsInstall and depsUninstall).
void attachBoundaryDependencies(runner::KernelSession &session, const QString &bundleDir,
                                const QString &dataDir, const QString &logFile = {});

} // namespace deskpack::plugins
