// SPDX-License-Identifier: MIT
// Stub: the API compiles; the implementation follows.
#include "backendsupervisor.h"

namespace deskpack::runner {

struct BackendSupervisor::Private
{
    BackendLaunchPlan plan;
    SupervisorOptions options;
    State state = State::Stopped;
};

Result<BackendLaunchPlan> backendLaunchPlan(const QString &bundleDir, const QString &, bool)
{
    return makeError(ErrorKind::Environment, bundleDir + QStringLiteral(": not implemented yet"));
}

BackendSupervisor::BackendSupervisor(BackendLaunchPlan plan, SupervisorOptions options,
                                     QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->plan = std::move(plan);
    d->options = options;
}

BackendSupervisor::~BackendSupervisor() = default;

void BackendSupervisor::start() {}
void BackendSupervisor::stop() {}
void BackendSupervisor::restart() {}
void BackendSupervisor::startSafeMode() {}
BackendSupervisor::State BackendSupervisor::state() const
{
    return d->state;
}
qint64 BackendSupervisor::processId() const
{
    return 0;
}
QDateTime BackendSupervisor::readySince() const
{
    return {};
}
QString BackendSupervisor::url() const
{
    return {};
}
QString BackendSupervisor::failureReason() const
{
    return {};
}
QStringList BackendSupervisor::lastLogLines() const
{
    return {};
}
bool BackendSupervisor::safeModeSuggested() const
{
    return false;
}
QString BackendSupervisor::logFilePath() const
{
    return {};
}
const BackendLaunchPlan &BackendSupervisor::plan() const
{
    return d->plan;
}

} // namespace deskpack::runner
