// SPDX-License-Identifier: MIT
#include "backendsupervisor.h"

#include "backendlog.h"
#include "runner/python/bundleenvironment.h"
#include "formats/appid.h"
#include "runner/python/processgroup.h"
#include "runner/python/pythonprocess.h"
#include "readinessprobe.h"
#include "runner/python/runnerlogging.h"

#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QProcess>
#include <QTimer>

#include <csignal>
#include <deque>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <unistd.h>
#endif
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif
#ifdef Q_OS_WIN
#include <qt_windows.h>
#ifndef SIGKILL
#define SIGKILL 9 // signalGroup() maps it to TerminateJobObject
#endif
#endif

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

Result<BackendLaunchPlan> backendLaunchPlan(const QString &bundleDir, const QString &dataDir,
                                            bool safeMode)
{
    Result<formats::BundleManifest> manifest = formats::readManifest(bundleDir);
    if (!manifest)
        return manifest.error();
    const QDir root(QFileInfo(bundleDir).absoluteFilePath());
    BackendLaunchPlan plan;
    plan.appId = manifest->id;
    plan.bundleDir = root.absolutePath();
    plan.dataDir =
        dataDir.isEmpty() ? defaultDataDir(manifest->id) : QFileInfo(dataDir).absoluteFilePath();
    plan.program = root.filePath(manifest->python);
    if (Result<void> check = checkInterpreter(plan.program); !check)
        return check.error();
    const QString script = root.filePath(u"resources/launch_backend.py"_s);
    if (!QFileInfo(script).isFile()) {
        return makeError(ErrorKind::Unreadable,
                         script + u": missing; the bundle is incomplete (deskpack verify)"_s);
    }
    plan.arguments = {u"-s"_s, script, plan.bundleDir};
    plan.workingDirectory = root.filePath(u"app"_s);
    plan.environment = bundleEnvironment(*manifest, plan.bundleDir, plan.dataDir, safeMode);
    plan.readiness = manifest->readiness;
    plan.safeMode = safeMode;
    return plan;
}

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

    Private(BackendSupervisor *owner, BackendLaunchPlan p, SupervisorOptions o)
        : q(owner)
        , basePlan(p)
        , plan(std::move(p))
        , options(o)
        , log(QDir(plan.dataDir).filePath(u"logs/backend.log"_s), o.logMaxBytes, o.logBackups,
              o.tailLines)
    {
    }

    QString heartbeatFile() const
    {
        return QDir(plan.dataDir).filePath(u"backend.heartbeat"_s);
    }

    void setState(State next)
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

    void launch();
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

void BackendSupervisor::Private::launch()
{
    QPointer<BackendSupervisor> self(q);
    failureReason.clear();
    pendingFailure = false;
    after = After::Nothing;
    restartTimer.stop();
    log.clearTail();
    setState(State::Starting);
    if (!self)
        return;

    if (const int port = readinessPort(plan.readiness); port > 0) {
        if (std::optional<PortOwner> owner = findPortOwner(port)) {
            fail(owner->describe() + u"; the backend was not started (stop that process or "
                                     "change the port)"_s);
            return;
        }
    }
    if (!QDir().mkpath(QDir(plan.dataDir).filePath(u"logs"_s))) {
        fail(plan.dataDir + u": cannot create the data directory"_s);
        return;
    }
    QFile::remove(heartbeatFile());

    process = new QProcess(q);
    process->setProgram(plan.program);
    process->setArguments(plan.arguments);
    process->setProcessChannelMode(QProcess::MergedChannels);
    process->setStandardInputFile(QProcess::nullDevice());
    if (!plan.workingDirectory.isEmpty())
        process->setWorkingDirectory(plan.workingDirectory);
    QProcessEnvironment env = plan.environment;
    env.insert(u"DESKPACK_HEARTBEAT_FILE"_s, heartbeatFile());
    if (plan.safeMode)
        env.remove(u"DESKPACK_PLUGIN_SITE_PACKAGES"_s);

#ifdef Q_OS_UNIX
    // The backend holds the read end; this process holds the only write end
    // (close-on-exec, so no other child inherits it). When this process dies,
    // however it dies, the backend side reads EOF and kills its group.
    int fds[2] = {-1, -1};
#ifdef Q_OS_LINUX
    const bool piped = ::pipe2(fds, O_CLOEXEC) == 0;
#else
    const bool piped = ::pipe(fds) == 0 && ::fcntl(fds[0], F_SETFD, FD_CLOEXEC) == 0 &&
                       ::fcntl(fds[1], F_SETFD, FD_CLOEXEC) == 0;
#endif
    if (piped) {
        parentPipeWrite = fds[1];
        env.insert(u"DESKPACK_PARENT_PIPE_FD"_s, QString::number(fds[0]));
    }
    const int readFd = fds[0];
    const pid_t parent = ::getpid();
    process->setChildProcessModifier([readFd, parent] {
        prepareKernelChild();
#ifdef Q_OS_LINUX
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) // the launcher died before prctl
            ::_exit(127);
#endif
        if (readFd >= 0)
            ::fcntl(readFd, F_SETFD, 0); // inherited across exec
    });
