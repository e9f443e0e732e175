// SPDX-License-Identifier: MIT
#include "launchsession.h"
#include "base/terminal.h"
#include "base/wording.h"

#include "doctor.h"
#include "launcherlogging.h"
#include "launcherversion.h"
#include "pluginscommand.h"
#include "runner/python/bundleenvironment.h"
#include "formats/appid.h"
#include "signalwatcher.h"
#include "singleinstance.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <cstdio>
#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {

// A broken or missing bundle: stderr always, and whatever the front end shows.
int reportBundleError(LauncherFrontEnd &frontEnd, const QString &appName, const QString &message)
{
    printText(stderr, u"launcher: %1\n"_s.arg(message));
    frontEnd.showBundleError(appName, message);
    return ExitEnvironment;
}

int reportUsageError(const QString &message, const QStringList &arguments)
{
    if (arguments.contains(u"plugins"_s))
        return reportPluginsUsageError(message, arguments.contains(u"--json"_s));
    printText(stderr, u"launcher: %1 (see --help)\n"_s.arg(message));
    return ExitUsage;
}

// --help, --version and `plugins ...`: no bundle check, no lock of our own.
std::optional<int> runBundlelessCommand(const LauncherOptions &options)
{
    switch (options.command) {
    case LauncherOptions::Command::Help:
        printText(stdout, options.helpText);
        return ExitOk;
    case LauncherOptions::Command::Version:
        std::printf("deskpack-launcher %s\n", qPrintable(launcherVersion()));
        return ExitOk;
    case LauncherOptions::Command::Plugins:
        // Beside a running app too: the boundary has its own lock per data dir.
        return runPluginsCommand(options, QCoreApplication::applicationDirPath());
    default:
        return std::nullopt;
    }
}

int runDoctor(const LauncherOptions &options, const QString &bundleDir)
{
    DoctorInput input;
    input.bundleDir = bundleDir;
    input.output = options.output;
    QString appId = QFileInfo(QCoreApplication::applicationFilePath()).fileName();
    if (Result<formats::BundleManifest> m = formats::readManifest(bundleDir))
        appId = m->id;
    input.dataDir = options.dataDir.isEmpty() ? defaultDataDir(appId)
                                              : QFileInfo(options.dataDir).absoluteFilePath();
    Result<DoctorResult> written = writeDoctorZip(input);
    if (!written) {
        printText(stderr, u"doctor: %1\n"_s.arg(written.error().message));
        return exitCodeFor(written.error().kind);
    }
    printText(stderr, u"doctor: wrote %1 (%2 entries: %3)\n"_s.arg(options.output)
                 .arg(written->entries.size())
                 .arg(written->entries.join(u", "_s)));
    return ExitOk;
}

// Nothing when this launcher holds the data directory; otherwise the exit code.
std::optional<int> becomePrimary(SingleInstance &instance, const QString &appName,
                                 const QString &dataDir)
{
    switch (instance.acquire()) {
    case SingleInstance::Role::Error:
        printText(stderr, u"launcher: %1\n"_s.arg(instance.errorString()));
        return ExitEnvironment;
    case SingleInstance::Role::Secondary:
        if (instance.activatePrimary()) {
            printText(stderr, u"launcher: %1 is already running for %2; brought it forward\n"_s.arg(
                appName, dataDir));
            return ExitOk;
        }
        printText(stderr, u"launcher: another launcher holds %1/launcher.lock but does not answer\n"_s.arg(
            dataDir));
        return ExitEnvironment;
    case SingleInstance::Role::Primary:
        break;
    }
    return std::nullopt;
}

// Sizes and modes every start; every hash on --verify or after an update. The
// error is the message the user sees.
Result<IntegrityReport> checkBundle(const formats::BundleManifest &manifest,
                                    const QString &bundleDir, bool verify)
{
    const QString stampDir = defaultStampDir();
    IntegrityReport integrity;
    if (verify || fullCheckDue(bundleDir, stampDir)) {
        Result<IntegrityReport> full = fullIntegrityCheck(manifest, bundleDir);
        if (!full)
            return full.error();
        integrity = *full;
        if (integrity.ok())
            recordFullCheck(bundleDir, stampDir);
    } else {
        integrity = quickIntegrityCheck(manifest, bundleDir);
    }
    for (const QString &w : std::as_const(integrity.warnings))
        qCWarning(lcLauncher, "%s", qPrintable(w));
    if (!integrity.ok()) {
        QString message = integrity.problems.constFirst();
        if (integrity.problems.size() > 1)
            message += u" (and %1 more)"_s.arg(
                counted(integrity.problems.size() - 1, u"problem"_s, u"problems"_s));
        return makeError(ErrorKind::Environment, message);
    }
    qCInfo(lcLauncher, "bundle: %s", qPrintable(integrity.summary()));
    return integrity;
}

// From the lock to the front end: the data directory is ours from here on.
int startBackend(QCoreApplication &app, LauncherFrontEnd &frontEnd, const LauncherOptions &options,
                 const formats::BundleManifest &manifest, const QString &bundleDir)
{
    const QString dataDir = options.dataDir.isEmpty()
                                ? defaultDataDir(manifest.id)
                                : QFileInfo(options.dataDir).absoluteFilePath();
    SingleInstance instance(dataDir);
    if (std::optional<int> code = becomePrimary(instance, manifest.name, dataDir))
        return *code;
    installLauncherLog(dataDir, true);
    qCInfo(lcLauncher, "deskpack-launcher %s: bundle %s, data %s", qPrintable(launcherVersion()),
           qPrintable(bundleDir), qPrintable(dataDir));
    Result<IntegrityReport> integrity = checkBundle(manifest, bundleDir, options.verify);
    if (!integrity)
        return reportBundleError(frontEnd, manifest.name, integrity.error().message);
    Result<runner::BackendLaunchPlan> plan =
        runner::backendLaunchPlan(bundleDir, dataDir, options.safeMode);
    if (!plan)
        return reportBundleError(frontEnd, manifest.name, plan.error().message);
    auto controller = std::make_unique<SupervisorController>(std::move(*plan));
    SignalWatcher signalWatcher;
    Launch launch{app,        options,  manifest,      bundleDir, dataDir,
                  *integrity, instance, signalWatcher, controller};
    return frontEnd.run(launch);
}

} // namespace

void LauncherFrontEnd::setAppName(const QString &) {}

void LauncherFrontEnd::showBundleError(const QString &, const QString &) {}

int runLauncherWith(QCoreApplication &app, LauncherFrontEnd &frontEnd)
{
    QCoreApplication::setApplicationVersion(launcherVersion());
    Result<LauncherOptions> parsed = parseLauncherArguments(app.arguments().mid(1));
    if (!parsed)
        return reportUsageError(parsed.error().message, app.arguments());
    const LauncherOptions &options = *parsed;
    if (std::optional<int> code = runBundlelessCommand(options))
        return *code;

    Result<QString> bundleDir =
        locateBundle(options.bundleDir, QCoreApplication::applicationDirPath());
    if (!bundleDir)
        return reportBundleError(frontEnd, u"This app"_s, bundleDir.error().message);
    if (options.command == LauncherOptions::Command::Doctor)
        return runDoctor(options, *bundleDir);
    Result<formats::BundleManifest> manifest = formats::readManifest(*bundleDir);
    if (!manifest)
        return reportBundleError(frontEnd, u"This app"_s, manifest.error().message);
    QCoreApplication::setApplicationName(manifest->id);
    frontEnd.setAppName(manifest->name);
    return startBackend(app, frontEnd, options, *manifest, *bundleDir);
}

} // namespace deskpack::launcher
