// SPDX-License-Identifier: MIT
#include "launcherapp.h"
#include "base/terminal.h"

#include "launcher/core/headlessrunner.h"
#include "launcher/core/launchaudit.h"
#include "launcher/core/launcheroptions.h"
#include "launcher/core/launchsession.h"
#include "launcher/core/runtimeinfo.h"
#include "launcher/core/signalwatcher.h"
#include "launcher/core/singleinstance.h"
#include "runner/python/bundleenvironment.h"
#include "statuswindow.h"

#include <QApplication>
#include <QFileInfo>
#include <QMessageBox>
#include <QPointer>
#include <QSystemTrayIcon>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <memory>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {

bool haveDisplay()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

StatusWindowOptions statusWindowOptions(const Launch &launch)
{
    StatusWindowOptions options;
    options.appName = launch.manifest.name;
    options.appVersion = launch.manifest.version;
    options.dataDir = launch.dataDir;
    options.pluginSitePackages = runner::pluginSitePackages(launch.dataDir);
    options.bundleDir = launch.bundleDir;
    options.signingPublicKey = launch.manifest.signingPublicKey;
    options.trayAvailable = QSystemTrayIcon::isSystemTrayAvailable();
    return options;
}

// The lock check reads every distribution's metadata: off the GUI thread.
std::unique_ptr<QThread> startRuntimeInspection(const Launch &launch, QPointer<StatusWindow> target)
{
    std::unique_ptr<QThread> worker(
        QThread::create([m = launch.manifest, dir = launch.bundleDir, target] {
            const RuntimeInfo info = inspectRuntime(m, dir);
            QMetaObject::invokeMethod(
                qApp,
                [target, info] {
                    if (target)
                        target->setRuntimeInfo(info);
                },
                Qt::QueuedConnection);
        }));
    worker->start();
    return worker;
}

// The plugin audit before the backend starts, off the GUI thread so the
// window shows at once; the backend starts when it is done.
std::unique_ptr<QThread> auditThenStartBackend(const Launch &launch, QPointer<StatusWindow> target)
{
    QPointer<BackendController> backend(launch.controller.get());
    return std::unique_ptr<QThread>(
        QThread::create([dir = launch.bundleDir, dataDir = launch.dataDir,
                         safe = launch.options.safeMode, target, backend] {
            const LaunchAudit audit = auditAtLaunch(dir, dataDir, safe);
            QMetaObject::invokeMethod(
                qApp,
                [target, backend, audit] {
                    if (target)
                        target->setLaunchAudit(audit);
                    if (backend)
                        backend->start();
                },
                Qt::QueuedConnection);
        }));
}

class WindowFrontEnd final : public LauncherFrontEnd
{
public:
    void setAppName(const QString &name) override
    {
        QGuiApplication::setApplicationDisplayName(name);
    }

    void showBundleError(const QString &appName, const QString &message) override
    {
        // The title ends with the display name (the app's name once it is
        // known) so that Qt does not append it a second time.
        QMessageBox box(QMessageBox::Critical,
                        u"Cannot start — %1"_s.arg(QGuiApplication::applicationDisplayName()),
                        u"%1 cannot start: its installation is damaged."_s.arg(appName),
                        QMessageBox::Close);
        box.setObjectName(u"bundleErrorDialog"_s);
        box.setInformativeText(message +
                               u"\n\nReinstall the app. To report the problem, run "
                               "\"%1 doctor -o report.zip\" and attach the zip."_s.arg(
                                   QFileInfo(QCoreApplication::applicationFilePath()).fileName()));
        box.exec();
    }

    int run(Launch &launch) override
    {
        StatusWindow window(launch.controller.get(), statusWindowOptions(launch));
        window.setIntegrity(launch.integrity);
        QApplication::setQuitOnLastWindowClosed(false);
        const auto quit = [this, &launch] {
            quitGracefully(launch);
        };
        QObject::connect(&window, &StatusWindow::quitRequested, &launch.app, quit);
        QObject::connect(&launch.signalWatcher, &SignalWatcher::received, &launch.app, quit);
        QObject::connect(&launch.instance, &SingleInstance::activationRequested, &window,
                         &StatusWindow::bringToFront);
        QObject::connect(
            &launch.instance, &SingleInstance::quitRequested, &window,
            [this, &window](const QString &reason, const SingleInstance::QuitReply &reply) {
                if (m_quitting) {
                    reply(true);
                    return;
                }
                window.askToQuit(reason, reply);
            });
        QObject::connect(&launch.instance, &SingleInstance::quitRequestWithdrawn, &window,
                         &StatusWindow::withdrawQuitQuestion);

        QPointer<StatusWindow> target(&window);
        std::unique_ptr<QThread> worker = startRuntimeInspection(launch, target);
        std::unique_ptr<QThread> auditor = auditThenStartBackend(launch, target);
        window.show();
        auditor->start();
        const int code = launch.app.exec();
        auditor->wait();
        worker->wait();
        launch.controller.reset();
        return code;
    }

private:
    // Quitting stops the backend first (at most the grace period), then exits.
    void quitGracefully(Launch &launch)
    {
        if (m_quitting)
            return;
        m_quitting = true;
        const BackendState s = launch.controller->state();
        if (s == BackendState::Stopped || s == BackendState::Failed) {
            QCoreApplication::exit(0);
            return;
        }
        QObject::connect(launch.controller.get(), &BackendController::stateChanged, &launch.app,
                         [](BackendState state) {
                             if (state == BackendState::Stopped || state == BackendState::Failed)
                                 QCoreApplication::exit(0);
                         });
        QTimer::singleShot(15000, &launch.app, [] { QCoreApplication::exit(0); });
        launch.controller->stop();
    }

    bool m_quitting = false;
};

} // namespace

int runLauncher(int argc, char **argv)
{
    if (wantsNoWindow(argc, argv))
        return runWithoutWindow(argc, argv);
    if (!haveDisplay()) {
        printText(stderr, u"launcher: no display (DISPLAY and WAYLAND_DISPLAY are not set); "
                          "run with --headless to start without a window\n"_s);
        return ExitEnvironment;
    }
    QApplication app(argc, argv);
    WindowFrontEnd frontEnd;
    return runLauncherWith(app, frontEnd);
}

} // namespace deskpack::launcher