#endif
    process->setProcessEnvironment(env);

    QObject::connect(process, &QProcess::readyRead, q, [this] { readOutput(); });
    QObject::connect(process, &QProcess::finished, q,
                     [this](int code, QProcess::ExitStatus status) { onFinished(code, status); });
    QObject::connect(process, &QProcess::errorOccurred, q, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            onStartError();
    });

    log.note(u"--- deskpack: %1 starting %2 %3%4"_s.arg(
        QDateTime::currentDateTime().toString(Qt::ISODateWithMs), plan.program,
        plan.arguments.join(u' '), plan.safeMode ? u" (safe mode)"_s : QString()));
    process->start(QIODevice::ReadOnly);
#ifdef Q_OS_UNIX
    if (readFd >= 0)
        ::close(readFd); // the child has its copy (or the start failed)
#endif
    if (!process || process->state() == QProcess::NotRunning)
        return; // onStartError() settled it
    pid = process->processId();
#ifdef Q_OS_WIN
    // Windows: a job object that kills every process in it when the last
    // handle (ours) closes, so the backend dies with the launcher.
    job = ::CreateJobObjectW(nullptr, nullptr);
    if (job) {
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        ::SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits);
        HANDLE child = ::OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE, FALSE, DWORD(pid));
        if (child) {
            ::AssignProcessToJobObject(job, child);
            ::CloseHandle(child);
        }
    }
#endif
    log.note(u"--- deskpack: pid %1"_s.arg(pid));
    deadline.start(qMax(1, plan.readiness.timeoutSeconds) * 1000);
    probe.start(plan.readiness, heartbeatFile(), options.probeIntervalMs);
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
    QString how = status == QProcess::CrashExit ? u"was killed by a signal"_s
                                                : u"exited with code %1"_s.arg(exitCode);
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

void BackendSupervisor::Private::signalGroup(int signal)
{
#ifdef Q_OS_UNIX
    if (pid > 1)
        signalProcessGroup(pid, signal);
#else
    if (signal == SIGKILL && job)
        ::TerminateJobObject(job, 1);
#endif
}

void BackendSupervisor::Private::closeParentPipe()
{
#ifdef Q_OS_UNIX
    if (parentPipeWrite >= 0)
        ::close(parentPipeWrite);
#endif
    parentPipeWrite = -1;
}

void BackendSupervisor::Private::releaseProcess()
{
    drain.stop();
    closeParentPipe();
#ifdef Q_OS_WIN
    if (job) {
        ::CloseHandle(job); // KILL_ON_JOB_CLOSE: takes whatever is left
        job = nullptr;
    }
#endif
    if (process) {
        process->disconnect(q);
        process->deleteLater();
        process = nullptr;
    }
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
    return d->plan.readiness.kind == formats::Readiness::Kind::Http ? d->plan.readiness.url : QString();
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
