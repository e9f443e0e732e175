// SPDX-License-Identifier: MIT
// Renders the docs screenshots from the real window on a real bundle:
//   xvfb-run -a build/bin/launcher_screenshots BUNDLE docs/images [PLUGIN_WHEELS]
// With PLUGIN_WHEELS (tests/fixtures/plugins/make_plugin_wheels.py's output and
// a bundle whose core has deskns-base, as tst_pluginboundary builds it), the
// Plugins tab is shot with two plugins installed, then with a hand-dropped
// shadow quarantined by the launch audit.
// Starts the bundle's backend under the real supervisor, waits for it, grabs
// each tab of the status window and the window in safe mode; then makes the backend fail for real
// (a bad argument, three crashes) and grabs the failure dialog.
#include "launcher/core/backendcontroller.h"
#include "launcher/core/bundlecheck.h"
#include "launcher/core/launchaudit.h"
#include "launcher/core/runtimeinfo.h"
#include "launcher/ui/failuredialog.h"
#include "launcher/ui/pluginspanel.h"
#include "launcher/ui/statuswindow.h"
#include "runner/python/bundleenvironment.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <cstdio>

using namespace deskpack;
using namespace deskpack::launcher;
using namespace Qt::Literals::StringLiterals;

namespace {

bool waitFor(const std::function<bool()> &done, int ms)
{
    QDeadlineTimer deadline(ms);
    while (!done() && !deadline.hasExpired())
        QTest::qWait(50);
    return done();
}

bool save(QWidget *widget, const QString &path)
{
    QTest::qWait(300); // let the window settle (fonts, layout, the uptime tick)
    const bool ok = widget->grab().save(path);
    std::fprintf(stderr, "%s %s\n", ok ? "wrote" : "FAILED", qPrintable(path));
    return ok;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    if (argc != 3 && argc != 4) {
        std::fprintf(stderr, "usage: launcher_screenshots BUNDLE OUTDIR [PLUGIN_WHEELS]\n");
        return 2;
    }
    const QString wheels = argc == 4 ? QString::fromLocal8Bit(argv[3]) : QString();
    const QString bundle = QFileInfo(QString::fromLocal8Bit(argv[1])).absoluteFilePath();
    const QString out = QString::fromLocal8Bit(argv[2]);
    QDir().mkpath(out);
    QTemporaryDir data;
    Result<formats::BundleManifest> manifest = formats::readManifest(bundle);
    if (!manifest) {
        std::fprintf(stderr, "%s\n", qPrintable(manifest.error().message));
        return 3;
    }
    Result<runner::BackendLaunchPlan> plan = runner::backendLaunchPlan(bundle, data.path());
    if (!plan) {
        std::fprintf(stderr, "%s\n", qPrintable(plan.error().message));
        return 3;
    }
    runner::BackendLaunchPlan failing = *plan;

    StatusWindowOptions options;
    options.appName = manifest->name;
    options.appVersion = manifest->version;
    options.dataDir = data.path();
    options.pluginSitePackages = runner::pluginSitePackages(data.path());
    options.bundleDir = bundle;
    options.openUrl = [](const QUrl &) {
    };
    bool ok = true;
    if (!wheels.isEmpty()) {
        plugins::PluginBoundary::Options o;
        o.bundleDir = bundle;
        o.dataDir = data.path();
        Result<plugins::PluginBoundary> b = plugins::PluginBoundary::open(o);
        plugins::PluginSources local;
        local.noIndex = true;
        local.findLinks = {QFileInfo(wheels).absoluteFilePath()};
        const QList<std::pair<QString, QString>> installs = {
            {u"weather"_s, u"deskpack-demo-plugin-weather"_s}};
        for (const auto &[name, requirement] : installs) {
            Result<plugins::InstallResult> r =
                b ? b->install(name, {{requirement, u"requirements.txt"_s, 1}}, local)
                  : Result<plugins::InstallResult>(b.error());
            if (!r || !r->ok()) {
                std::fprintf(stderr, "installing %s failed\n", qPrintable(name));
                return 3;
            }
        }
    }
    // The second plugin comes through the panel while the backend runs.
    const QString cloudRequirements = data.filePath(u"cloud/requirements.txt"_s);
    QDir().mkpath(QFileInfo(cloudRequirements).absolutePath());
    if (QFile f(cloudRequirements); f.open(QIODevice::WriteOnly))
        f.write("deskns-cloud\n");
    options.askPluginInstall = [&](QWidget *) {
        return std::optional<PluginInstallRequest>(
            PluginInstallRequest{u"cloud"_s, cloudRequirements, wheels});
    };
    const auto waitForPlugins = [](StatusWindow &window) {
        return waitFor([&] { return !window.pluginsPanel()->isBusy(); }, 30000);
    };
    {
        SupervisorController controller(*plan);
        StatusWindow window(&controller, options);
        window.setIntegrity(quickIntegrityCheck(*manifest, bundle));
        window.setRuntimeInfo(inspectRuntime(*manifest, bundle));
        window.show();
        window.setLaunchAudit(auditAtLaunch(bundle, data.path(), false));
        waitForPlugins(window);
        controller.start();
        if (!waitFor([&] { return controller.state() == BackendState::Ready; }, 30000)) {
            std::fprintf(stderr, "the backend did not become ready: %s\n",
                         qPrintable(controller.failureReason()));
            return 3;
        }
        // A few requests, so the log shows traffic as it would in use.
        QNetworkAccessManager network;
        int answered = 0;
        for (const QString &path : {u"/"_s, u"/status"_s, u"/favicon.ico"_s}) {
            QNetworkReply *reply = network.get(
                QNetworkRequest(QUrl(frontPageUrl(controller.url()).chopped(1) + path)));
            QObject::connect(reply, &QNetworkReply::finished, reply, [&answered, reply] {
                ++answered;
                reply->deleteLater();
            });
        }
        waitFor([&] { return answered == 3; }, 10000);
        if (!wheels.isEmpty()) {
            window.pluginsPanel()->installFromRequirements();
            waitForPlugins(window);
        }
        QTest::qWait(1200);
        auto *tabs = window.findChild<QTabWidget *>(u"panelTabs"_s);
        const char *names[] = {"log", "runtime", "plugins"};
        for (int i = 0; i < tabs->count(); ++i) {
            tabs->setCurrentIndex(i);
            ok = save(&window, u"%1/launcher-%2.png"_s.arg(out, QLatin1StringView(names[i]))) && ok;
        }
        controller.stop();
        waitFor([&] { return controller.state() == BackendState::Stopped; }, 15000);
    }
    if (!wheels.isEmpty()) {
        // A module named like a core one, dropped in by hand: the next
        // launch's audit quarantines it before the backend starts.
        const QString shadow = data.filePath(u"site-packages/demo_greeting/__init__.py"_s);
        QDir().mkpath(QFileInfo(shadow).absolutePath());
        if (QFile f(shadow); f.open(QIODevice::WriteOnly))
            f.write("def greet(name):\n    return 'hijacked'\n");
        SupervisorController controller(*plan);
        StatusWindow window(&controller, options);
        window.setIntegrity(quickIntegrityCheck(*manifest, bundle));
        window.setRuntimeInfo(inspectRuntime(*manifest, bundle));
        window.show();
        window.setLaunchAudit(auditAtLaunch(bundle, data.path(), false));
        waitForPlugins(window);
        controller.start();
        waitFor([&] { return controller.state() == BackendState::Ready; }, 30000);
        window.findChild<QTabWidget *>(u"panelTabs"_s)->setCurrentIndex(2);
        auto *tree = window.findChild<QTreeWidget *>(u"pluginsTree"_s);
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            if (tree->topLevelItem(i)->text(2).startsWith(u"quarantined"_s))
                tree->setCurrentItem(tree->topLevelItem(i));
        QTest::qWait(1200);
        ok = save(&window, out + u"/launcher-plugins-quarantine.png"_s) && ok;
        controller.stop();
        waitFor([&] { return controller.state() == BackendState::Stopped; }, 15000);
    }
    {
        // Safe mode: the same bundle with the plugin site-packages off sys.path.
        Result<runner::BackendLaunchPlan> safe =
            runner::backendLaunchPlan(bundle, data.path(), true);
        if (!safe) {
            std::fprintf(stderr, "%s\n", qPrintable(safe.error().message));
            return 3;
        }
        SupervisorController controller(*safe);
        StatusWindow window(&controller, options);
        window.setIntegrity(quickIntegrityCheck(*manifest, bundle));
        window.setRuntimeInfo(inspectRuntime(*manifest, bundle));
        window.show();
        window.setLaunchAudit(auditAtLaunch(bundle, data.path(), true));
        waitForPlugins(window);
        controller.start();
        if (!waitFor([&] { return controller.state() == BackendState::SafeMode; }, 30000)) {
            std::fprintf(stderr, "the backend did not come up in safe mode: %s\n",
                         qPrintable(controller.failureReason()));
            return 3;
        }
        window.findChild<QTabWidget *>(u"panelTabs"_s)->setCurrentIndex(2);
        ok = save(&window, out + u"/launcher-safe-mode.png"_s) && ok;
        controller.stop();
        waitFor([&] { return controller.state() == BackendState::Stopped; }, 15000);
    }
    {
        // A real failure: an argument the demo backend rejects, three crashes.
        failing.arguments << u"--port"_s << u"not-a-port"_s;
        runner::SupervisorOptions quick;
        quick.restartInitialDelayMs = 100;
        SupervisorController controller(failing, quick);
        StatusWindow window(&controller, options);
        window.setIntegrity(quickIntegrityCheck(*manifest, bundle));
        window.setRuntimeInfo(inspectRuntime(*manifest, bundle));
        window.show();
        controller.start();
        if (!waitFor([&] { return controller.state() == BackendState::Failed; }, 30000)) {
            std::fprintf(stderr, "the backend did not fail\n");
            return 3;
        }
        ok = save(window.failureDialog(), out + u"/launcher-failure.png"_s) && ok;
        window.failureDialog()->hide();
        ok = save(&window, out + u"/launcher-failed.png"_s) && ok;
    }
    return ok ? 0 : 1;
}
