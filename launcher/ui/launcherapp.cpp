// SPDX-License-Identifier: MIT
#include "launcherapp.h"
#include "base/wording.h"

#include "launcher/core/backendcontroller.h"
#include "launcher/core/bundlecheck.h"
#include "launcher/core/doctor.h"
#include "launcher/core/headlessrunner.h"
#include "launcher/core/launchaudit.h"
#include "launcher/core/launcherlogging.h"
#include "launcher/core/launcheroptions.h"
#include "launcher/core/launcherversion.h"
#include "launcher/core/pluginscommand.h"
#include "runner/bundleenvironment.h"
#include "runner/kernellaunch.h"
#include "launcher/core/runtimeinfo.h"
#include "launcher/core/signalwatcher.h"
#include "launcher/core/singleinstance.h"
#include "statuswindow.h"

#include <QApplication>
#include <QDir>
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

void printErr(const QString &text)
{
    std::fputs(text.toLocal8Bit().constData(), stderr);
    std::fflush(stderr);
}

bool haveDisplay()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

// A broken or missing bundle: stderr always, a dialog too when there is a window.
int reportBundleError(const QString &appName, const QString &message, bool gui)
{
    printErr(u"launcher: %1\n"_s.arg(message));
    if (gui) {
        QMessageBox box(QMessageBox::Critical, u"%1 cannot start"_s.arg(appName),
                        u"%1 cannot start: its installation is damaged."_s.arg(appName),
                        QMessageBox::Close);
        box.setObjectName(u"bundleErrorDialog"_s);
        box.setInformativeText(message +
                               u"\n\nReinstall the app. To report the problem, run "
                               "\"%1 doctor -o report.zip\" and attach the zip."_s.arg(
                                   QFileInfo(QCoreApplication::applicationFilePath()).fileName()));
        box.exec();
    }
    return ExitEnvironment;
}

int runDoctor(const LauncherOptions &options, const QString &bundleDir)
{
    DoctorInput input;
    input.bundleDir = bundleDir;
    input.output = options.output;
    QString appId = QFileInfo(QCoreApplication::applicationFilePath()).fileName();
    if (Result<runner::BundleManifest> m = runner::readManifest(bundleDir))
        appId = m->id;
    input.dataDir = options.dataDir.isEmpty() ? runner::defaultDataDir(appId)
                                              : QFileInfo(options.dataDir).absoluteFilePath();
    Result<DoctorResult> written = writeDoctorZip(input);
    if (!written) {
        printErr(u"doctor: %1\n"_s.arg(written.error().message));
        return exitCodeFor(written.error().kind);
    }
    printErr(u"doctor: wrote %1 (%2 entries: %3)\n"_s.arg(options.output)
                 .arg(written->entries.size())
                 .arg(written->entries.join(u", "_s)));
    return ExitOk;
}

struct Started
{
    runner::BundleManifest manifest;
    QString bundleDir;
    QString dataDir;
    IntegrityReport integrity;
};

} // namespace

