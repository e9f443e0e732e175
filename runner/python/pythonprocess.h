// SPDX-License-Identifier: MIT
#pragma once

#include "base/childprocess.h"
#include "base/result.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace deskpack::runner {

// A short-lived Python command (a probe, pip) run to completion.
struct PythonCommand
{
    QString interpreter;
    QStringList arguments;
    QProcessEnvironment environment; // empty: sanitizedPythonEnvironment()
    QString workingDirectory;
    QByteArray standardInput;
    int timeoutMs = 120'000;
};

using PythonOutput = ChildOutput;

// Checks that `interpreter` names an executable file; the message says which
// path and why not (ErrorKind::Environment).
Result<void> checkInterpreter(const QString &interpreter);

// Runs the command and waits. A missing interpreter, a failed start, a crash
// or a time-out (the process is killed) fail with ErrorKind::Environment; a
// normal exit with any code succeeds and the caller judges the code.
Result<PythonOutput> runPython(const PythonCommand &command);

} // namespace deskpack::runner
