// SPDX-License-Identifier: MIT
#pragma once

#include "aboutdialog.h"
#include "launcher/core/backendcontroller.h"
#include "launcher/core/bundlecheck.h"
#include "launcher/core/launchaudit.h"
#include "launcher/core/runtimeinfo.h"
#include "pluginspanel.h"

#include <QMainWindow>
#include <QPointer>

#include <functional>
#include <optional>

class QLabel;
class QLayout;
class QMessageBox;
class QPushButton;
class QSystemTrayIcon;
class QTabWidget;
class QTimer;
class QUrl;

namespace deskpack::launcher {

class FailureDialog;
class LogPanel;
class RuntimePanel;

struct StatusWindowOptions
{
    QString appName;
    QString appVersion;
    QString dataDir;
    QString pluginSitePackages;
    QString bundleDir;        // for the Plugins tab's boundary; empty: it manages nothing
    QString signingPublicKey; // bundle.json signing.publicKey, for the About dialog
    // The Plugins tab's install dialog (tests answer it); empty: the real dialog.
    std::function<std::optional<PluginInstallRequest>(QWidget *)> askPluginInstall;
    // Close-to-tray only where a tray exists (QSystemTrayIcon::isSystemTrayAvailable()):
    // on GNOME or a bare X server closing must quit, never leave an invisible app.
    bool trayAvailable = false;
    // QDesktopServices::openUrl unless a test records the URLs instead.
    std::function<void(const QUrl &)> openUrl;
};

// The status window: a thin view over a BackendController. State with its
// colour, pid, uptime, the URL with Open; Start/Stop/Restart enabled per
// state; tabs for the live log, the runtime and plugins; a tray icon (Show,
// Restart, Quit) where there is a tray; the failure dialog when the backend
// fails; About (version, signing key, third-party licences). Closing hides to the tray if there is
// one, else asks to quit.
class StatusWindow : public QMainWindow
{
    Q_OBJECT
public:
    StatusWindow(BackendController *controller, StatusWindowOptions options,
                 QWidget *parent = nullptr);
    ~StatusWindow() override;

    void setRuntimeInfo(const RuntimeInfo &info);
    void setIntegrity(const IntegrityReport &report);
    // The plugin audit that ran before the backend started.
    void setLaunchAudit(const LaunchAudit &audit);
    PluginsPanel *pluginsPanel() const { return m_plugins; }
    // Raise and activate: a second instance started.
    void bringToFront();
    // Quit for real (tray menu, or closing without a tray).
    void quit();
    // The installer asks the app to close ("the upgrade to 1.0.1", "the
    // uninstall"): "<App> must close for <reason>." [Quit now] [Cancel], not
    // modal to the app's loop. `reply(true)` then quit(), or `reply(false)`.
    void askToQuit(const QString &reason, const std::function<void(bool)> &reply);
    // The asker went away: closes the question without quitting.
    void withdrawQuitQuestion();

    FailureDialog *failureDialog() const { return m_failureDialog; }
    // "About <App>" (the About button): created on first use, kept while open.
    void showAbout();
    AboutDialog *aboutDialog() const { return m_about; }
    QSystemTrayIcon *trayIcon() const { return m_tray; }

Q_SIGNALS:
    void quitRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QLayout *buildHeader();
    void setUpSafeModeBanner();
    QLayout *buildFacts();
    QLayout *buildButtons();
    void setUpCentralWidget(QLayout *header, QLayout *facts, QLayout *buttons);
    void connectActions(const QString &logsDir);
    void createTray();
    void onStateChanged(BackendState state);
    void updateUptime();
    void showFailure();

    BackendController *m_controller;
    StatusWindowOptions m_options;
    QLabel *m_state;
    QLabel *m_pid;
    QLabel *m_uptime;
    QLabel *m_url;
    QLabel *m_safeModeBanner;
    QPushButton *m_open;
    QPushButton *m_start;
    QPushButton *m_stop;
    QPushButton *m_restart;
    QPushButton *m_aboutButton;
    QPointer<AboutDialog> m_about;
    QString m_pythonVersion;
    QTabWidget *m_tabs;
    LogPanel *m_log;
    RuntimePanel *m_runtime;
    PluginsPanel *m_plugins;
    QTimer *m_uptimeTimer;
    QSystemTrayIcon *m_tray = nullptr;
    FailureDialog *m_failureDialog;
    QPointer<QMessageBox> m_quitQuestion;
    bool m_quitting = false;
    bool m_trayHintShown = false;
    bool m_shown = false; // the initial state is not a transition worth logging
};

} // namespace deskpack::launcher
