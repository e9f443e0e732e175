// SPDX-License-Identifier: MIT
#include "kernel.h"

#include "base/exitstatus.h"
#include "kernelprotocol.h"
#include "runner/python/processgroup.h"
#include "runner/python/pythonenvironment.h"
#include "runner/python/runnerlogging.h"

#include <QPointer>

#include <atomic>
#include <csignal>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner {

namespace {

QString nextRequestId()
{
    static std::atomic<quint64> counter{0};
    return QString::number(++counter);
}

} // namespace

Kernel::Kernel(KernelOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_framer(m_options.maxFrameBytes)
{
    qRegisterMetaType<KernelExit>();
    qRegisterMetaType<OutputChunk>();
    m_startTimer.setSingleShot(true);
    m_requestTimer.setSingleShot(true);
    m_escalationTimer.setSingleShot(true);
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &Kernel::readFrames);
    connect(&m_process, &QProcess::readyReadStandardError, this, &Kernel::readDiagnostics);
    connect(&m_process, &QProcess::finished, this, &Kernel::onFinished);
    connect(&m_process, &QProcess::errorOccurred, this, &Kernel::onErrorOccurred);
    connect(&m_process, &QProcess::started, this, [this] {
        m_pid = m_process.processId();
        m_groupOwned = true;
    });
    connect(&m_startTimer, &QTimer::timeout, this, [this] {
        m_exit.message = u"%1 did not answer within %2 s"_s.arg(m_options.program)
                             .arg(m_options.startTimeoutMs / 1000.0);
        qCInfo(lcRunner).noquote() << m_exit.message;
        kill();
    });
    connect(&m_requestTimer, &QTimer::timeout, this, [this] {
        if (!m_current)
            return;
        m_current->result.timedOut = true;
        interrupt();
    });
    connect(&m_escalationTimer, &QTimer::timeout, this, &Kernel::escalate);
}

