// SPDX-License-Identifier: MIT
// Launching a bundle's backend: the plan read from the bundle, the spawn,
// and the ties that make the backend die with the launcher (the parent
// pipe, PR_SET_PDEATHSIG, its process group or, on Windows, a job object).
#include "backendsupervisor.h"
#include "backendsupervisorprivate.h"

#include "runner/python/bundleenvironment.h"
#include "formats/appid.h"
#include "runner/python/processgroup.h"
#include "runner/python/pythonprocess.h"

#include <QDir>
#include <QFileInfo>
#include <QPointer>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <unistd.h>
#endif
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner {

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

QString BackendSupervisor::Private::heartbeatFile() const
{
    return QDir(plan.dataDir).filePath(u"backend.heartbeat"_s);
}

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
    if (!prepareLaunch())
        return;

    createProcess();
    QProcessEnvironment env = plan.environment;
    env.insert(u"DESKPACK_HEARTBEAT_FILE"_s, heartbeatFile());
    if (plan.safeMode)
        env.remove(u"DESKPACK_PLUGIN_SITE_PACKAGES"_s);
    [[maybe_unused]] const int readFd = tieToLauncher(env);
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
    assignToJob();
#endif
    log.note(u"--- deskpack: pid %1"_s.arg(pid));
    deadline.start(qMax(1, plan.readiness.timeoutSeconds) * 1000);
    probe.start(plan.readiness, heartbeatFile(), options.probeIntervalMs);
}

// A start that cannot work fails before anything is spawned.
bool BackendSupervisor::Private::prepareLaunch()
{
    if (const int port = readinessPort(plan.readiness); port > 0) {
        if (std::optional<PortOwner> owner = findPortOwner(port)) {
            fail(owner->describe() + u"; the backend was not started (stop that process or "
                                     "change the port)"_s);
            return false;
        }
    }
    if (!QDir().mkpath(QDir(plan.dataDir).filePath(u"logs"_s))) {
        fail(plan.dataDir + u": cannot create the data directory"_s);
        return false;
    }
    QFile::remove(heartbeatFile());
    return true;
}

void BackendSupervisor::Private::createProcess()
{
    process = new QProcess(q);
    process->setProgram(plan.program);
    process->setArguments(plan.arguments);
    process->setProcessChannelMode(QProcess::MergedChannels);
    process->setStandardInputFile(QProcess::nullDevice());
    if (!plan.workingDirectory.isEmpty())
        process->setWorkingDirectory(plan.workingDirectory);
}

// The backend holds the read end of a pipe; this process holds the only write
// end (close-on-exec, so no other child inherits it). When this process dies,
// however it dies, the backend side reads EOF and kills its group. Returns
// the read end, to close once the child has its copy (-1 when there is none).
int BackendSupervisor::Private::tieToLauncher(QProcessEnvironment &env)
{
#ifdef Q_OS_UNIX
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
    return readFd;
#else
    Q_UNUSED(env);
    return -1;
#endif
}

#ifdef Q_OS_WIN
// A job object that kills every process in it when the last handle (ours)
// closes, so the backend dies with the launcher.
void BackendSupervisor::Private::assignToJob()
{
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
}
#endif

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

} // namespace deskpack::runner
