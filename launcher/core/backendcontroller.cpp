// SPDX-License-Identifier: MIT
#include "backendcontroller.h"

#include <QUrl>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

SupervisorController::SupervisorController(runner::BackendLaunchPlan plan,
                                           runner::SupervisorOptions options, QObject *parent)
    : BackendController(parent)
    , m_supervisor(new runner::BackendSupervisor(std::move(plan), options, this))
    , m_safeMode(m_supervisor->plan().safeMode)
{
    connect(m_supervisor, &runner::BackendSupervisor::stateChanged, this,
            [this](runner::BackendSupervisor::State s) { Q_EMIT stateChanged(s); });
    connect(m_supervisor, &runner::BackendSupervisor::logLine, this, &BackendController::logLine);
}

SupervisorController::~SupervisorController() = default;

BackendState SupervisorController::state() const
{
    return m_supervisor->state();
}
qint64 SupervisorController::processId() const
{
    return m_supervisor->processId();
}
QDateTime SupervisorController::readySince() const
{
    return m_supervisor->readySince();
}
QString SupervisorController::url() const
{
    return m_supervisor->url();
}
QString SupervisorController::failureReason() const
{
    return m_supervisor->failureReason();
}
QStringList SupervisorController::lastLogLines() const
{
    return m_supervisor->lastLogLines();
}
bool SupervisorController::safeModeSuggested() const
{
    return m_supervisor->safeModeSuggested();
}
bool SupervisorController::safeMode() const
{
    return m_safeMode || m_supervisor->state() == BackendState::SafeMode;
}
QString SupervisorController::logFilePath() const
{
    return m_supervisor->logFilePath();
}
void SupervisorController::start()
{
    m_safeMode = m_supervisor->plan().safeMode; // start() goes back to the plan's mode
    m_supervisor->start();
}
void SupervisorController::stop()
{
    m_supervisor->stop();
}
void SupervisorController::restart()
{
    m_supervisor->restart();
}
void SupervisorController::startSafeMode()
{
    m_safeMode = true;
    m_supervisor->startSafeMode();
}

QString frontPageUrl(const QString &probeUrl)
{
    QUrl url(probeUrl);
    if (!url.isValid() || url.scheme().isEmpty())
        return probeUrl;
    url.setPath(u"/"_s);
    url.setQuery(QString());
    url.setFragment(QString());
    return url.toString();
}

QString stateText(BackendState state)
{
    switch (state) {
    case BackendState::Stopped:
        return u"Stopped"_s;
    case BackendState::Starting:
        return u"Starting"_s;
    case BackendState::Ready:
        return u"Running"_s;
    case BackendState::Stopping:
        return u"Stopping"_s;
    case BackendState::Crashed:
        return u"Crashed, restarting"_s;
    case BackendState::Failed:
        return u"Failed"_s;
    case BackendState::SafeMode:
        return u"Running in safe mode"_s;
    }
    return u"Unknown"_s;
}

QString stateColor(BackendState state)
{
    switch (state) {
    case BackendState::Stopped:
        return u"#6b7280"_s;
    case BackendState::Starting:
    case BackendState::Stopping:
        return u"#b45309"_s;
    case BackendState::Ready:
        return u"#15803d"_s;
    case BackendState::Crashed:
        return u"#c2410c"_s;
    case BackendState::Failed:
        return u"#b91c1c"_s;
    case BackendState::SafeMode:
        return u"#1d4ed8"_s;
    }
    return u"#6b7280"_s;
}

} // namespace deskpack::launcher
