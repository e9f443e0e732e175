// SPDX-License-Identifier: MIT
#pragma once

// BackendSupervisor's state, shared by backendsupervisor.cpp (the state
// machine and exit handling) and backendlaunch.cpp (the spawn and the
// process's ties to the launcher).

#include "backendlog.h"
#include "backendsupervisor.h"
#include "readinessprobe.h"

#include <QProcess>
#include <QTimer>

#include <csignal>
#include <deque>

#ifdef Q_OS_WIN
#include <qt_windows.h>
#ifndef SIGKILL
#define SIGKILL 9 // signalGroup() maps it to TerminateJobObject
#endif
#endif

namespace deskpack::runner {

struct BackendSupervisor::Private
{
    enum class After
    {
        Nothing, // the stop settles in Stopped (or the pending failure)
        Start,   // restart(): start again once the group is gone
    };

    BackendSupervisor *q = nullptr;
    BackendLaunchPlan basePlan; // as constructed: what a user's start() runs
    BackendLaunchPlan plan;     // what runs now (safe mode may differ)
    SupervisorOptions options;
    State state = State::Stopped;
    QProcess *process = nullptr;
    qint64 pid = 0;
    ReadinessProbe probe;
    BackendLog log;
    QTimer deadline;
    QTimer grace;
    QTimer restartTimer;
    QTimer drain;
    QDateTime readySince;
    QString failureReason;
    std::deque<qint64> crashTimes; // msecs since epoch, within the window
    bool safeModeSuggested = false;
    bool automaticRestart = false; // this start was scheduled after a crash
    bool pendingFailure = false;   // the stop under way ends in Failed
    After after = After::Nothing;
    int parentPipeWrite = -1;
#ifdef Q_OS_WIN
    HANDLE job = nullptr;
#endif

    Private(BackendSupervisor *owner, BackendLaunchPlan p, SupervisorOptions o);

    QString heartbeatFile() const;
    void setState(State next);
    void launch();
    bool prepareLaunch();
    void createProcess();
    int tieToLauncher(QProcessEnvironment &env);
#ifdef Q_OS_WIN
    void assignToJob();
#endif
    void fail(const QString &reason);
    void beginStop(bool failure, const QString &reason);
    void readOutput();
    void onReady();
    void onDeadline();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onStartError();
    void settleExit(const QString &how);
    void signalGroup(int signal);
    void closeParentPipe();
    void releaseProcess();
};

} // namespace deskpack::runner
