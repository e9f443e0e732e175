// SPDX-License-Identifier: MIT
// The status window's Plugins tab over the real plugin boundary on a demo
// bundle (offscreen, driven by objectName, a fake backend controller): the tree
// shows an installed plugin and its distributions; Install (the dialog
// answered by the test) runs off the GUI thread with the buttons disabled;
// Remove removes (the boundary's list() agrees); Audit now quarantines a
// hand-dropped shadow with its reason; Restore brings back an entry that fits
// again; "Restart required" appears after a change while the backend runs and
// its button restarts the backend. Each test has its own data dir and window
// (no test depends on another having run); the bundle is built once.
#include "common/pluginstestutil.h"
#include "launcher/ui/pluginspanel.h"
#include "launcher/ui/statuswindow.h"

#include <QApplication>
#include <QDirIterator>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <memory>
#include <optional>

using namespace deskpack;
using namespace deskpack::launcher;
using namespace Qt::Literals::StringLiterals;

namespace {

class FakeController : public BackendController
{
    Q_OBJECT
public:
    BackendState m_state = BackendState::Stopped;
    QStringList calls;
    BackendState state() const override { return m_state; }
    qint64 processId() const override { return m_state == BackendState::Ready ? 4242 : 0; }
    QDateTime readySince() const override { return {}; }
    QString url() const override { return u"http://127.0.0.1:8765/status"_s; }
    QString failureReason() const override { return {}; }
    QStringList lastLogLines() const override { return {}; }
    bool safeModeSuggested() const override { return false; }
    bool safeMode() const override { return false; }
    QString logFilePath() const override { return {}; }
    void start() override { calls << u"start"_s; }
    void stop() override { calls << u"stop"_s; }
    void restart() override { calls << u"restart"_s; }
    void startSafeMode() override { calls << u"startSafeMode"_s; }
    void become(BackendState s)
    {
        m_state = s;
        Q_EMIT stateChanged(s);
    }
};

QTreeWidgetItem *topLevel(QTreeWidget *tree, const QString &text)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->text(0) == text)
            return tree->topLevelItem(i);
    return nullptr;
}

QStringList childTexts(const QTreeWidgetItem *item, int column)
{
    QStringList out;
    for (int i = 0; item && i < item->childCount(); ++i)
        out << item->child(i)->text(column);
    return out;
}

void writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    f.write(data);
}

// Copies the tree FROM (hidden files and empty directories too) into TO.
bool copyTree(const QString &from, const QString &to)
{
    QDirIterator it(from, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString target = to + u'/' + QDir(from).relativeFilePath(path);
        const bool copied =
            it.fileInfo().isDir()
                ? QDir().mkpath(target)
                : QDir().mkpath(QFileInfo(target).absolutePath()) && QFile::copy(path, target);
        if (!copied)
            return false;
    }
    return true;
}

} // namespace

class TestPluginsPanel : public QObject
{
    Q_OBJECT

    QTemporaryDir m_work; // the fixture wheels and the demo bundle, built once
    QString m_bundle;
    QString m_wheels;
    QString m_seed; // a data dir where weather is installed: what each test starts from
    // Per test: its own data dir (plugin site-packages, quarantine) and window.
    std::unique_ptr<QTemporaryDir> m_data;
    std::unique_ptr<FakeController> m_controller;
    std::unique_ptr<StatusWindow> m_window;
    std::optional<PluginInstallRequest> m_answer;

    template <typename T> T *child(const QString &name)
    {
        T *w = m_window->findChild<T *>(name);
        if (!w)
            qFatal("no widget named %s", qPrintable(name));
        return w;
    }
    PluginsPanel *panel() { return m_window->pluginsPanel(); }
    QTreeWidget *tree() { return child<QTreeWidget>(u"pluginsTree"_s); }

    plugins::PluginBoundary boundary() { return boundary(m_data->path()); }
    plugins::PluginBoundary boundary(const QString &dataDir)
    {
        plugins::PluginBoundary::Options options;
        options.bundleDir = m_bundle;
        options.dataDir = dataDir;
        Result<plugins::PluginBoundary> b = plugins::PluginBoundary::open(options);
        if (!b)
            qFatal("open: %s", qPrintable(b.error().message));
        return std::move(*b);
    }

