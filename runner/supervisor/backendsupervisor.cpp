// SPDX-License-Identifier: MIT
// BackendSupervisor's state machine: readiness, stopping, exits, crash-loop
// detection and restarts, and the public API that drives them. The spawn
// itself is in backendlaunch.cpp.
#include "backendsupervisor.h"
#include "backendsupervisorprivate.h"

#include "base/exitstatus.h"
#include "runner/python/runnerlogging.h"

#include <QDir>
#include <QPointer>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner {

namespace {

// Output read per event-loop turn: a flooding backend must not starve the
// loop (the window, the probe, the timers).
constexpr qint64 ReadChunkBytes = 256 * 1024;

QString seconds(int ms)
{
    return QString::number(ms / 1000.0, 'g', 3) + u" s"_s;
}

} // namespace

BackendSupervisor::Private::Private(BackendSupervisor *owner, BackendLaunchPlan p,
                                    SupervisorOptions o)
    : q(owner)
    , basePlan(p)
    , plan(std::move(p))
    , options(o)
    , log(QDir(plan.dataDir).filePath(u"logs/backend.log"_s), o.logMaxBytes, o.logBackups,
          o.tailLines)
{
}

void BackendSupervisor::Private::setState(State next)
{
    if (state == next)
        return;
    state = next;
    if (next == State::Ready || next == State::SafeMode)
        readySince = QDateTime::currentDateTime();
    else
        readySince = {};
    qCDebug(lcRunner) << "backend" << plan.appId << next;
    Q_EMIT q->stateChanged(next);
}

void BackendSupervisor::Private::fail(const QString &reason)
{
    failureReason = reason;
    log.note(u"--- deskpack: failed: "_s + reason);
    qCInfo(lcRunner).noquote() << "backend failed:" << reason;
    setState(State::Failed);
}

void BackendSupervisor::Private::beginStop(bool failure, const QString &reason)
{
    probe.stop();
    deadline.stop();
    restartTimer.stop();
    pendingFailure = failure;
    if (failure)
        failureReason = reason;
    if (!process) {
        if (failure)
            fail(reason);
        else
            setState(State::Stopped);
        return;
    }
    setState(State::Stopping);
    signalGroup(SIGTERM);
#ifdef Q_OS_WIN
    process->terminate();
#endif
    grace.start(options.stopGraceMs);
}

void BackendSupervisor::Private::readOutput()
{
    if (!process)
        return;
    const QByteArray bytes = process->read(ReadChunkBytes);
    QPointer<BackendSupervisor> self(q);
    for (const QString &line : log.append(bytes)) {
        Q_EMIT q->logLine(line);
        if (!self)
            return;
    }
    if (process && process->bytesAvailable() > 0 && !drain.isActive())
        drain.start(0);
}

void BackendSupervisor::Private::onReady()
{
    if (state != State::Starting)
        return;
    deadline.stop();
    automaticRestart = false;
    log.note(u"--- deskpack: ready (%1)"_s.arg(probe.describe()));
    setState(plan.safeMode ? State::SafeMode : State::Ready);
}

void BackendSupervisor::Private::onDeadline()
{
    if (state != State::Starting)
        return;
    beginStop(true, u"the backend was not ready within %1 (waited for %2)"_s.arg(
                        seconds(qMax(1, plan.readiness.timeoutSeconds) * 1000), probe.describe()));
}

void BackendSupervisor::Private::onStartError()
{
    if (!process)
        return;
    const QString reason = u"cannot start %1: %2"_s.arg(plan.program, process->errorString());
    releaseProcess();
    fail(reason);
}

void BackendSupervisor::Private::onFinished(int exitCode, QProcess::ExitStatus status)
{
    if (!process)
        return;
    while (process->bytesAvailable() > 0) {
        const QByteArray bytes = process->read(ReadChunkBytes);
        for (const QString &line : log.append(bytes))
            Q_EMIT q->logLine(line);
        if (!process)
            return;
    }
    for (const QString &line : log.flush())
        Q_EMIT q->logLine(line);
    if (!process)
        return;
    const QString how = describeExit(exitCode, status);
    signalGroup(SIGKILL); // no orphans: whatever the backend started goes with it
    releaseProcess();
    settleExit(how);
}

void BackendSupervisor::Private::settleExit(const QString &how)
{
    probe.stop();
    deadline.stop();
    grace.stop();
    log.note(u"--- deskpack: the backend "_s + how);
    const State was = state;
    if (was == State::Stopping) {
        if (pendingFailure) {
            fail(failureReason);
            return;
        }
        setState(State::Stopped);
        if (after == After::Start) {
            after = After::Nothing;
            launch();
        }
        return;
    }
    QString lines = log.tail().join(u'\n');
    const QString withTail =
        lines.isEmpty() ? u" (it wrote nothing)"_s : u"; its last output:\n"_s + lines;
    if (was == State::Starting && !automaticRestart) {
        fail(u"the backend "_s + how + u" before it was ready"_s + withTail);
        return;
    }
    // A crash: after being ready, or while coming back from an earlier one.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    crashTimes.push_back(now);
    while (!crashTimes.empty() && now - crashTimes.front() > options.crashLoopWindowMs)
        crashTimes.pop_front();
    const int crashes = int(crashTimes.size());
    if (crashes >= qMax(1, options.crashLoopCount)) {
        safeModeSuggested = !plan.safeMode;
        automaticRestart = false;
        fail(u"the backend crashed %1 times within %2 and was not restarted again; last time it "_s
                 .arg(crashes)
                 .arg(seconds(options.crashLoopWindowMs)) +
             how + withTail);
        return;
    }
    qint64 delay = options.restartInitialDelayMs;
    for (int i = 1; i < crashes && delay < options.restartMaxDelayMs; ++i)
        delay *= 2;
    delay = qMin<qint64>(delay, options.restartMaxDelayMs);
    failureReason = u"the backend "_s + how + withTail;
    log.note(u"--- deskpack: restarting in %1"_s.arg(seconds(int(delay))));
    automaticRestart = true;
    setState(State::Crashed);
    if (state == State::Crashed)
        restartTimer.start(int(delay));
}

