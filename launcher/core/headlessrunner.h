// SPDX-License-Identifier: MIT
#pragma once

#include "backendcontroller.h"

#include <QElapsedTimer>
#include <QObject>

namespace deskpack::launcher {

// `--headless`: the backend supervised without a window. Backend output and
// state changes go to stderr; SIGINT/SIGTERM stop the backend, then finished()
// with 0. With `exitWhenReady`, the first Ready prints the URL and the time to
// ready on stdout, stops the backend and finishes with 0; a failure or a crash
// before ready finishes with 3 and the reason plus the last log lines on stderr.
class HeadlessRunner : public QObject
{
    Q_OBJECT
public:
    HeadlessRunner(BackendController *controller, bool exitWhenReady, QObject *parent = nullptr);

    void start();
    // Stops the backend, then finished(exitCode).
    void shutdown(int exitCode);

Q_SIGNALS:
    void finished(int exitCode);

private:
    void onStateChanged(BackendState state);

    BackendController *m_controller;
    bool m_exitWhenReady;
    bool m_shuttingDown = false;
    int m_exitCode = 0;
    QElapsedTimer m_clock;
};

// The launcher without a window (--headless, doctor, plugins, --help,
// --version): a QCoreApplication, no Qt Gui; the headless mode runs a
// HeadlessRunner until it finishes. Returns the process exit code.
int runWithoutWindow(int argc, char **argv);

} // namespace deskpack::launcher
