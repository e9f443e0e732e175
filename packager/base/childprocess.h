// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace deskpack {

// A short-lived child run to its end with blocking waits: a tool (patchelf,
// dpkg-query, ldconfig) or an interpreter answering one question. Long-lived
// children (the backend, the kernel) are state machines on the event loop
// instead (runner/supervisor, runner/kernel).
struct ChildCommand
{
    QString program;
    QStringList arguments;
    QProcessEnvironment environment; // empty: inherit this process's
    QString workingDirectory;        // empty: this process's
    QByteArray standardInput;        // written, then the channel closed
    int timeoutMs = 300'000;         // to start, and again to finish
};

struct ChildOutput
{
    int exitCode = 0; // the caller decides what a non-zero code means
    QByteArray standardOutput;
    QByteArray standardError;
};

// Runs `command` to completion. The child that cannot start, does not finish
// within the time-out (it is killed and reaped) or crashes is an
// ErrorKind::Environment error naming the program: "P: cannot start: why",
// "P: no answer within N s; stopped it", "P crashed (it was killed by SIGSEGV
// (signal 11, segmentation fault)): <its stderr>".
Result<ChildOutput> runToCompletion(const ChildCommand &command);

} // namespace deskpack