    // Clicks `button` and waits for the panel's operation to finish; returns its message.
    QString clickAndWait(const QString &button, bool *ok = nullptr)
    {
        QSignalSpy finished(panel(), &PluginsPanel::operationFinished);
        QPushButton *b = child<QPushButton>(button);
        if (!b->isEnabled())
            qFatal("%s is disabled", qPrintable(button));
        QTest::mouseClick(b, Qt::LeftButton);
        if (!finished.wait(120000) && finished.isEmpty())
            qFatal("%s: the operation did not finish", qPrintable(button));
        if (ok)
            *ok = finished.constFirst().at(1).toBool();
        return finished.constFirst().at(0).toString();
    }

    void waitIdle()
    {
        QTRY_VERIFY_WITH_TIMEOUT(!panel()->isBusy(), 60000);
        QTest::qWait(0);
    }

    // Installs PLUGIN (one requirement, DISTRIBUTION) from the fixture wheels through the
    // boundary, as the CLI would, behind the panel's back; returns an error or "".
    QString installThroughBoundary(const QString &dataDir, const QString &plugin,
                                   const QString &distribution)
    {
        plugins::PluginSources local;
        local.noIndex = true;
        local.findLinks = {m_wheels};
        Result<plugins::InstallResult> r =
            boundary(dataDir).install(plugin, {{distribution, u"r.txt"_s, 1}}, local);
        if (!r)
            return r.error().message;
        return r->ok() ? QString() : QString::fromStdString(r->toJson().dump());
    }

    // Plugin "a" (it brings sharedlib), installed while the window is open: the panel
    // shows it after a refresh and does not ask for a restart.
    QString installPluginA()
    {
        const QString error =
            installThroughBoundary(m_data->path(), u"a"_s, u"deskpack-demo-plugin-a"_s);
        if (error.isEmpty()) {
            panel()->refresh();
            waitIdle();
        }
        return error;
    }

    // The window as the launcher opens it: Plugins tab current, the backend ready, the
    // launch audit (nothing found) handed over.
    void openWindow()
    {
        m_controller = std::make_unique<FakeController>();
        StatusWindowOptions options;
        options.appName = u"Deskpack Demo"_s;
        options.appVersion = u"1.0.0"_s;
        options.dataDir = m_data->path();
        options.pluginSitePackages = m_data->filePath(u"site-packages"_s);
        options.bundleDir = m_bundle;
        options.openUrl = [](const QUrl &) {
        };
        options.askPluginInstall = [this](QWidget *) {
            return m_answer;
        };
        m_window = std::make_unique<StatusWindow>(m_controller.get(), options);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        child<QTabWidget>(u"panelTabs"_s)->setCurrentWidget(panel());
        m_controller->become(BackendState::Ready);
        LaunchAudit audit;
        m_window->setLaunchAudit(audit);
        waitIdle();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        const QString wheelError = test::makePluginWheels(m_work.path());
        QVERIFY2(wheelError.isEmpty(), qPrintable(wheelError));
        m_wheels = m_work.filePath(u"wheels"_s);
        QString error;
        m_bundle = test::buildPluginTestBundle(m_work.filePath(u"bundle"_s), m_wheels, &error);
        QVERIFY2(!m_bundle.isEmpty(), qPrintable(error));

        // Installing weather takes seconds: once here, copied into each test's data dir.
        m_seed = m_work.filePath(u"seed"_s);
        const QString installError =
            installThroughBoundary(m_seed, u"weather"_s, u"deskpack-demo-plugin-weather"_s);
        QVERIFY2(installError.isEmpty(), qPrintable(installError));
    }

    // Every test starts from a fresh data dir where one plugin, weather, is there before
    // the window opens.
    void init()
    {
        m_answer.reset();
        m_data = std::make_unique<QTemporaryDir>();
        QVERIFY(m_data->isValid());
        QVERIFY(copyTree(m_seed, m_data->path()));
        openWindow();
    }

    void cleanup()
    {
        m_window.reset();
        m_controller.reset();
        m_data.reset();
    }

