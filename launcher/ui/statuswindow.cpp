// SPDX-License-Identifier: MIT
#include "statuswindow.h"

#include "aboutdialog.h"
#include "appicon.h"
#include "failuredialog.h"
#include "logpanel.h"
#include "panels.h"
#include "pluginspanel.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDir>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {

QLabel *rowLabel(const QString &text, const QString &name, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setObjectName(name);
    return label;
}

QString formatUptime(qint64 seconds)
{
    if (seconds < 60)
        return u"%1 s"_s.arg(seconds);
    if (seconds < 3600)
        return u"%1 min %2 s"_s.arg(seconds / 60).arg(seconds % 60);
    return u"%1 h %2 min"_s.arg(seconds / 3600).arg((seconds % 3600) / 60);
}

} // namespace

StatusWindow::StatusWindow(BackendController *controller, StatusWindowOptions options,
                           QWidget *parent)
    : QMainWindow(parent)
    , m_controller(controller)
    , m_options(std::move(options))
    , m_state(new QLabel(this))
    , m_pid(new QLabel(this))
    , m_uptime(new QLabel(this))
    , m_url(new QLabel(this))
    , m_safeModeBanner(new QLabel(this))
    , m_open(new QPushButton(u"Open"_s, this))
    , m_start(new QPushButton(u"Start"_s, this))
    , m_stop(new QPushButton(u"Stop"_s, this))
    , m_restart(new QPushButton(u"Restart"_s, this))
    , m_aboutButton(new QPushButton(u"About"_s, this))
    , m_tabs(new QTabWidget(this))
    , m_uptimeTimer(new QTimer(this))
    , m_failureDialog(new FailureDialog(m_options.appName, this))
{
    if (!m_options.openUrl)
        m_options.openUrl = [](const QUrl &url) {
            QDesktopServices::openUrl(url);
        };
    setObjectName(u"statusWindow"_s);
    setWindowTitle(m_options.appName);
    setWindowIcon(appIcon(m_options.appName, {}));
    const QString logsDir = QDir(m_options.dataDir).filePath(u"logs"_s);
    m_log = new LogPanel(logsDir, m_options.openUrl, this);
    m_runtime = new RuntimePanel(this);
    m_runtime->setDataDir(m_options.dataDir);
    m_plugins = new PluginsPanel(PluginsPanelOptions{m_options.bundleDir, m_options.dataDir,
                                                     m_options.pluginSitePackages,
                                                     m_options.askPluginInstall},
                                 this);

    QLayout *header = buildHeader();
    setUpSafeModeBanner();
    QLayout *facts = buildFacts();
    QLayout *buttons = buildButtons();
    m_tabs->setObjectName(u"panelTabs"_s);
    m_tabs->addTab(m_log, u"Log"_s);
    m_tabs->addTab(m_runtime, u"Runtime"_s);
    m_tabs->addTab(m_plugins, u"Plugins"_s);

    setUpCentralWidget(header, facts, buttons);
    connectActions(logsDir);
    if (m_options.trayAvailable)
        createTray();
    onStateChanged(m_controller->state());
    m_shown = true;
}

// Icon, name and version, the state badge on the right.
QLayout *StatusWindow::buildHeader()
{
    auto *iconLabel = new QLabel(this);
    iconLabel->setObjectName(u"appIconLabel"_s);
    iconLabel->setPixmap(appIcon(m_options.appName, {}).pixmap(48, 48));
    auto *name = new QLabel(m_options.appName, this);
    name->setObjectName(u"appNameLabel"_s);
    QFont big = name->font();
    big.setPointSizeF(big.pointSizeF() * 1.5);
    big.setBold(true);
    name->setFont(big);
    auto *version = new QLabel(u"Version %1"_s.arg(m_options.appVersion), this);
    version->setObjectName(u"appVersionLabel"_s);
    version->setStyleSheet(u"color: palette(mid);"_s);
    auto *titles = new QVBoxLayout;
    titles->setSpacing(0);
    titles->addWidget(name);
    titles->addWidget(version);
    m_state->setObjectName(u"stateLabel"_s);
    m_state->setAlignment(Qt::AlignCenter);
    m_state->setMinimumWidth(150);
    auto *header = new QHBoxLayout;
    header->setSpacing(12);
    header->addWidget(iconLabel);
    header->addLayout(titles, 1);
    header->addWidget(m_state, 0, Qt::AlignVCenter);
    return header;
}

void StatusWindow::setUpSafeModeBanner()
{
    m_safeModeBanner->setObjectName(u"safeModeBanner"_s);
    m_safeModeBanner->setText(
        u"Safe mode: the backend runs without the plugins' packages. Stop, then Start to "
        "leave it."_s);
    m_safeModeBanner->setWordWrap(true);
    m_safeModeBanner->setStyleSheet(u"background:#dbeafe; color:#1e3a8a; border:1px solid "
                                    "#93c5fd; border-radius:4px; padding:6px 10px;"_s);
    m_safeModeBanner->setVisible(false);
}

