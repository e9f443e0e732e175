// SPDX-License-Identifier: MIT
#pragma once

#include "launcher/core/backendcontroller.h"
#include "launcher/core/launchaudit.h"
#include "pluginsinstalldialog.h"
#include "pluginsoperations.h"
#include "runner/plugins/pluginboundary.h"

#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

class QLabel;
class QLayout;
class QPushButton;
class QThread;
class QTreeWidget;
class QTreeWidgetItem;
class QFrame;

namespace deskpack::launcher {

struct PluginsPanelOptions
{
    QString bundleDir; // empty: no boundary (nothing to list or change)
    QString dataDir;
    QString pluginSitePackages;
    // The install dialog; tests answer it themselves. Returns nothing on Cancel.
    std::function<std::optional<PluginInstallRequest>(QWidget *parent)> askInstall;
};

// The Plugins tab: each plugin with its distributions and their status
// (installed, missing), hand-installed distributions, and the quarantine with
// the reasons; Install from requirements file…, Remove, Audit now, Restore.
// Every boundary call is blocking and runs on a worker thread, one at a time,
// with the buttons disabled and the boundary's phases as progress text. A
// change the running backend has not seen shows "Restart required" with a
// Restart backend button.
class PluginsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit PluginsPanel(PluginsPanelOptions options, QWidget *parent = nullptr);
    ~PluginsPanel() override;

    void setSafeMode(bool on);
    void setBackendState(BackendState state);
    void setLaunchAudit(const LaunchAudit &audit);

    bool isBusy() const { return m_worker != nullptr; }
    bool restartRequired() const { return m_restartRequired; }

    // The actions behind the buttons (Remove and Restore act on the selection).
    void refresh();
    void installFromRequirements();
    void removeSelected();
    void auditNow();
    void restoreSelected();

Q_SIGNALS:
    void restartRequested();
    // After each operation: what it said, whether it succeeded.
    void operationFinished(const QString &message, bool ok);

private:
    using Outcome = PluginOperationOutcome;
    using Operation = PluginOperation;

    QLayout *buildButtons();
    void buildRestartNote();
    void setUpLabels();
    void setUpTree();
    void run(const QString &what, Operation operation);
    void finish(const Outcome &outcome);
    void showList(const plugins::ListResult &listed);
    void updateButtons();
    void updateDetails();
    void setRestartRequired(bool on);
    void setMessage(const QString &text, bool error);
    QTreeWidgetItem *selectedTopLevel() const;

    PluginsPanelOptions m_options;
    QLabel *m_summary;
    QLabel *m_path;
    QLabel *m_safeMode;
    QLabel *m_auditLabel;
    QLabel *m_progress;
    QFrame *m_restartNote;
    QPushButton *m_restartBackend;
    QTreeWidget *m_tree;
    QLabel *m_details;
    QPushButton *m_install;
    QPushButton *m_remove;
    QPushButton *m_audit;
    QPushButton *m_restore;
    std::unique_ptr<QThread> m_worker;
    bool m_restartRequired = false;
    bool m_backendRunning = false;
    bool m_refreshPending = false;
};

} // namespace deskpack::launcher
