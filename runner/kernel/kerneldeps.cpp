// SPDX-License-Identifier: MIT
#include "kerneldeps.h"

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner {

KernelDependencies::~KernelDependencies() = default;

QString depsOperationName(DepsOperation operation)
{
    switch (operation) {
    case DepsOperation::Install:
        return u"install"_s;
    case DepsOperation::Uninstall:
        return u"uninstall"_s;
    case DepsOperation::List:
        return u"list"_s;
    case DepsOperation::Sync:
        return u"sync"_s;
    }
    return u"list"_s;
}

std::optional<DepsOperation> depsOperationFromName(const QString &name)
{
    for (DepsOperation op : {DepsOperation::Install, DepsOperation::Uninstall, DepsOperation::List,
                             DepsOperation::Sync}) {
        if (depsOperationName(op) == name)
            return op;
    }
    return std::nullopt;
}

int DepsResult::exitCode() const
{
    switch (status) {
    case Status::Ok:
        return ExitOk;
    case Status::Refused:
        return ExitProblems;
    case Status::Failed:
        return exitCodeFor(error ? error->kind : ErrorKind::Environment);
    }
    return ExitEnvironment;
}

QString DepsResult::message() const
{
    const QString op = depsOperationName(operation);
    const QString what = plugin.isEmpty() ? op : op + u' ' + plugin;
    switch (status) {
    case Status::Ok:
        return changed ? u"%1: done"_s.arg(what) : u"%1: nothing to change"_s.arg(what);
    case Status::Refused:
        return u"%1: refused, nothing changed"_s.arg(what);
    case Status::Failed:
        return u"%1: %2"_s.arg(what, error ? error->message : u"failed"_s);
    }
    return what;
}

nlohmann::json DepsResult::toJson() const
{
    const char *statusName = status == Status::Ok        ? "ok"
                             : status == Status::Refused ? "refused"
                                                         : "failed";
    nlohmann::json j = {{"type", "deps"},
                        {"id", id.toStdString()},
                        {"op", depsOperationName(operation).toStdString()},
                        {"plugin", plugin.toStdString()},
                        {"status", statusName},
                        {"exitCode", exitCode()},
                        {"changed", changed},
                        {"restartRequired", restartRequired},
                        {"restarted", restarted},
                        {"report", report}};
    if (error)
        j["error"] = error->message.toStdString();
    return j;
}

} // namespace deskpack::runner
