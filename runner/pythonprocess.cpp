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

    QProcess process;
    process.setProgram(command.interpreter);
    process.setArguments(command.arguments);
    process.setProcessEnvironment(command.environment.isEmpty() ? sanitizedPythonEnvironment()
                                                                : command.environment);
    if (!command.workingDirectory.isEmpty())
        process.setWorkingDirectory(command.workingDirectory);
    process.start();
    if (!process.waitForStarted(command.timeoutMs)) {
        return makeError(ErrorKind::Environment,
                         u"%1: cannot start: %2"_s.arg(command.interpreter, process.errorString()));
    }
    if (!command.standardInput.isEmpty())
        process.write(command.standardInput);
    process.closeWriteChannel();
    if (!process.waitForFinished(command.timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        return makeError(ErrorKind::Environment,
                         u"%1: no answer within %2 s; stopped it"_s.arg(command.interpreter)
                             .arg(command.timeoutMs / 1000.0));
    }
    PythonOutput output;
    output.standardOutput = process.readAllStandardOutput();
    output.standardError = process.readAllStandardError();
    if (process.exitStatus() == QProcess::CrashExit) {
        return makeError(
            ErrorKind::Environment,
            u"%1 crashed: %2"_s.arg(command.interpreter,
                                    QString::fromUtf8(output.standardError).trimmed()));
    }
    output.exitCode = process.exitCode();
    return output;
}

} // namespace deskpack::runner