// The facts and the address.
QLayout *StatusWindow::buildFacts()
{
    m_pid->setObjectName(u"pidLabel"_s);
    m_pid->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_uptime->setObjectName(u"uptimeLabel"_s);
    m_url->setObjectName(u"urlLabel"_s);
    m_url->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_open->setObjectName(u"openButton"_s);
    m_open->setToolTip(u"Open the app in the web browser"_s);
    auto *urlRow = new QHBoxLayout;
    urlRow->setSpacing(8);
    urlRow->addWidget(m_url);
    urlRow->addWidget(m_open);
    urlRow->addStretch(1);
    auto *facts = new QFormLayout;
    facts->setLabelAlignment(Qt::AlignRight);
    facts->setHorizontalSpacing(16);
    facts->setVerticalSpacing(6);
    facts->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    facts->addRow(rowLabel(u"Address:"_s, u"addressCaption"_s, this), urlRow);
    facts->addRow(rowLabel(u"Process:"_s, u"processCaption"_s, this), m_pid);
    facts->addRow(rowLabel(u"Uptime:"_s, u"uptimeCaption"_s, this), m_uptime);
    return facts;
}

QLayout *StatusWindow::buildButtons()
{
    m_start->setObjectName(u"startButton"_s);
    m_start->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_stop->setObjectName(u"stopButton"_s);
    m_stop->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    m_restart->setObjectName(u"restartButton"_s);
    m_restart->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_restart);
    buttons->addStretch(1);
    m_aboutButton->setObjectName(u"aboutButton"_s);
    m_aboutButton->setToolTip(
        u"About %1: version, signing key, third-party licences"_s.arg(m_options.appName));
    buttons->addWidget(m_aboutButton);
    return buttons;
}

void StatusWindow::setUpCentralWidget(QLayout *header, QLayout *facts, QLayout *buttons)
{
    auto *central = new QWidget(this);
    central->setObjectName(u"centralWidget"_s);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(16, 14, 16, 14);
    layout->setSpacing(12);
    layout->addLayout(header);
    layout->addWidget(m_safeModeBanner);
    layout->addLayout(facts);
    layout->addLayout(buttons);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);
    resize(820, 600);
    setMinimumSize(560, 420);
}

void StatusWindow::connectActions(const QString &logsDir)
{
    connect(m_start, &QPushButton::clicked, m_controller, &BackendController::start);
    connect(m_stop, &QPushButton::clicked, m_controller, &BackendController::stop);
    connect(m_restart, &QPushButton::clicked, m_controller, &BackendController::restart);
    connect(m_open, &QPushButton::clicked, this,
            [this] { m_options.openUrl(QUrl(frontPageUrl(m_controller->url()))); });
    connect(m_aboutButton, &QPushButton::clicked, this, &StatusWindow::showAbout);
    connect(m_controller, &BackendController::stateChanged, this, &StatusWindow::onStateChanged);
    connect(m_controller, &BackendController::logLine, m_log, &LogPanel::appendLine);
    connect(m_uptimeTimer, &QTimer::timeout, this, &StatusWindow::updateUptime);
    m_uptimeTimer->setInterval(1000);

    connect(m_plugins, &PluginsPanel::restartRequested, m_controller, &BackendController::restart);
    connect(m_failureDialog, &FailureDialog::retryRequested, m_controller,
            &BackendController::start);
    connect(m_failureDialog, &FailureDialog::safeModeRequested, m_controller,
            &BackendController::startSafeMode);
    connect(m_failureDialog, &FailureDialog::openLogsRequested, this,
            [this, logsDir] { m_options.openUrl(QUrl::fromLocalFile(logsDir)); });
}

void StatusWindow::createTray()
{
    m_tray = new QSystemTrayIcon(appIcon(m_options.appName, {}), this);
    m_tray->setObjectName(u"trayIcon"_s);
    auto *menu = new QMenu(this);
    menu->setObjectName(u"trayMenu"_s);
    QAction *show = menu->addAction(u"Show"_s, this, &StatusWindow::bringToFront);
    show->setObjectName(u"trayShowAction"_s);
    QAction *restart = menu->addAction(u"Restart"_s, m_controller, &BackendController::restart);
    restart->setObjectName(u"trayRestartAction"_s);
    menu->addSeparator();
    QAction *quitAction = menu->addAction(u"Quit"_s, this, &StatusWindow::quit);
    quitAction->setObjectName(u"trayQuitAction"_s);
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger)
                    bringToFront();
            });
    m_tray->show();
}

StatusWindow::~StatusWindow() = default;

void StatusWindow::setRuntimeInfo(const RuntimeInfo &info)
{
    m_runtime->setRuntimeInfo(info);
    m_pythonVersion = info.pythonVersion;
}