Kernel::~Kernel()
{
    m_process.disconnect(this);
    if (m_process.state() != QProcess::NotRunning) {
        // QProcess has not reported the end yet, so the leader is unreaped, or was
        // reaped just now (as in onFinished()): one SIGKILL to the group takes the
        // kernel and everything it started. Once onFinished() ran, it had killed the
        // group and the id may since belong to another process: no signal then.
        if (m_groupOwned && m_pid > 1)
            signalProcessGroup(m_pid, SIGKILL);
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    m_groupOwned = false;
    std::deque<Request> pending;
    if (m_current)
        pending.push_back(std::move(*m_current));
    m_current.reset();
    for (Request &request : m_queue)
        pending.push_back(std::move(request));
    m_queue.clear();
    for (Request &request : pending) {
        request.result.status = ExecuteStatus::Aborted;
        request.result.message = u"the kernel was destroyed"_s;
        if (request.callbacks.onDone)
            request.callbacks.onDone(request.result);
    }
}

void Kernel::start()
{
    if (m_state != State::NotStarted)
        return;
    setState(State::Starting);
    m_process.setProgram(m_options.program);
    m_process.setArguments(m_options.arguments);
    m_process.setProcessEnvironment(m_options.environment.isEmpty() ? sanitizedPythonEnvironment()
                                                                    : m_options.environment);
    if (!m_options.workingDirectory.isEmpty())
        m_process.setWorkingDirectory(m_options.workingDirectory);
    m_process.setChildProcessModifier(&prepareKernelChild);
    m_startTimer.start(m_options.startTimeoutMs);
    qCDebug(lcRunner) << "starting" << m_options.program << m_options.arguments.mid(0, 1);
    m_process.start(QIODevice::ReadWrite);
}

QString Kernel::execute(const QString &code, const ExecuteOptions &options,
                        ExecuteCallbacks callbacks)
{
    Request request{code, options, std::move(callbacks), {}, false, {}};
    request.result.id = nextRequestId();
    const QString id = request.result.id;
    m_queue.push_back(std::move(request));
    if (m_state == State::Exited || m_state == State::Stopping)
        QMetaObject::invokeMethod(this, &Kernel::failQueued, Qt::QueuedConnection);
    else
        dispatchNext();
    return id;
}

bool Kernel::cancel(const QString &id)
{
    if (m_current && m_current->result.id == id) {
        interrupt();
        return true;
    }
    for (auto it = m_queue.begin(); it != m_queue.end(); ++it) {
        if (it->result.id != id)
            continue;
        Request request = std::move(*it);
        m_queue.erase(it);
        request.result.cancelled = true;
        request.result.message = u"cancelled before it ran"_s;
        settle(std::move(request));
        return true;
    }
    return false;
}

void Kernel::interrupt()
{
    if (!m_current || (m_state != State::Busy && m_state != State::Interrupting))
        return;
    m_current->interruptRequested = true;
    qCDebug(lcRunner) << "interrupting request" << m_current->result.id;
    signalGroup(SIGINT);
    if (m_state == State::Busy) {
        setState(State::Interrupting);
        m_escalation = Escalation::Interrupted;
        m_escalationTimer.start(m_options.interruptGraceMs);
    }
}

void Kernel::shutdown()
{
    while (!m_queue.empty()) {
        Request request = std::move(m_queue.front());
        m_queue.pop_front();
        request.result.cancelled = true;
        request.result.message = u"the kernel is shutting down"_s;
        QPointer<Kernel> self(this);
        settle(std::move(request));
        if (!self)
            return;
    }
    switch (m_state) {
    case State::NotStarted:
        setState(State::Exited);
        m_exit.message = u"shut down before it started"_s;
        Q_EMIT exited(m_exit);
        return;
    case State::Starting:
        kill();
        return;
    case State::Idle:
    case State::Busy:
    case State::Interrupting:
        if (m_current) {
            m_current->interruptRequested = true;
            signalGroup(SIGINT);
        }
        if (m_exit.message.isEmpty())
            m_exit.message = u"the kernel was shut down"_s;
        sendExitRequest();
        setState(State::Stopping);
        m_escalation = Escalation::ExitSent;
        m_escalationTimer.start(m_current ? m_options.interruptGraceMs
                                          : m_options.escalationStepMs);
        return;
    case State::Stopping:
    case State::Exited:
        return;
    }
}

void Kernel::kill()
{
    if (m_state == State::Exited || m_state == State::NotStarted)
        return;
    m_exit.killedByHost = true;
    if (m_exit.message.isEmpty())
        m_exit.message = u"the kernel was killed on request"_s;
    m_escalation = Escalation::KillSent;
    if (m_state != State::Stopping)
        setState(State::Stopping);
    signalGroup(SIGKILL);
    m_process.kill(); // in case setsid failed and there is no group
}

int Kernel::pendingCount() const
{
    return int(m_queue.size()) + (m_current ? 1 : 0);
}

bool Kernel::hasPending(const QString &id) const
{
    if (m_current && m_current->result.id == id)
        return true;
    for (const Request &request : m_queue) {
        if (request.result.id == id)
            return true;
    }
    return false;
}

void Kernel::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    qCDebug(lcRunner) << "state" << state;
    Q_EMIT stateChanged(state);
}

void Kernel::dispatchNext()
{
    if (m_state != State::Idle || m_current || m_queue.empty())
        return;
    m_current = std::move(m_queue.front());
    m_queue.pop_front();
    m_process.write(protocol::executeRequest(m_current->result.id, m_current->code,
                                             m_current->options, m_options.maxFrameBytes));
    setState(State::Busy);
    if (m_current->options.timeoutMs > 0)
        m_requestTimer.start(m_current->options.timeoutMs);
}

bool Kernel::settleCurrent()
{
    Request request = std::move(*m_current);
    m_current.reset();
    m_requestTimer.stop();
    if (m_state == State::Busy || m_state == State::Interrupting) {
        m_escalationTimer.stop();
        m_escalation = Escalation::None;
        setState(State::Idle);
    }
    QPointer<Kernel> self(this);
    if (!settle(std::move(request)) || !self)
        return false;
    dispatchNext();
    return true;
}

bool Kernel::settle(Request request)
{
    ExecuteResult &result = request.result;
    result.cancelled = result.cancelled || request.interruptRequested;
    if (!request.failure.isEmpty()) {
        result.outputLost = true;
        if (result.status == ExecuteStatus::Ok)
            result.status = ExecuteStatus::Error;
        if (result.message.isEmpty())
            result.message = request.failure;
    }
    QPointer<Kernel> self(this);
    if (request.callbacks.onDone)
        request.callbacks.onDone(result);
    return !self.isNull();
}

