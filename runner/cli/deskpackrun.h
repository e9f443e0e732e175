// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace deskpack::runner::cli {

// Exit codes of deskpack-run (docs/runner.md).
enum RunExitCode : int
{
    RunOk = 0,
    RunCellFailed = 1,
    RunUsage = 2,
    RunNoInterpreter = 3,
    RunTimedOut = 124,
    RunInterrupted = 130,
};

// deskpack-run (--python EXE | --bundle BUNDLE [--data-dir DIR])
//              (-c CODE | --cells FILE.ndjson | --repl) [--timeout SECONDS] [--json]
// `arguments` excludes the program name. Needs a QCoreApplication; runs its
// event loop until the cells are done and returns the exit code.
int runDeskpackRun(const QStringList &arguments);

} // namespace deskpack::runner::cli
