// SPDX-License-Identifier: MIT
#pragma once

#include "runner/kernel/kernelsession.h"
#include "runner/kernel/lineframer.h"

#include <QObject>
#include <QSocketNotifier>
#include <QStringList>

#include <memory>
#include <optional>

namespace deskpack::runner::cli {

// Drives one kernel for deskpack-run: a fixed list of steps, each a cell or a
// dependency request (stop at the first that fails), then, with `repl`, a REPL
// on stdin. Prints frames as text or as NDJSON, turns
// SIGINT into an interrupt of the running cell and SIGTERM/SIGHUP into a kill
// of the kernel's group, and finishes with the exit code.
class CellRunner : public QObject
{
    Q_OBJECT
public:
    // A cell, or a dependency request when `deps` is set.
    struct Step
    {
        QString code;
        std::optional<DepsRequest> deps;
    };
    struct Config
    {
        KernelOptions kernel;
        QList<Step> steps; // run first, in order (with repl: before the prompt)
        bool repl = false;
        bool json = false;
        int timeoutMs = 0;
        std::shared_ptr<KernelDependencies> dependencies; // null: deps steps fail (exit 2)
        DepsRequest depsDefaults; // sources for the REPL's %deps lines without their own
    };

    explicit CellRunner(Config config, QObject *parent = nullptr);
    ~CellRunner() override;

    // Starts; finished(exitCode) follows once.
    void start();

Q_SIGNALS:
    void finished(int exitCode);

private:
    void runStep();
    void stepsDone();
    void runCell(const QString &code);
    void cellDone(int cell, const ExecuteResult &result);
    void runDeps(const DepsRequest &request);
    void depsDone(int cell, const DepsResult &result);
    void readInput();
    void acceptLine(const QString &line);
    void prompt();
    void onSignal();
    void finish(int exitCode);
    void emitFrame(nlohmann::json frame);

    Config m_config;
    KernelSession m_session;
    int m_nextCell = 0;
    int m_outstanding = 0; // cells sent and not yet done
    bool m_interruptRequested = false;
    bool m_finishing = false;
    bool m_kernelWasReady = false;
    bool m_inRepl = false;
    QStringList m_replBuffer;
    LineFramer m_input;
    std::unique_ptr<QSocketNotifier> m_inputNotifier;
    std::unique_ptr<QSocketNotifier> m_signalNotifier;
};

// Whether the REPL should read another line before running `lines`: an open
// bracket or string, a trailing backslash, or a block not yet ended by a blank line.
bool replNeedsMore(const QStringList &lines);

// The REPL's "%deps OP [NAME] [-r FILE] [--find-links DIR]... [--index-url URL]
// [--no-index] [--restart]" line as a request; sources default to `defaults`'.
Result<DepsRequest> parseDepsMagic(const QString &line, const DepsRequest &defaults);

} // namespace deskpack::runner::cli