    void listsTheInstalledPlugin()
    {
        QTreeWidgetItem *weather = topLevel(tree(), u"weather"_s);
        QVERIFY(weather);
        QCOMPARE(weather->text(2), u"installed"_s);
        QCOMPARE(childTexts(weather, 0),
                 (QStringList{u"deskpack_demo_plugin_weather"_s, u"weatherlib"_s}));
        QCOMPARE(childTexts(weather, 1), (QStringList{u"1.0"_s, u"2.0"_s}));
        QCOMPARE(childTexts(weather, 2), (QStringList{u"installed"_s, u"installed"_s}));
        QVERIFY(child<QLabel>(u"pluginsSummaryLabel"_s)->text().contains(u"1 plugin,"_s));
        QVERIFY(child<QLabel>(u"pluginsAuditLabel"_s)->text().contains(u"no offenders"_s));
        QVERIFY(!child<QFrame>(u"pluginsRestartNote"_s)->isVisible());
        // Nothing selected: nothing to remove or restore.
        QVERIFY(!child<QPushButton>(u"removePluginButton"_s)->isEnabled());
        QVERIFY(!child<QPushButton>(u"restorePluginButton"_s)->isEnabled());
    }

    void installRunsOffTheGuiThreadAndAsksForARestart()
    {
        writeFile(m_work.filePath(u"a/requirements.txt"_s), "deskpack-demo-plugin-a\n");
        m_answer = PluginInstallRequest{u"a"_s, m_work.filePath(u"a/requirements.txt"_s), m_wheels};
        QSignalSpy finished(panel(), &PluginsPanel::operationFinished);
        QTest::mouseClick(child<QPushButton>(u"installPluginButton"_s), Qt::LeftButton);
        // The click returned at once: the install runs on the worker, the buttons wait.
        QVERIFY(panel()->isBusy());
        QVERIFY(!child<QPushButton>(u"installPluginButton"_s)->isEnabled());
        QVERIFY(!child<QPushButton>(u"auditPluginsButton"_s)->isEnabled());
        QVERIFY(
            child<QLabel>(u"pluginsProgressLabel"_s)->text().contains(u"Installing plugin a"_s));
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.constFirst().at(1).toBool(),
                 qPrintable(finished.constFirst().at(0).toString()));
        QVERIFY(child<QLabel>(u"pluginsProgressLabel"_s)->text().contains(u"Installed plugin a"_s));
        QVERIFY(child<QPushButton>(u"installPluginButton"_s)->isEnabled());
        QVERIFY(topLevel(tree(), u"a"_s));
        QVERIFY(QFileInfo::exists(m_data->filePath(u"site-packages/sharedlib/__init__.py"_s)));

