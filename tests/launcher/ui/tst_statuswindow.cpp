// SPDX-License-Identifier: MIT
// The status window as a view over a fake BackendController, on the offscreen
// platform, driven by objectName: the state label and its colour, buttons per
// state, Open, the log filter and follow mode, the failure dialog's buttons,
// and close-to-tray only where a tray exists.
#include "launcher/ui/failuredialog.h"
#include "launcher/ui/statuswindow.h"

#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>
#include <QUrl>

using namespace deskpack::launcher;
using namespace Qt::Literals::StringLiterals;

namespace {

class FakeController : public BackendController
{
    Q_OBJECT
public:
    BackendState m_state = BackendState::Stopped;
    qint64 m_pid = 0;
    QDateTime m_readySince;
    QString m_url = u"http://127.0.0.1:8765/status"_s;
    QString m_reason;
    QStringList m_tail;
    bool m_suggested = false;
    bool m_safe = false;
    QStringList calls;

    BackendState state() const override { return m_state; }
    qint64 processId() const override { return m_pid; }
    QDateTime readySince() const override { return m_readySince; }
    QString url() const override { return m_url; }
    QString failureReason() const override { return m_reason; }
    QStringList lastLogLines() const override { return m_tail; }
    bool safeModeSuggested() const override { return m_suggested; }
    bool safeMode() const override { return m_safe; }
    QString logFilePath() const override { return u"/data/logs/backend.log"_s; }
    void start() override { calls << u"start"_s; }
    void stop() override { calls << u"stop"_s; }
    void restart() override { calls << u"restart"_s; }
    void startSafeMode() override { calls << u"startSafeMode"_s; }

    void become(BackendState s, qint64 pid = 0)
    {
        m_state = s;
        m_pid = pid;
        m_readySince = (s == BackendState::Ready || s == BackendState::SafeMode)
                           ? QDateTime::currentDateTime().addSecs(-75)
                           : QDateTime();
        Q_EMIT stateChanged(s);
    }
};

} // namespace

class TestStatusWindow : public QObject
{
    Q_OBJECT

    FakeController *m_controller = nullptr;
    StatusWindow *m_window = nullptr;
    QList<QUrl> m_opened;

    void makeWindow(bool tray)
    {
        delete m_window;
        delete m_controller;
        m_opened.clear();
        m_controller = new FakeController;
        StatusWindowOptions options;
        options.appName = u"Deskpack Demo"_s;
        options.appVersion = u"1.0.0"_s;
        options.dataDir = u"/data"_s;
        options.pluginSitePackages = u"/data/site-packages"_s;
        options.trayAvailable = tray;
        options.openUrl = [this](const QUrl &url) {
            m_opened.append(url);
        };
        m_window = new StatusWindow(m_controller, options);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window));
    }
    template <typename T> T *child(const QString &name)
    {
        T *w = m_window->findChild<T *>(name);
        if (!w)
            qFatal("no widget named %s", qPrintable(name));
        return w;
    }

