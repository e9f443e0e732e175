// SPDX-License-Identifier: MIT
#include "pythonprocess.h"

#include "pythonenvironment.h"

#include <QFileInfo>
#include <QProcess>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner {

Result<void> checkInterpreter(const QString &interpreter)
{
    const QFileInfo info(interpreter);
    if (!info.exists())
        return makeError(ErrorKind::Environment,
                         u"%1: no such Python interpreter"_s.arg(interpreter));
    if (info.isDir() || !info.isExecutable())
        return makeError(ErrorKind::Environment, u"%1: not an executable file"_s.arg(interpreter));
    return {};
}

Result<PythonOutput> runPython(const PythonCommand &command)
{
    if (Result<void> check = checkInterpreter(command.interpreter); !check)
        return check.error();
    ChildCommand child;
    child.program = command.interpreter;
    child.arguments = command.arguments;
    child.environment =
        command.environment.isEmpty() ? sanitizedPythonEnvironment() : command.environment;
    child.workingDirectory = command.workingDirectory;
    child.standardInput = command.standardInput;
    child.timeoutMs = command.timeoutMs;
    return runToCompletion(child);
}

} // namespace deskpack::runner