        QVERIFY(child<QFrame>(u"pluginsRestartNote"_s)->isVisible());
        QTest::mouseClick(child<QPushButton>(u"restartBackendButton"_s), Qt::LeftButton);
        QCOMPARE(m_controller->calls.value(m_controller->calls.size() - 1), u"restart"_s);
        m_controller->become(BackendState::Starting); // the new process sees the change
        QVERIFY(!child<QFrame>(u"pluginsRestartNote"_s)->isVisible());
        m_controller->become(BackendState::Ready);
    }

    void refusedInstallSaysWhy()
    {
        writeFile(m_work.filePath(u"bad/requirements.txt"_s), "sneaky\n");
        m_answer =
            PluginInstallRequest{u"bad"_s, m_work.filePath(u"bad/requirements.txt"_s), m_wheels};
        bool ok = true;
        const QString message = clickAndWait(u"installPluginButton"_s, &ok);
        QVERIFY(!ok);
        QVERIFY2(message.contains(u"demo_units_compat"_s), qPrintable(message));
        QVERIFY(!topLevel(tree(), u"bad"_s));
        QVERIFY(!child<QFrame>(u"pluginsRestartNote"_s)->isVisible());
    }

    void removeRemoves()
    {
        const QString installError = installPluginA();
        QVERIFY2(installError.isEmpty(), qPrintable(installError));
        tree()->setCurrentItem(topLevel(tree(), u"weather"_s));
        QVERIFY(child<QPushButton>(u"removePluginButton"_s)->isEnabled());
        bool ok = false;
        const QString message = clickAndWait(u"removePluginButton"_s, &ok);
        QVERIFY2(ok, qPrintable(message));
        QVERIFY(!topLevel(tree(), u"weather"_s));
        QVERIFY(topLevel(tree(), u"a"_s));
        Result<plugins::ListResult> listed = boundary().list();
        QVERIFY(listed.ok());
        QCOMPARE(listed->plugins.size(), 1);
        QCOMPARE(listed->plugins[0].name, u"a"_s);
        QVERIFY(!QFileInfo::exists(m_data->filePath(u"site-packages/weatherlib"_s)));
        QVERIFY(child<QFrame>(u"pluginsRestartNote"_s)->isVisible());
        m_controller->become(BackendState::Starting);
        m_controller->become(BackendState::Ready);
    }

    void auditQuarantinesAndRestoreBringsBack()
    {
        const QString sp = m_data->filePath(u"site-packages"_s);
        writeFile(sp + u"/demo_greeting/__init__.py"_s, "def greet(n): return 'hijacked'\n");
        bool ok = true;
        clickAndWait(u"auditPluginsButton"_s, &ok);
        QVERIFY(!ok);                                                  // it found an offender
        QTreeWidgetItem *entry = topLevel(tree(), u"demo_greeting"_s); // a stray, by name
        QVERIFY(entry);
        QCOMPARE(entry->text(2), u"quarantined"_s);
        QVERIFY2(childTexts(entry, 0).join(u'\n').contains(
                     u"shadows the module 'demo_greeting' of the core distribution"_s),
                 qPrintable(childTexts(entry, 0).join(u'\n')));
        QVERIFY(child<QLabel>(u"pluginsSummaryLabel"_s)->text().contains(u"1 in quarantine"_s));
        QVERIFY(child<QFrame>(u"pluginsRestartNote"_s)->isVisible());
        tree()->setCurrentItem(entry);
        QVERIFY(!child<QPushButton>(u"restorePluginButton"_s)->isEnabled()); // still conflicts
        QVERIFY(child<QLabel>(u"pluginDetailsLabel"_s)->isVisible());
        QVERIFY(child<QLabel>(u"pluginDetailsLabel"_s)->text().contains(u"still conflicts"_s));
        QVERIFY(!child<QPushButton>(u"removePluginButton"_s)->isEnabled());

        // Fixed by hand inside the quarantine: it fits again.
        Result<plugins::ListResult> listed = boundary().list();
        QVERIFY(listed.ok() && listed->quarantine.size() == 1);
        const QString id = listed->quarantine[0].id;
        const QString dir = m_data->filePath(u"quarantine/"_s) + id;
        QVERIFY(QDir().rename(dir + u"/files/demo_greeting"_s, dir + u"/files/my_greeting"_s));
        QFile reason(dir + u"/reason.json"_s);
        QVERIFY(reason.open(QIODevice::ReadOnly));
        nlohmann::json doc = nlohmann::json::parse(reason.readAll().toStdString(), nullptr, false);
        reason.close();
        QVERIFY(doc.is_object());
        doc["files"] = nlohmann::json::array({"my_greeting"});
        writeFile(reason.fileName(), QByteArray::fromStdString(doc.dump(2)));

        panel()->refresh();
        waitIdle();
        entry = nullptr;
        for (int i = 0; i < tree()->topLevelItemCount(); ++i)
            if (tree()->topLevelItem(i)->text(2).startsWith(u"quarantined"_s))
                entry = tree()->topLevelItem(i);
        QVERIFY(entry);
        QCOMPARE(entry->text(2), u"quarantined, restorable"_s);
        tree()->setCurrentItem(entry);
        QVERIFY(child<QPushButton>(u"restorePluginButton"_s)->isEnabled());
        const QString message = clickAndWait(u"restorePluginButton"_s, &ok);
        QVERIFY2(ok, qPrintable(message));
        QVERIFY(QFileInfo::exists(sp + u"/my_greeting/__init__.py"_s));
        Result<plugins::ListResult> after = boundary().list();
        QVERIFY(after.ok() && after->quarantine.isEmpty());
        for (int i = 0; i < tree()->topLevelItemCount(); ++i)
            QVERIFY(!tree()->topLevelItem(i)->text(2).startsWith(u"quarantined"_s));
    }

    void noRestartNoteWhileTheBackendIsStopped()
    {
        const QString installError = installPluginA();
        QVERIFY2(installError.isEmpty(), qPrintable(installError));
        m_controller->become(BackendState::Stopped);
        tree()->setCurrentItem(topLevel(tree(), u"a"_s));
        bool ok = false;
        clickAndWait(u"removePluginButton"_s, &ok);
        QVERIFY(ok);
        QVERIFY(!topLevel(tree(), u"a"_s));
        QVERIFY(!child<QFrame>(u"pluginsRestartNote"_s)->isVisible());
    }
};

QTEST_MAIN(TestPluginsPanel)
#include "tst_pluginspanel.moc"
