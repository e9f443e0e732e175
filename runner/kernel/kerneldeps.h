// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>

namespace deskpack::runner {

// The dependency operations of a kernel session (docs/runner.md, "Dependencies").
enum class DepsOperation
{
    Install,   // add requirements to a plugin's declared set (a line naming the same
               // distribution replaces the old one)
    Uninstall, // remove a plugin and the distributions only it owned
    List,      // plugins, their distributions and the quarantine
    Sync,      // make a plugin's declared set exactly these requirements
};

QString depsOperationName(DepsOperation operation);
std::optional<DepsOperation> depsOperationFromName(const QString &name);

struct DepsRequest
{
    DepsOperation operation = DepsOperation::List;
    QString plugin;           // install, uninstall, sync
    QStringList requirements; // install, sync: requirement lines, vetted like a requirements file
    QString
        requirementsFile; // install, sync: a requirements file, read and vetted (with the lines)
    QStringList findLinks;
    QString indexUrl;
    bool noIndex = false;
    // After a change, restart the session's kernels (pending cells settle
    // cancelled, the next cell starts a fresh kernel that sees the change).
    bool restart = false;
};

// The outcome of one dependency request. `report` is the plugin boundary's
// own JSON (InstallResult, RemoveResult or ListResult toJson()).
struct DepsResult
{
    enum class Status
    {
        Ok,      // done (or nothing to do)
        Refused, // the boundary refused it (a clash or an audit offense): nothing changed
        Failed,  // it could not run: bad input, pip or the disk failed; nothing changed
    };
    QString id;
    DepsOperation operation = DepsOperation::List;
    QString plugin;
    Status status = Status::Failed;
    std::optional<Error> error; // set when Failed
    nlohmann::json report;      // null when Failed
    bool changed = false;       // distributions were installed or removed
    // Kernels of the session that started before the change are still running:
    // a module they imported may have been removed or replaced under them.
    bool restartRequired = false;
    bool restarted = false; // DepsRequest::restart did it

    // 0 ok, 1 refused, 2 bad input, 3 pip or disk (DESIGN.md).
    int exitCode() const;
    QString message() const; // one line for humans
    nlohmann::json toJson() const;
};

// What a KernelSession calls to change dependencies. The implementation on
// the plugin site-packages boundary is plugins::BoundaryDependencies
// (runner/plugins/boundarydependencies.h); tests give a fake. run() is
// blocking and is called on a worker thread, one request at a time.
class KernelDependencies
{
public:
    virtual ~KernelDependencies();
    // Fills everything but `id`, `restartRequired` and `restarted`.
    virtual DepsResult run(const DepsRequest &request) = 0;
};

} // namespace deskpack::runner
