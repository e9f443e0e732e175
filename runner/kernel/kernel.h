// SPDX-License-Identifier: MIT
#pragma once

#include "kerneltypes.h"
#include "lineframer.h"

#include <QObject>
#include <QProcess>
#include <QTimer>

#include <deque>
#include <optional>

namespace deskpack::runner {

namespace protocol {
class FrameReader;
}

// One kernel process speaking the runner protocol (docs/runner.md): it runs
// in its own session, receives one cell at a time (later ones wait in FIFO
// order), and settles every request exactly once through its onDone callback.
// An interrupt the cell ignores escalates after interruptGraceMs to an exit
// request, then SIGTERM, then SIGKILL of the whole process group; when the
// process ends every pending request fails and exited() is emitted, once
// (also when it never started). A Kernel is not restarted: make a new one
// (KernelSession does that).
class Kernel : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        NotStarted,
        Starting,     // process launched, waiting for `ready`
        Idle,         // ready, no cell running
        Busy,         // a cell is running
        Interrupting, // SIGINT sent, waiting for `done` within the grace
        Stopping,     // exit requested or signals sent; the process is going away
        Exited,       // terminal; exited() has been emitted
    };
    Q_ENUM(State)

    explicit Kernel(KernelOptions options, QObject *parent = nullptr);
    // Kills the process group and waits for it; pending requests settle
    // Aborted. No signals are emitted from the destructor.
    ~Kernel() override;

    void start();

    // Queues `code`; returns the request id (unique in the host process).
    // Requests made after the kernel exited settle Aborted from the event loop.
    QString execute(const QString &code, const ExecuteOptions &options = {},
                    ExecuteCallbacks callbacks = {});
    // A queued request settles at once (cancelled, Aborted); the running one is
    // interrupted. False when the id is not pending here.
    bool cancel(const QString &id);
    // Interrupts the running cell (SIGINT to the group) and arms the escalation.
    void interrupt();
    // Graceful stop: queued requests are cancelled, a running cell is
    // interrupted, then exit request → SIGTERM → SIGKILL, a step apart.
    void shutdown();
    // SIGKILL to the process group now.
    void kill();

    State state() const { return m_state; }
    qint64 processId() const { return m_pid; }
    int pendingCount() const;
    bool hasPending(const QString &id) const;
    const KernelExit &exitInfo() const { return m_exit; }
    // Lines that were not valid frames, frames with fields of the wrong type, and
    // frames over the limit; none of them stops the session.
    int protocolErrors() const { return m_protocolErrors; }
    QString pythonVersion() const { return m_pythonVersion; }

Q_SIGNALS:
    void ready();
    void stateChanged(deskpack::runner::Kernel::State state);
    // Output written while no cell ran (a background thread or child process).
    void strayOutput(const deskpack::runner::OutputChunk &chunk);
    void exited(const deskpack::runner::KernelExit &exit);

private:
    struct Request
    {
        QString code;
        ExecuteOptions options;
        ExecuteCallbacks callbacks;
        ExecuteResult result;
        bool interruptRequested = false;
        QString failure; // the first frame of it that was dropped, and why
    };
    enum class Escalation
    {
        None,
        Interrupted,
        ExitSent,
        TermSent,
        KillSent
    };

    void setState(State state);
    void dispatchNext();
    void readFrames();
    void readDiagnostics();
    bool handleLine(const QByteArray &line);
    bool handleOverflow(const LineFramer::Line &line);
    bool handleFrame(const nlohmann::json &frame);
    bool handleReady(const protocol::FrameReader &frame);
    void dropForeignFrame(const protocol::FrameReader &frame, const QString &type,
                          const OutputChunk *chunk);
    bool applyToCurrent(const protocol::FrameReader &frame, const QString &type,
                        const OutputChunk *chunk);
    void applyRich(const protocol::FrameReader &frame, const QString &type);
    bool handleDone(const protocol::FrameReader &frame);
    void failCurrent(const QString &why);
    bool settleCurrent();
    bool settle(Request request);
    void failQueued();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onErrorOccurred(QProcess::ProcessError error);
    void finishExit();
    void sendExitRequest();
    void escalate();
    void signalGroup(int signal);
    void protocolError(const QString &message);

    KernelOptions m_options;
    QProcess m_process;
    State m_state = State::NotStarted;
    LineFramer m_framer;
    std::optional<Request> m_current;
    std::deque<Request> m_queue;
    QTimer m_startTimer;
    QTimer m_requestTimer;
    QTimer m_escalationTimer;
    Escalation m_escalation = Escalation::None;
    qint64 m_pid = 0;
    KernelExit m_exit;
    QByteArray m_diagnostics; // the tail of the process's own stderr
    QString m_pythonVersion;
    int m_protocolErrors = 0;
    bool m_exitSent = false;
    // The process group may be signalled: from start until the kernel was reaped.
    bool m_groupOwned = false;
};

} // namespace deskpack::runner