void StatusWindow::showAbout()
{
    if (!m_about) {
        m_about = new AboutDialog(AboutFacts{m_options.appName, m_options.appVersion,
                                             m_pythonVersion, m_options.signingPublicKey,
                                             m_options.bundleDir, appIcon(m_options.appName, {})},
                                  this);
        m_about->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_about->show();
    m_about->raise();
    m_about->activateWindow();
}

void StatusWindow::setIntegrity(const IntegrityReport &report)
{
    m_runtime->setIntegrity(report);
}

void StatusWindow::setLaunchAudit(const LaunchAudit &audit)
{
    m_plugins->setLaunchAudit(audit);
    if (!audit.ok() || !audit.result.quarantined.isEmpty())
        m_log->appendLine(u"── launcher: "_s + audit.summary());
}

void StatusWindow::bringToFront()
{
    if (isMinimized())
        showNormal();
    else
        show();
    raise();
    activateWindow();
}

void StatusWindow::quit()
{
    m_quitting = true;
    if (isVisible()) {
        close(); // closeEvent() asks to quit
        return;
    }
    Q_EMIT quitRequested(); // hidden in the tray: no close event to wait for
}

void StatusWindow::askToQuit(const QString &reason, const std::function<void(bool)> &reply)
{
    bringToFront();
    auto *box = new QMessageBox(QMessageBox::Question, m_options.appName,
                                u"%1 must close for %2."_s.arg(m_options.appName, reason),
                                QMessageBox::NoButton, this);
    box->setObjectName(u"quitRequestDialog"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(u"Quit now stops the app; your data is kept."_s);
    QPushButton *quitNow = box->addButton(u"Quit now"_s, QMessageBox::AcceptRole);
    quitNow->setObjectName(u"quitNowButton"_s);
    box->addButton(QMessageBox::Cancel)->setObjectName(u"cancelQuitButton"_s);
    box->setDefaultButton(quitNow);
    withdrawQuitQuestion(); // one question at a time: the newest asker gets the answer
    m_quitQuestion = box;
    connect(box, &QMessageBox::finished, this, [this, box, quitNow, reply] {
        const bool accepted = box->clickedButton() == quitNow;
        reply(accepted);
        if (accepted)
            quit();
    });
    box->open();
}

void StatusWindow::withdrawQuitQuestion()
{
    if (m_quitQuestion)
        m_quitQuestion->reject(); // no button clicked: answered "refused" to nobody
}

void StatusWindow::closeEvent(QCloseEvent *event)
{
    if (m_tray && !m_quitting) {
        hide();
        if (!m_trayHintShown) {
            m_trayHintShown = true;
            m_tray->showMessage(m_options.appName,
                                u"Still running in the background. Quit from this icon's menu."_s,
                                QSystemTrayIcon::Information, 4000);
        }
        event->ignore();
        return;
    }
    m_quitting = true;
    event->accept();
    Q_EMIT quitRequested();
}

void StatusWindow::onStateChanged(BackendState state)
{
    const QString color = stateColor(state);
    m_state->setText(stateText(state));
    m_state->setProperty("state", int(state));
    m_state->setStyleSheet(u"QLabel { color: white; background: %1; border-radius: 12px; "
                           "padding: 5px 14px; font-weight: 600; }"_s.arg(color));
    const bool running = state == BackendState::Ready || state == BackendState::SafeMode;
    const bool idle = state == BackendState::Stopped || state == BackendState::Failed;
    m_start->setEnabled(idle);
    m_stop->setEnabled(!idle && state != BackendState::Stopping);
    m_restart->setEnabled(running || state == BackendState::Crashed ||
                          state == BackendState::Starting);
    const QString url = m_controller->url();
    m_open->setEnabled(running && !url.isEmpty());
    m_url->setText(url.isEmpty() ? u"(no web address: heartbeat or TCP readiness)"_s
                                 : frontPageUrl(url));
    const qint64 pid = m_controller->processId();
    m_pid->setText(pid > 0 ? u"pid %1"_s.arg(pid) : u"not running"_s);
    m_safeModeBanner->setVisible(state == BackendState::SafeMode);
    m_plugins->setSafeMode(state == BackendState::SafeMode || m_controller->safeMode());
    m_plugins->setBackendState(state);
    if (running)
        m_uptimeTimer->start();
    else
        m_uptimeTimer->stop();
    updateUptime();
    if (m_tray) {
        m_tray->setIcon(appIcon(m_options.appName, color));
        m_tray->setToolTip(u"%1: %2"_s.arg(m_options.appName, stateText(state)));
    }
    if (m_shown || state != BackendState::Stopped)
        m_log->appendLine(u"── launcher: %1%2"_s.arg(
            stateText(state).toLower(),
            state == BackendState::Starting && pid > 0 ? u" (pid %1)"_s.arg(pid) : QString()));
    if (state == BackendState::Failed)
        showFailure();
    else if (running && m_failureDialog->isVisible())
        m_failureDialog->hide();
}

void StatusWindow::updateUptime()
{
    const QDateTime since = m_controller->readySince();
    const BackendState s = m_controller->state();
    if (!since.isValid() || (s != BackendState::Ready && s != BackendState::SafeMode)) {
        m_uptime->setText(u"—"_s);
        return;
    }
    m_uptime->setText(formatUptime(since.secsTo(QDateTime::currentDateTime())));
}

void StatusWindow::showFailure()
{
    m_failureDialog->setFailure(m_controller->failureReason(), m_controller->lastLogLines(),
                                m_controller->safeModeSuggested());
    if (isVisible())
        bringToFront();
    m_failureDialog->show();
    m_failureDialog->raise();
}

} // namespace deskpack::launcher
