// SPDX-License-Identifier: MIT
// Kernel's reading side: the runner's stdout split into frames, each applied to the
// request it belongs to; its stderr kept as diagnostics.
#include "kernel.h"

#include "kernelprotocol.h"
#include "runner/python/runnerlogging.h"

#include <QPointer>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner {

namespace {

constexpr qsizetype DiagnosticsTail = 16 * 1024;

} // namespace

void Kernel::readFrames()
{
    QPointer<Kernel> self(this);
    // The framer is never cleared here: a line still arriving (an overflowing one
    // being skipped, or a frame split across reads) continues with the next read.
    const QList<LineFramer::Line> lines = m_framer.split(m_process.readAllStandardOutput());
    for (const LineFramer::Line &line : lines) {
        const bool alive = line.overflowed() ? handleOverflow(line) : handleLine(line.bytes);
        if (!alive || !self)
            return;
    }
}

void Kernel::readDiagnostics()
{
    const QByteArray bytes = m_process.readAllStandardError();
    for (const QByteArray &line : bytes.split('\n')) {
        if (!line.isEmpty())
            qCInfo(lcRunner).noquote() << "kernel:" << QString::fromUtf8(line);
    }
    m_diagnostics.append(bytes);
    if (m_diagnostics.size() > DiagnosticsTail)
        m_diagnostics = m_diagnostics.right(DiagnosticsTail);
}

bool Kernel::handleLine(const QByteArray &line)
{
    if (line.trimmed().isEmpty())
        return true;
    const auto frame =
        nlohmann::json::parse(line.constData(), line.constData() + line.size(), nullptr, false);
    if (frame.is_discarded() || !frame.is_object()) {
        protocolError(u"not a JSON object: %1"_s.arg(QString::fromUtf8(line.left(200))));
        return true;
    }
    return handleFrame(frame);
}

void Kernel::protocolError(const QString &message)
{
    ++m_protocolErrors;
    qCWarning(lcProtocol).noquote() << message;
}

// A line over the limit was skipped up to its newline. The request it belongs to
// (named by the line's first bytes, else the running one) fails when it is done;
// an overflowed `done` ends it now. Returns false when a callback destroyed the kernel.
bool Kernel::handleOverflow(const LineFramer::Line &line)
{
    const protocol::FrameHead head = protocol::peekFrameHead(line.head);
    const QString what = head.type.isEmpty() ? u"frame"_s : u"'%1' frame"_s.arg(head.type);
    const QString message = u"a %1 of %2 bytes was dropped: the kernel's frames "
                            "are limited to %3 bytes"_s.arg(what)
                                .arg(line.droppedBytes)
                                .arg(m_options.maxFrameBytes);
    protocolError(message);
    if (!m_current || (!head.id.isEmpty() && head.id != m_current->result.id))
        return true;
    failCurrent(message);
    if (head.type == u"done") {
        m_current->result.status = ExecuteStatus::Error;
        return settleCurrent();
    }
    return true;
}

void Kernel::failCurrent(const QString &why)
{
    if (!m_current)
        return;
    m_current->result.outputLost = true;
    if (m_current->failure.isEmpty())
        m_current->failure = why;
}

// Returns false when a callback destroyed the kernel.
bool Kernel::handleFrame(const nlohmann::json &json)
{
    protocol::FrameReader frame(json);
    const QString type = frame.type();
    if (type == u"ready")
        return handleReady(frame);
    if (type == u"protocolError") {
        const QString message = frame.string("message");
        protocolError(frame.ok() ? u"the kernel rejected a request: %1"_s.arg(message)
                                 : frame.problem());
        return true;
    }
    if (type.isEmpty() || !frame.hasValidId()) {
        protocolError(frame.problem()); // not attributable to any request
        return true;
    }
    const QString id = frame.id();
    const bool isStream = type == u"stdout" || type == u"stderr";
    OutputChunk chunk;
    if (isStream) {
        chunk.stream = type == u"stdout" ? OutputStream::Stdout : OutputStream::Stderr;
        chunk.text = frame.string("text");
        chunk.truncated = frame.boolean("truncated");
    }
    if (!m_current || id != m_current->result.id) {
        dropForeignFrame(frame, type, isStream ? &chunk : nullptr);
        return true;
    }
    if (type == u"done")
        return handleDone(frame);
    if (!applyToCurrent(frame, type, isStream ? &chunk : nullptr)) {
        protocolError(u"unknown frame type '%1'"_s.arg(type.left(40)));
        return true;
    }
    if (!frame.ok()) {
        protocolError(frame.problem());
        failCurrent(frame.problem());
    }
    return true;
}

