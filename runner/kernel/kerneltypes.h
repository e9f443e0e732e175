// SPDX-License-Identifier: MIT
#pragma once

#include <QMetaType>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>

namespace deskpack::runner {

// How to start one kernel process. `program` is normally a Python interpreter
// and `arguments` the runner (see kernellaunch.h); tests put a fake kernel here.
struct KernelOptions
{
    QString program;
    QStringList arguments;
    QProcessEnvironment environment; // empty: sanitizedPythonEnvironment()
    QString workingDirectory;        // empty: the host's
    int startTimeoutMs = 30'000;     // until the `ready` frame
    int interruptGraceMs = 5'000;    // an ignored interrupt escalates after this
    int escalationStepMs = 1'000;    // between exit, SIGTERM and SIGKILL
    // The longest frame line the host accepts (the runner is told, and truncates
    // what would not fit); a longer line fails the request it belongs to.
    qint64 maxFrameBytes = 64 * 1024 * 1024;
};

enum class OutputStream
{
    Stdout,
    Stderr
};

struct OutputChunk
{
    OutputStream stream = OutputStream::Stdout;
    QString text;
    bool truncated = false; // the request's output cap was reached; the rest is dropped
};

// A MIME bundle: one display() call, or the value of the cell's last expression.
struct RichOutput
{
    enum class Kind
    {
        Display,
        Result
    };
    Kind kind = Kind::Display;
    nlohmann::json data; // {"text/plain": "...", "text/html": "...", "image/png": base64}
    nlohmann::json metadata;
    bool truncated = false; // the runner shortened it to fit the frame limit (docs/runner.md)
};

struct ExecuteError
{
    QString ename;
    QString evalue;
    QStringList traceback; // formatted, the runner's own frames removed
};

enum class ExecuteStatus
{
    Ok,      // the cell ran to its end
    Error,   // it raised (including KeyboardInterrupt after an interrupt)
    Aborted, // it never finished: cancelled before it ran, or the kernel is gone
};

struct ExecuteResult
{
    QString id;
    ExecuteStatus status = ExecuteStatus::Aborted;
    int executionCount = 0;
    bool cancelled = false;    // interrupted or cancelled on request (or by its time-out)
    bool timedOut = false;     // its time-out fired
    bool kernelKilled = false; // the kernel process ended before the cell finished
    // A frame of this request was dropped (over the frame limit, or malformed): the
    // status is then Error and `message` says which frame and why.
    bool outputLost = false;
    std::optional<ExecuteError> error;
    nlohmann::json result; // the last expression's MIME bundle, null when none
    QString message;       // human explanation when Aborted or outputLost
};

struct ExecuteOptions
{
    int timeoutMs = 0;         // 0: none; counted from when the cell is sent to the kernel
    qint64 maxOutputChars = 0; // 0: no cap on stdout+stderr text
};

// Called on the kernel's thread, in frame order. onDone runs exactly once per
// request, whatever happens to the kernel.
struct ExecuteCallbacks
{
    std::function<void(const OutputChunk &)> onOutput;
    std::function<void(const RichOutput &)> onRich;
    std::function<void(const ExecuteResult &)> onDone;
};

// How a kernel process ended; reported once, by Kernel::exited.
struct KernelExit
{
    bool becameReady = false;
    bool failedToStart = false;
    bool crashed = false;      // ended by a signal
    bool killedByHost = false; // the host sent SIGTERM or SIGKILL
    int exitCode = 0;
    QString message;
};

// What an executor can do, in the flags users know from other executors.
// depsInstall/depsUninstall are true when the session has dependency
// operations (KernelSession::setDependencies: a bundle and a data dir, so the
// plugin site-packages boundary can open); they never run pip in the kernel.
struct KernelCapabilities
{
    bool timeout = true;
    bool interrupt = true;
    bool processIsolation = true;
    bool reset = true;
    bool depsInstall = false;
    bool depsUninstall = false;
    bool networkIsolation = false;
    bool filesystemIsolation = false;
    bool memoryLimit = false;

    nlohmann::json toJson() const;
};

} // namespace deskpack::runner

Q_DECLARE_METATYPE(deskpack::runner::KernelExit)
Q_DECLARE_METATYPE(deskpack::runner::OutputChunk)
