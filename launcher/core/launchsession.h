// SPDX-License-Identifier: MIT
#pragma once

#include "backendcontroller.h"
#include "bundlecheck.h"
#include "launcheroptions.h"
#include "formats/bundlemanifest.h"

#include <QString>

#include <memory>

class QCoreApplication;

namespace deskpack::launcher {

class SignalWatcher;
class SingleInstance;

// A start that got past the bundle check and holds the data directory's
// single-instance lock: what the window or the headless mode runs.
struct Launch
{
    QCoreApplication &app;
    const LauncherOptions &options;
    const formats::BundleManifest &manifest;
    const QString &bundleDir;
    const QString &dataDir;
    const IntegrityReport &integrity;
    SingleInstance &instance;
    SignalWatcher &signalWatcher;
    // The front end resets it once the event loop returns: that stops the
    // backend's process group before anything else is torn down.
    std::unique_ptr<SupervisorController> &controller;
};

// What differs between a start with the status window and one without: the
// rest of a start (runLauncherWith) needs no widget.
class LauncherFrontEnd
{
public:
    virtual ~LauncherFrontEnd() = default;
    // Once bundle.json is read: window titles carry the app's name.
    virtual void setAppName(const QString &name);
    // A missing or broken bundle, already reported on stderr.
    virtual void showBundleError(const QString &appName, const QString &message);
    // Runs the event loop over the started launch; returns the exit code.
    virtual int run(Launch &launch) = 0;
};

// The launcher once its application object exists: parses the command line,
// answers --help, --version and `plugins ...`, locates and checks the bundle,
// writes `doctor` zips, takes the data directory's single-instance lock, then
// hands the launch to `frontEnd`. Returns the process exit code.
int runLauncherWith(QCoreApplication &app, LauncherFrontEnd &frontEnd);

} // namespace deskpack::launcher