bool Kernel::handleReady(const protocol::FrameReader &frame)
{
    if (m_state != State::Starting) {
        protocolError(u"a second ready frame"_s);
        return true;
    }
    m_startTimer.stop();
    m_pythonVersion = frame.string("python");
    if (!frame.ok())
        protocolError(frame.problem());
    m_exit.becameReady = true;
    setState(State::Idle);
    QPointer<Kernel> self(this);
    Q_EMIT ready();
    if (!self)
        return false;
    dispatchNext();
    return true;
}

// A frame of a request that is not running: stream output without a request (or
// while none runs) is stray output; anything else is late and dropped.
void Kernel::dropForeignFrame(const protocol::FrameReader &frame, const QString &type,
                              const OutputChunk *chunk)
{
    const QString id = frame.id();
    if (!frame.ok()) {
        protocolError(frame.problem());
    } else if (chunk && (id.isEmpty() || !m_current)) {
        Q_EMIT strayOutput(*chunk);
    } else {
        qCDebug(lcProtocol) << "dropped a" << type << "frame of request" << id
                            << "which is not running";
    }
}

// Every frame of the running request but `done`; false for a type it does not know.
bool Kernel::applyToCurrent(const protocol::FrameReader &frame, const QString &type,
                            const OutputChunk *chunk)
{
    Request &request = *m_current;
    if (type == u"started") {
        request.result.executionCount =
            int(frame.integer("executionCount", request.result.executionCount));
    } else if (chunk) {
        if (frame.ok() && request.callbacks.onOutput)
            request.callbacks.onOutput(*chunk);
    } else if (type == u"display" || type == u"result") {
        applyRich(frame, type);
    } else if (type == u"error") {
        ExecuteError error = frame.error();
        if (frame.ok())
            request.result.error = std::move(error);
    } else {
        return false;
    }
    return true;
}

void Kernel::applyRich(const protocol::FrameReader &frame, const QString &type)
{
    Request &request = *m_current;
    RichOutput rich;
    rich.kind = type == u"result" ? RichOutput::Kind::Result : RichOutput::Kind::Display;
    rich.data = frame.object("data");
    rich.metadata = frame.object("metadata");
    rich.truncated = frame.boolean("truncated");
    if (!frame.ok())
        return;
    if (rich.kind == RichOutput::Kind::Result)
        request.result.result = rich.data;
    if (request.callbacks.onRich)
        request.callbacks.onRich(rich);
}

// Returns false when a callback destroyed the kernel.
bool Kernel::handleDone(const protocol::FrameReader &frame)
{
    Request &request = *m_current;
    const QString status = frame.string("status");
    if (frame.ok() && status != u"ok" && status != u"error")
        frame.fieldProblem("status", u"expected \"ok\" or \"error\""_s);
    request.result.status = status == u"ok" ? ExecuteStatus::Ok : ExecuteStatus::Error;
    request.result.executionCount =
        int(frame.integer("executionCount", request.result.executionCount));
    request.result.cancelled = frame.boolean("cancelled");
    if (!frame.ok()) {
        protocolError(frame.problem());
        failCurrent(frame.problem());
    }
    return settleCurrent();
}

} // namespace deskpack::runner