int runLauncher(int argc, char **argv)
{
    const bool noWindow = wantsNoWindow(argc, argv);
    if (!noWindow && !haveDisplay()) {
        printErr(u"launcher: no display (DISPLAY and WAYLAND_DISPLAY are not set); "
                 "run with --headless to start without a window\n"_s);
        return ExitEnvironment;
    }
    std::unique_ptr<QCoreApplication> app = noWindow
                                                ? std::make_unique<QCoreApplication>(argc, argv)
                                                : std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setApplicationVersion(launcherVersion());
    const bool gui = !noWindow;

    Result<LauncherOptions> parsed = parseLauncherArguments(app->arguments().mid(1));
    if (!parsed) {
        const QStringList arguments = app->arguments();
        if (arguments.contains(u"plugins"_s))
            return reportPluginsUsageError(parsed.error().message, arguments.contains(u"--json"_s));
        printErr(u"launcher: %1 (see --help)\n"_s.arg(parsed.error().message));
        return ExitUsage;
    }
    const LauncherOptions &options = *parsed;
    switch (options.command) {
    case LauncherOptions::Command::Help:
        std::fputs(options.helpText.toLocal8Bit().constData(), stdout);
        return ExitOk;
    case LauncherOptions::Command::Version:
        std::printf("deskpack-launcher %s\n", qPrintable(launcherVersion()));
        return ExitOk;
    case LauncherOptions::Command::Plugins:
        // Beside a running app too: the boundary has its own lock per data dir.
        return runPluginsCommand(options, QCoreApplication::applicationDirPath());
    default:
        break;
    }

    Result<QString> bundleDir =
        locateBundle(options.bundleDir, QCoreApplication::applicationDirPath());
    if (!bundleDir)
        return reportBundleError(u"This app"_s, bundleDir.error().message, gui);
    if (options.command == LauncherOptions::Command::Doctor)
        return runDoctor(options, *bundleDir);

    Result<runner::BundleManifest> manifest = runner::readManifest(*bundleDir);
    if (!manifest)
        return reportBundleError(u"This app"_s, manifest.error().message, gui);
    QCoreApplication::setApplicationName(manifest->id);
    QGuiApplication::setApplicationDisplayName(manifest->name);
    const QString dataDir = options.dataDir.isEmpty()
                                ? runner::defaultDataDir(manifest->id)
                                : QFileInfo(options.dataDir).absoluteFilePath();
    SingleInstance instance(dataDir);
    switch (instance.acquire()) {
    case SingleInstance::Role::Error:
        printErr(u"launcher: %1\n"_s.arg(instance.errorString()));
        return ExitEnvironment;
    case SingleInstance::Role::Secondary:
        if (instance.activatePrimary()) {
            printErr(u"launcher: %1 is already running for %2; brought it forward\n"_s.arg(
                manifest->name, dataDir));
            return ExitOk;
        }
        printErr(u"launcher: another launcher holds %1/launcher.lock but does not answer\n"_s.arg(
            dataDir));
        return ExitEnvironment;
    case SingleInstance::Role::Primary:
        break;
    }
    installLauncherLog(dataDir, true);
    qCInfo(lcLauncher, "deskpack-launcher %s: bundle %s, data %s", qPrintable(launcherVersion()),
           qPrintable(*bundleDir), qPrintable(dataDir));

    // Sizes and modes every start; every hash on --verify or after an update.
    const QString stampDir = defaultStampDir();
    IntegrityReport integrity;
    if (options.verify || fullCheckDue(*bundleDir, stampDir)) {
        Result<IntegrityReport> full = fullIntegrityCheck(*manifest, *bundleDir);
        if (!full)
            return reportBundleError(manifest->name, full.error().message, gui);
        integrity = *full;
        if (integrity.ok())
            recordFullCheck(*bundleDir, stampDir);
    } else {
        integrity = quickIntegrityCheck(*manifest, *bundleDir);
    }
    for (const QString &w : std::as_const(integrity.warnings))
        qCWarning(lcLauncher, "%s", qPrintable(w));
    if (!integrity.ok()) {
        QString message = integrity.problems.constFirst();
        if (integrity.problems.size() > 1)
            message += u" (and %1 more)"_s.arg(
                counted(integrity.problems.size() - 1, u"problem"_s, u"problems"_s));
        return reportBundleError(manifest->name, message, gui);
    }
    qCInfo(lcLauncher, "bundle: %s", qPrintable(integrity.summary()));

    Result<runner::BackendLaunchPlan> plan =
        runner::backendLaunchPlan(*bundleDir, dataDir, options.safeMode);
    if (!plan)
        return reportBundleError(manifest->name, plan.error().message, gui);
    auto controller = std::make_unique<SupervisorController>(std::move(*plan));
    SignalWatcher signals;

    if (!gui) {
        auditAtLaunch(*bundleDir, dataDir, options.safeMode);
        HeadlessRunner runner(controller.get(), options.exitWhenReady);
        QObject::connect(&signals, &SignalWatcher::received, &runner, [&runner](int number) {
            printErr(u"launcher: signal %1\n"_s.arg(number));
            runner.shutdown(0);
        });
        QObject::connect(&runner, &HeadlessRunner::finished, app.get(),
                         [](int code) { QCoreApplication::exit(code); });
        QObject::connect(&instance, &SingleInstance::activationRequested, &runner, [] {
            printErr(
                u"launcher: another instance asked to come forward (headless: nothing to show)\n"_s);
        });
        runner.start();
        const int code = app->exec();
        controller.reset(); // stops the backend's group if it still runs
        return code;
    }

    StatusWindowOptions windowOptions;
    windowOptions.appName = manifest->name;
    windowOptions.appVersion = manifest->version;
    windowOptions.dataDir = dataDir;
    windowOptions.pluginSitePackages = runner::pluginSitePackages(dataDir);
    windowOptions.bundleDir = *bundleDir;
    windowOptions.trayAvailable = QSystemTrayIcon::isSystemTrayAvailable();
    StatusWindow window(controller.get(), windowOptions);
    window.setIntegrity(integrity);
    QApplication::setQuitOnLastWindowClosed(false);

    // Quitting stops the backend first (at most the grace period), then exits.
    bool quitting = false;
    auto quitGracefully = [&] {
        if (quitting)
            return;
        quitting = true;
        const BackendState s = controller->state();
        if (s == BackendState::Stopped || s == BackendState::Failed) {
            QCoreApplication::exit(0);
            return;
        }
        QObject::connect(controller.get(), &BackendController::stateChanged, app.get(),
                         [](BackendState state) {
                             if (state == BackendState::Stopped || state == BackendState::Failed)
                                 QCoreApplication::exit(0);
                         });
        QTimer::singleShot(15000, app.get(), [] { QCoreApplication::exit(0); });
        controller->stop();
    };
    QObject::connect(&window, &StatusWindow::quitRequested, app.get(), quitGracefully);
    QObject::connect(&signals, &SignalWatcher::received, app.get(), quitGracefully);
    QObject::connect(&instance, &SingleInstance::activationRequested, &window,
                     &StatusWindow::bringToFront);

    // The lock check reads every distribution's metadata: off the GUI thread.
    QPointer<StatusWindow> target(&window);
    std::unique_ptr<QThread> worker(QThread::create([m = *manifest, dir = *bundleDir, target] {
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

    // The plugin audit before the backend starts, off the GUI thread so the
    // window shows at once; the backend starts when it is done.
    QPointer<BackendController> backend(controller.get());
    std::unique_ptr<QThread> auditor(
        QThread::create([dir = *bundleDir, dataDir, safe = options.safeMode, target, backend] {
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

    window.show();
    auditor->start();
    const int code = app->exec();
    auditor->wait();
    worker->wait();
    controller.reset();
    return code;
}

} // namespace deskpack::launcher