BackendSupervisor::BackendSupervisor(BackendLaunchPlan plan, SupervisorOptions options,
                                     QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, std::move(plan), options))
{
    d->deadline.setSingleShot(true);
    d->grace.setSingleShot(true);
    d->restartTimer.setSingleShot(true);
    d->drain.setSingleShot(true);
    connect(&d->probe, &ReadinessProbe::ready, this, [this] { d->onReady(); });
    connect(&d->deadline, &QTimer::timeout, this, [this] { d->onDeadline(); });
    connect(&d->drain, &QTimer::timeout, this, [this] { d->readOutput(); });
    connect(&d->grace, &QTimer::timeout, this, [this] {
        if (d->state != State::Stopping || !d->process)
            return;
        d->log.note(u"--- deskpack: still running %1 after SIGTERM; sending SIGKILL"_s.arg(
            seconds(d->options.stopGraceMs)));
        d->signalGroup(SIGKILL);
        d->process->kill();
    });
    connect(&d->restartTimer, &QTimer::timeout, this, [this] {
        if (d->state == State::Crashed)
            d->launch();
    });
}

BackendSupervisor::~BackendSupervisor()
{
    d->probe.stop();
    if (d->process) {
        d->process->disconnect(this);
        if (d->process->state() != QProcess::NotRunning) {
            d->signalGroup(SIGTERM);
#ifdef Q_OS_WIN
            d->process->terminate();
#endif
            if (!d->process->waitForFinished(d->options.stopGraceMs)) {
                d->signalGroup(SIGKILL);
                d->process->kill();
                d->process->waitForFinished(5000);
            }
        }
        d->signalGroup(SIGKILL);
        d->closeParentPipe();
        delete d->process;
        d->process = nullptr;
#ifdef Q_OS_WIN
        if (d->job)
            ::CloseHandle(d->job);
#endif
    }
}

void BackendSupervisor::start()
{
    switch (d->state) {
    case State::Stopped:
    case State::Failed:
    case State::Crashed:
        d->automaticRestart = false;
        d->plan = d->basePlan;
        d->launch();
        return;
    case State::Stopping:
        d->plan = d->basePlan;
        d->after = Private::After::Start;
        return;
    case State::Starting:
    case State::Ready:
    case State::SafeMode:
        return;
    }
}

void BackendSupervisor::stop()
{
    switch (d->state) {
    case State::Starting:
    case State::Ready:
    case State::SafeMode:
        d->after = Private::After::Nothing;
        d->beginStop(false, {});
        return;
    case State::Crashed:
    case State::Failed:
        d->restartTimer.stop();
        d->automaticRestart = false;
        d->setState(State::Stopped);
        return;
    case State::Stopping:
        d->after = Private::After::Nothing;
        return;
    case State::Stopped:
        return;
    }
}

void BackendSupervisor::restart()
{
    switch (d->state) {
    case State::Starting:
    case State::Ready:
    case State::SafeMode:
        d->beginStop(false, {});
        d->after = Private::After::Start;
        return;
    case State::Stopping:
        d->after = Private::After::Start;
        return;
    case State::Stopped:
    case State::Crashed:
    case State::Failed:
        d->automaticRestart = false;
        d->launch();
        return;
    }
}

void BackendSupervisor::startSafeMode()
{
    d->plan = d->basePlan;
    d->plan.safeMode = true;
    d->plan.environment.remove(u"DESKPACK_PLUGIN_SITE_PACKAGES"_s);
    d->safeModeSuggested = false;
    d->crashTimes.clear();
    restart();
}

BackendSupervisor::State BackendSupervisor::state() const
{
    return d->state;
}

qint64 BackendSupervisor::processId() const
{
    return d->process ? d->pid : 0;
}

QDateTime BackendSupervisor::readySince() const
{
    return d->readySince;
}

QString BackendSupervisor::url() const
{
    return d->plan.readiness.kind == formats::Readiness::Kind::Http ? d->plan.readiness.url
                                                                    : QString();
}

QString BackendSupervisor::failureReason() const
{
    return d->failureReason;
}

QStringList BackendSupervisor::lastLogLines() const
{
    return d->log.tail();
}

bool BackendSupervisor::safeModeSuggested() const
{
    return d->safeModeSuggested;
}

QString BackendSupervisor::logFilePath() const
{
    return d->log.path();
}

const BackendLaunchPlan &BackendSupervisor::plan() const
{
    return d->plan;
}

} // namespace deskpack::runner