private Q_SLOTS:
    void init() { makeWindow(false); }
    void cleanup()
    {
        delete m_window;
        m_window = nullptr;
        delete m_controller;
        m_controller = nullptr;
    }

    void everyWidgetHasAnObjectName()
    {
        const QList<QWidget *> widgets = m_window->findChildren<QWidget *>();
        QVERIFY(widgets.size() > 20);
        for (QWidget *w : widgets) {
            // Qt's own internals (viewports, scroll bars, tab bars) are named
            // by Qt or live inside a named widget.
            if (!w->objectName().isEmpty() || w->objectName().startsWith(u"qt_"_s))
                continue;
            QWidget *p = w->parentWidget();
            const bool internal = p && (p->inherits("QAbstractScrollArea") ||
                                        p->inherits("QTabWidget") || p->inherits("QScrollBar") ||
                                        p->inherits("QLineEdit") || p->inherits("QStackedWidget"));
            QVERIFY2(internal || w->inherits("QScrollBar") || w->inherits("QTabBar") ||
                         w->inherits("QStackedWidget") || w->inherits("QMenu"),
                     qPrintable(u"unnamed %1 in %2"_s.arg(
                         QString::fromLatin1(w->metaObject()->className()),
                         p ? QString::fromLatin1(p->metaObject()->className()) : u"-"_s)));
        }
    }

    void stateLabelFollowsTheBackend_data()
    {
        QTest::addColumn<BackendState>("state");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("start");
        QTest::addColumn<bool>("stop");
        QTest::addColumn<bool>("restart");
        QTest::addColumn<bool>("open");
        QTest::newRow("stopped") << BackendState::Stopped << u"Stopped"_s << true << false << false
                                 << false;
        QTest::newRow("starting") << BackendState::Starting << u"Starting"_s << false << true
                                  << true << false;
        QTest::newRow("ready") << BackendState::Ready << u"Running"_s << false << true << true
                               << true;
        QTest::newRow("stopping") << BackendState::Stopping << u"Stopping"_s << false << false
                                  << false << false;
        QTest::newRow("crashed") << BackendState::Crashed << u"Crashed, restarting"_s << false
                                 << true << true << false;
        QTest::newRow("failed") << BackendState::Failed << u"Failed"_s << true << false << false
                                << false;
        QTest::newRow("safe mode")
            << BackendState::SafeMode << u"Running in safe mode"_s << false << true << true << true;
    }
    void stateLabelFollowsTheBackend()
    {
        QFETCH(BackendState, state);
        QFETCH(QString, text);
        QFETCH(bool, start);
        QFETCH(bool, stop);
        QFETCH(bool, restart);
        QFETCH(bool, open);
        m_controller->become(state, state == BackendState::Stopped ? 0 : 4242);
        auto *label = child<QLabel>(u"stateLabel"_s);
        QCOMPARE(label->text(), text);
        QVERIFY2(label->styleSheet().contains(stateColor(state)), qPrintable(label->styleSheet()));
        QCOMPARE(child<QPushButton>(u"startButton"_s)->isEnabled(), start);
        QCOMPARE(child<QPushButton>(u"stopButton"_s)->isEnabled(), stop);
        QCOMPARE(child<QPushButton>(u"restartButton"_s)->isEnabled(), restart);
        QCOMPARE(child<QPushButton>(u"openButton"_s)->isEnabled(), open);
        QCOMPARE(child<QLabel>(u"pidLabel"_s)->text(),
                 state == BackendState::Stopped ? u"not running"_s : u"pid 4242"_s);
        QCOMPARE(child<QLabel>(u"safeModeBanner"_s)->isVisible(), state == BackendState::SafeMode);
        const bool running = state == BackendState::Ready || state == BackendState::SafeMode;
        QCOMPARE(child<QLabel>(u"uptimeLabel"_s)->text(), running ? u"1 min 15 s"_s : u"—"_s);
        // Every transition is in the log view too.
        QVERIFY(child<QPlainTextEdit>(u"logView"_s)->toPlainText().contains(text.toLower()));
    }

    void buttonsDriveTheController()
    {
        m_controller->become(BackendState::Stopped);
        QTest::mouseClick(child<QPushButton>(u"startButton"_s), Qt::LeftButton);
        m_controller->become(BackendState::Ready, 7);
        QTest::mouseClick(child<QPushButton>(u"restartButton"_s), Qt::LeftButton);
        QTest::mouseClick(child<QPushButton>(u"stopButton"_s), Qt::LeftButton);
        QCOMPARE(m_controller->calls, (QStringList{u"start"_s, u"restart"_s, u"stop"_s}));
    }

    void openShowsTheAppsFrontPage()
    {
        m_controller->become(BackendState::Ready, 7);
        QCOMPARE(child<QLabel>(u"urlLabel"_s)->text(), u"http://127.0.0.1:8765/"_s);
        QTest::mouseClick(child<QPushButton>(u"openButton"_s), Qt::LeftButton);
        QCOMPARE(m_opened, QList<QUrl>{QUrl(u"http://127.0.0.1:8765/"_s)});
    }

    void logFilter()
    {
        for (int i = 0; i < 10; ++i)
            Q_EMIT m_controller->logLine(i % 2 ? u"GET /status 200 #%1"_s.arg(i)
                                               : u"warning: slow #%1"_s.arg(i));
        auto *filter = child<QLineEdit>(u"logFilter"_s);
        QTest::keyClicks(filter, u"WARNING"_s);
        auto *view = child<QPlainTextEdit>(u"logView"_s);
        const QStringList shown = view->toPlainText().split(u'\n');
        QCOMPARE(shown.size(), 5);
        for (const QString &line : shown)
            QVERIFY2(line.startsWith(u"warning: slow"_s), qPrintable(line));
        // New lines obey the filter as they arrive.
        Q_EMIT m_controller->logLine(u"GET / 200"_s);
        Q_EMIT m_controller->logLine(u"Warning: disk"_s);
        QCOMPARE(view->toPlainText().split(u'\n').size(), 6);
        filter->clear();
        QVERIFY(view->toPlainText().contains(u"GET / 200"_s));
    }

    void followModeKeepsTheNewestLineInView()
    {
        auto *view = child<QPlainTextEdit>(u"logView"_s);
        auto *follow = child<QCheckBox>(u"followCheck"_s);
        QVERIFY(follow->isChecked());
        for (int i = 0; i < 300; ++i)
            Q_EMIT m_controller->logLine(u"line %1"_s.arg(i));
        QScrollBar *bar = view->verticalScrollBar();
        QVERIFY(bar->maximum() > 0);
        QCOMPARE(bar->value(), bar->maximum());
        // Off: reading older lines is not interrupted by new ones.
        follow->setChecked(false);
        bar->setValue(10);
        for (int i = 0; i < 50; ++i)
            Q_EMIT m_controller->logLine(u"more %1"_s.arg(i));
        QCOMPARE(bar->value(), 10);
        follow->setChecked(true);
        QCOMPARE(bar->value(), bar->maximum());
    }

    void openLogsFolder()
    {
        QTest::mouseClick(child<QPushButton>(u"openLogsFolderButton"_s), Qt::LeftButton);
        QCOMPARE(m_opened, QList<QUrl>{QUrl::fromLocalFile(u"/data/logs"_s)});
    }

    void failureDialog_data()
    {
        QTest::addColumn<QString>("button");
        QTest::addColumn<QString>("call");
        QTest::addColumn<bool>("staysOpen");
        QTest::newRow("retry") << u"retryButton"_s << u"start"_s << false;
        QTest::newRow("safe mode") << u"safeModeButton"_s << u"startSafeMode"_s << false;
        QTest::newRow("open logs") << u"openLogsButton"_s << QString() << true;
        QTest::newRow("close") << u"closeButton"_s << QString() << false;
    }
    void failureDialog()
    {
        QFETCH(QString, button);
        QFETCH(QString, call);
        QFETCH(bool, staysOpen);
        m_controller->m_reason = u"the backend exited with code 1 before it was ready; its last "
                                 "output:\nModuleNotFoundError: No module named 'x'"_s;
        m_controller->m_tail = {u"Traceback (most recent call last):"_s,
                                u"ModuleNotFoundError: No module named 'x'"_s};
        m_controller->m_suggested = true;
        m_controller->become(BackendState::Failed);
        FailureDialog *dialog = m_window->failureDialog();
        QTRY_VERIFY(dialog->isVisible());
        // Ends with the app's name, so Qt appends no " — Deskpack Demo" of its own.
        QCOMPARE(dialog->windowTitle(), u"Could not start — Deskpack Demo"_s);
        QCOMPARE(m_window->windowTitle(), u"Deskpack Demo"_s);
        // The reason's first line as a sentence; the output it quotes is in the log box.
        QCOMPARE(dialog->findChild<QLabel *>(u"failureReason"_s)->text(),
                 u"The backend exited with code 1 before it was ready."_s);
        QCOMPARE(dialog->findChild<QPlainTextEdit *>(u"failureLog"_s)->toPlainText(),
                 m_controller->m_tail.join(u'\n'));
        QVERIFY(dialog->findChild<QPushButton *>(u"safeModeButton"_s)->isDefault());
        QTest::mouseClick(dialog->findChild<QPushButton *>(button), Qt::LeftButton);
        QCOMPARE(m_controller->calls, call.isEmpty() ? QStringList() : QStringList{call});
        QCOMPARE(dialog->isVisible(), staysOpen);
        if (button == u"openLogsButton")
            QCOMPARE(m_opened, QList<QUrl>{QUrl::fromLocalFile(u"/data/logs"_s)});
    }

    // A backend killed by a signal: the dialog's sentence names it.
    void failureDialogNamesTheSignal()
    {
        m_controller->m_reason = u"the backend was killed by SIGKILL (signal 9, killed); its last "
                                 "output:\nfakeapp: serving"_s;
        m_controller->m_tail = {u"fakeapp: serving"_s};
        m_controller->become(BackendState::Failed);
        FailureDialog *dialog = m_window->failureDialog();
        QTRY_VERIFY(dialog->isVisible());
        QCOMPARE(dialog->findChild<QLabel *>(u"failureReason"_s)->text(),
                 u"The backend was killed by SIGKILL (signal 9, killed)."_s);
    }

    void failureDialogClosesWhenTheBackendRecovers()
    {
        m_controller->become(BackendState::Failed);
        QTRY_VERIFY(m_window->failureDialog()->isVisible());
        m_controller->become(BackendState::Ready, 9);
        QVERIFY(!m_window->failureDialog()->isVisible());
    }

    void closingWithoutATrayQuits()
    {
        QVERIFY(!m_window->trayIcon());
        QSignalSpy quit(m_window, &StatusWindow::quitRequested);
        QVERIFY(m_window->close());
        QCOMPARE(quit.size(), 1);
        QVERIFY(!m_window->isVisible());
    }

    void closingWithATrayHidesToIt()
    {
        makeWindow(true);
        QVERIFY(m_window->trayIcon());
        QSignalSpy quit(m_window, &StatusWindow::quitRequested);
        QVERIFY(!m_window->close()); // ignored: hidden instead
        QVERIFY(!m_window->isVisible());
        QCOMPARE(quit.size(), 0);
        // The tray's menu brings it back and quits for real.
        QMenu *menu = m_window->trayIcon()->contextMenu();
        QVERIFY(menu);
        QAction *show = menu->findChild<QAction *>(u"trayShowAction"_s);
        QAction *restart = menu->findChild<QAction *>(u"trayRestartAction"_s);
        QAction *quitAction = menu->findChild<QAction *>(u"trayQuitAction"_s);
        QVERIFY(show && restart && quitAction);
        show->trigger();
        QVERIFY(m_window->isVisible());
        restart->trigger();
        QCOMPARE(m_controller->calls, QStringList{u"restart"_s});
        quitAction->trigger();
        QCOMPARE(quit.size(), 1);
        QVERIFY(!m_window->isVisible());
    }

    void quitFromTheTrayWhileHidden()
    {
        makeWindow(true);
        QSignalSpy quit(m_window, &StatusWindow::quitRequested);
        QVERIFY(!m_window->close());
        QVERIFY(!m_window->isVisible());
        m_window->trayIcon()->contextMenu()->findChild<QAction *>(u"trayQuitAction"_s)->trigger();
        QCOMPARE(quit.size(), 1);
    }

    void installerAsksToQuit()
    {
        QSignalSpy quit(m_window, &StatusWindow::quitRequested);
        QList<bool> replies;
        const auto reply = [&replies](bool accepted) {
            replies.append(accepted);
        };
        const auto dialog = [this] {
            return m_window->findChild<QMessageBox *>(u"quitRequestDialog"_s);
        };
        m_window->askToQuit(u"the upgrade to 1.0.1"_s, reply);
        QTRY_VERIFY(dialog() && dialog()->isVisible());
        QCOMPARE(dialog()->text(), u"Deskpack Demo must close for the upgrade to 1.0.1."_s);
        QCOMPARE(dialog()->defaultButton()->objectName(), u"quitNowButton"_s);
        dialog()->findChild<QPushButton *>(u"cancelQuitButton"_s)->click();
        QCOMPARE(replies, QList<bool>{false});
        QCOMPARE(quit.size(), 0);
        QVERIFY(m_window->isVisible());
        QTRY_VERIFY(!dialog());

        m_window->askToQuit(u"the uninstall"_s, reply);
        QTRY_VERIFY(dialog() && dialog()->isVisible());
        dialog()->findChild<QPushButton *>(u"quitNowButton"_s)->click();
        QCOMPARE(replies, (QList<bool>{false, true}));
        QCOMPARE(quit.size(), 1);
    }

    void withdrawnQuestionDoesNotQuit()
    {
        QSignalSpy quit(m_window, &StatusWindow::quitRequested);
        QList<bool> replies;
        m_window->askToQuit(u"the uninstall"_s,
                            [&replies](bool accepted) { replies.append(accepted); });
        QTRY_VERIFY(m_window->findChild<QMessageBox *>(u"quitRequestDialog"_s));
        m_window->withdrawQuitQuestion();
        QCOMPARE(replies, QList<bool>{false});
        QCOMPARE(quit.size(), 0);
        QVERIFY(m_window->isVisible());
        QTRY_VERIFY(!m_window->findChild<QMessageBox *>(u"quitRequestDialog"_s));
    }

    void runtimePanel()
    {
        RuntimeInfo info;
        info.pythonVersion = u"3.11.2"_s;
        info.distributions = 3;
        info.lockVerified = false;
        info.problems = {u"app/runtime-core-lock.json: demo-units 0.3.1 is installed at 0.3.2"_s};
        m_window->setRuntimeInfo(info);
        QCOMPARE(child<QLabel>(u"pythonVersionLabel"_s)->text(), u"3.11.2"_s);
        QCOMPARE(child<QLabel>(u"distributionCountLabel"_s)->text(), u"3"_s);
        QVERIFY(child<QLabel>(u"lockStatusLabel"_s)->text().contains(u"drift"_s));
        QCOMPARE(child<QPlainTextEdit>(u"lockProblemsView"_s)->toPlainText(),
                 info.problems.constFirst());
        info.lockVerified = true;
        info.problems.clear();
        m_window->setRuntimeInfo(info);
        QVERIFY(child<QLabel>(u"lockStatusLabel"_s)->text().contains(u"verified"_s));
        // Without a bundle the Plugins tab manages nothing and says so.
        QVERIFY(child<QLabel>(u"pluginsSummaryLabel"_s)->text().contains(u"No bundle"_s));
        QVERIFY(!child<QPushButton>(u"installPluginButton"_s)->isEnabled());
    }
};

QTEST_MAIN(TestStatusWindow)
#include "tst_statuswindow.moc"
