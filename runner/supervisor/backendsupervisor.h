// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "formats/bundlemanifest.h"

#include <QDateTime>
#include <QObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <memory>

namespace deskpack::runner {

// Everything the supervisor needs to start one bundle's backend. Built from a
// bundle by backendLaunchPlan(); tests fill it by hand to drive fake backends.
struct BackendLaunchPlan
{
    QString appId;
    QString bundleDir;
    QString dataDir;       // DESIGN.md "User data"; logs/ lives under it
    QString program;       // the bundled interpreter (or a fake backend in tests)
    QStringList arguments; // e.g. -s resources/launch_backend.py BUNDLE
    QString workingDirectory;
    QProcessEnvironment environment; // the backend's, exactly as DESIGN.md says
    formats::Readiness readiness;
    bool safeMode = false; // plugin site-packages kept off sys.path
};

struct SupervisorOptions
{
    qint64 logMaxBytes = 5 * 1024 * 1024; // logs/backend.log rotates past this
    int logBackups = 5;                   // backend.log.1 .. backend.log.N
    int restartInitialDelayMs = 1'000;    // doubled after every crash
    int restartMaxDelayMs = 30'000;
    int crashLoopCount = 3;          // this many crashes ...
    int crashLoopWindowMs = 120'000; // ... within this window stop restarting
    int stopGraceMs = 5'000;         // SIGTERM to the group, SIGKILL after this
    int probeIntervalMs = 100;       // readiness polling
    int tailLines = 40;              // kept for failure reports
};

// The environment, command line and readiness of a bundle's backend, read
// from BUNDLE/bundle.json: lock path variables (a value already set wins, only
// when the lock exists), PYTHON* clean-up, data-dir variables, plugin
// site-packages last (absent in safe mode). Errors name the file.
Result<BackendLaunchPlan> backendLaunchPlan(const QString &bundleDir, const QString &dataDir = {},
                                            bool safeMode = false);

// Starts, watches and stops one backend process (docs/launcher.md). Driven by
// the event loop of its thread, never blocking, so a window can own it. One
// signal per transition (stateChanged); a start that cannot happen (port
// taken, interpreter missing) goes Starting -> Failed with a reason, never
// silently. A crash restarts with exponential backoff; crashLoopCount crashes
// within crashLoopWindowMs stop restarting (Failed, safeModeSuggested()).
// The backend runs in its own process group, dies with the launcher
// (PR_SET_PDEATHSIG plus an inherited pipe the backend side watches) and is
// stopped with SIGTERM to the group, then SIGKILL after stopGraceMs.
// Keep it in a thread that lives as long as the backend should (the main
// thread): PR_SET_PDEATHSIG fires when the thread that started the process ends.
class BackendSupervisor : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Stopped,  // not running, nothing scheduled
        Starting, // process launched, readiness not yet seen
        Ready,    // the probe answered
        Stopping, // SIGTERM sent, waiting for the group to exit
        Crashed,  // exited unexpectedly; a restart is scheduled
        Failed,   // gave up: start failure, not ready in time, or a crash loop
        SafeMode, // Ready, but started with the plugin site-packages off sys.path
    };
    Q_ENUM(State)

    explicit BackendSupervisor(BackendLaunchPlan plan, SupervisorOptions options = {},
                               QObject *parent = nullptr);
    ~BackendSupervisor() override; // stops the backend's group, synchronously

    // Starts the plan as constructed (normal mode unless plan.safeMode), also
    // from Failed or Crashed (then at once, without waiting for the backoff).
    void start();
    // SIGTERM to the group, SIGKILL after stopGraceMs; Crashed/Failed -> Stopped.
    void stop();
    // Stop, then start again in the current mode (safe mode stays on).
    void restart();
    // Restarts with the plugin site-packages off sys.path; Ready is then
    // SafeMode. Forgets the crash history. start() goes back to normal mode.
    void startSafeMode();

    State state() const;
    qint64 processId() const;         // 0 when not running
    QDateTime readySince() const;     // invalid unless Ready/SafeMode
    QString url() const;              // the readiness URL, if HTTP
    QString failureReason() const;    // why Failed/Crashed, in words
    QStringList lastLogLines() const; // the tail of the backend's output
    bool safeModeSuggested() const;   // a crash loop ended in Failed
    QString logFilePath() const;      // DATA/logs/backend.log
    const BackendLaunchPlan &plan() const;

Q_SIGNALS:
    void stateChanged(deskpack::runner::BackendSupervisor::State state);
    // One line of the backend's stdout/stderr (decoded with replacement).
    void logLine(const QString &line);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace deskpack::runner