void Kernel::failQueued()
{
    if (m_state != State::Exited)
        return;
    QPointer<Kernel> self(this);
    while (!m_queue.empty() && self) {
        Request request = std::move(m_queue.front());
        m_queue.pop_front();
        request.result.kernelKilled = true;
        request.result.message = m_exit.message;
        settle(std::move(request));
    }
}

void Kernel::onErrorOccurred(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart || m_state == State::Exited)
        return;
    m_exit.failedToStart = true;
    m_exit.message = u"cannot start %1: %2"_s.arg(m_options.program, m_process.errorString());
    qCInfo(lcRunner).noquote() << m_exit.message;
    finishExit();
}

void Kernel::onFinished(int exitCode, QProcess::ExitStatus status)
{
    QPointer<Kernel> self(this);
    readDiagnostics();
    readFrames(); // the last frames may arrive together with the end of the process
    if (!self || m_state == State::Exited)
        return;
    // No orphans: whatever the cell started goes with the kernel. The leader was
    // reaped just now, but while any member is left the kernel keeps its id
    // reserved as the group's, so this reaches the kernel's own group or nothing.
    if (m_groupOwned && m_pid > 1)
        signalProcessGroup(m_pid, SIGKILL);
    m_groupOwned = false;
    m_exit.exitCode = exitCode;
    m_exit.crashed = status == QProcess::CrashExit;
    if (m_exit.message.isEmpty()) {
        const QString tail = QString::fromUtf8(m_diagnostics).trimmed().section(u'\n', -3);
        m_exit.message = u"the kernel "_s + describeExit(exitCode, status);
        if (!tail.isEmpty())
            m_exit.message += u": "_s + tail;
    }
    qCDebug(lcRunner).noquote() << m_exit.message;
    finishExit();
}

void Kernel::finishExit()
{
    m_startTimer.stop();
    m_requestTimer.stop();
    m_escalationTimer.stop();
    setState(State::Exited);
    QPointer<Kernel> self(this);
    if (m_current) {
        Request request = std::move(*m_current);
        m_current.reset();
        request.result.kernelKilled = true;
        request.result.status = ExecuteStatus::Aborted;
        request.result.message = m_exit.message;
        if (!settle(std::move(request)))
            return;
    }
    failQueued();
    if (self)
        Q_EMIT exited(m_exit);
}

void Kernel::sendExitRequest()
{
    if (m_exitSent || m_process.state() != QProcess::Running)
        return;
    m_exitSent = true;
    m_process.write(protocol::exitRequest());
    m_process.closeWriteChannel(); // EOF ends the runner even if it missed the request
}

void Kernel::escalate()
{
    switch (m_escalation) {
    case Escalation::None:
        return;
    case Escalation::Interrupted:
        qCInfo(lcRunner) << "the cell ignored the interrupt; stopping the kernel";
        if (m_exit.message.isEmpty()) {
            m_exit.message = u"the cell ignored an interrupt for %1 s, so the "
                             "kernel was stopped"_s.arg(m_options.interruptGraceMs / 1000.0);
        }
        sendExitRequest();
        setState(State::Stopping);
        m_escalation = Escalation::ExitSent;
        break;
    case Escalation::ExitSent:
        m_exit.killedByHost = true;
        signalGroup(SIGTERM);
        m_escalation = Escalation::TermSent;
        break;
    case Escalation::TermSent:
        m_exit.killedByHost = true;
        signalGroup(SIGKILL);
        m_process.kill();
        m_escalation = Escalation::KillSent;
        break;
    case Escalation::KillSent:
        return;
    }
    m_escalationTimer.start(m_options.escalationStepMs);
}

void Kernel::signalGroup(int signal)
{
    // Only a group whose leader is still our unreaped child: its id cannot have
    // been reused by then.
    if (m_groupOwned && m_pid > 1 && isUnreapedChild(m_pid))
        signalProcessGroup(m_pid, signal);
}

} // namespace deskpack::runner
