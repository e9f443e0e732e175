// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace deskpack::runner::cli {

// Exit codes of deskpack-run (docs/runner.md).
enum RunExitCode : int
{
    RunOk = 0,
    RunCellFailed = 1, // also: a dependency change was refused
    RunUsage = 2,
    RunNoInterpreter = 3, // also: pip or the disk failed during a dependency change
    RunTimedOut = 124,
    RunInterrupted = 130,
};

// deskpack-run (--python EXE | --bundle BUNDLE [--data-dir DIR])
//              (-c CODE | --cells FILE.ndjson | --repl) [--timeout SECONDS] [--json]
// deskpack-run --bundle BUNDLE [--data-dir DIR] (--deps-install NAME -r FILE |
//              --deps-sync NAME -r FILE | --deps-uninstall NAME | --deps-list)
//              [--find-links DIR]... [--index-url URL] [--no-index] [cells as above]
// `arguments` excludes the program name. Needs a QCoreApplication; runs its
// event loop until the cells are done and returns the exit code.
int runDeskpackRun(const QStringList &arguments);

} // namespace deskpack::runner::cli
