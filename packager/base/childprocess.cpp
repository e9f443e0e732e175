// SPDX-License-Identifier: MIT
#include "childprocess.h"

#include "exitstatus.h"

#include <QProcess>

using namespace Qt::Literals::StringLiterals;

namespace deskpack {

Result<ChildOutput> runToCompletion(const ChildCommand &command)
{
    QProcess process;
    process.setProgram(command.program);
    process.setArguments(command.arguments);
    if (!command.environment.isEmpty())
        process.setProcessEnvironment(command.environment);
    if (!command.workingDirectory.isEmpty())
        process.setWorkingDirectory(command.workingDirectory);
    process.start();
    if (!process.waitForStarted(command.timeoutMs)) {
        return makeError(ErrorKind::Environment,
                         u"%1: cannot start: %2"_s.arg(command.program, process.errorString()));
    }
    if (!command.standardInput.isEmpty())
        process.write(command.standardInput);
    process.closeWriteChannel();
    if (!process.waitForFinished(command.timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        return makeError(ErrorKind::Environment,
                         u"%1: no answer within %2 s; stopped it"_s.arg(command.program)
                             .arg(command.timeoutMs / 1000.0));
    }
    ChildOutput output;
    output.standardOutput = process.readAllStandardOutput();
    output.standardError = process.readAllStandardError();
    if (process.exitStatus() == QProcess::CrashExit) {
        return makeError(ErrorKind::Environment,
                         u"%1 crashed (it %2): %3"_s.arg(
                             command.program, describeExit(process.exitCode(), QProcess::CrashExit),
                             QString::fromUtf8(output.standardError).trimmed()));
    }
    output.exitCode = process.exitCode();
    return output;
}

} // namespace deskpack
