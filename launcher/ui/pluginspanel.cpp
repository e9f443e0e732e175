// SPDX-License-Identifier: MIT
#include "pluginspanel.h"

#include "pluginsinstalldialog.h"
#include "pluginslist.h"

#include <QCoreApplication>
#include <QDir>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QStyle>
#include <QThread>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

using plugins::PluginBoundary;

PluginsPanel::PluginsPanel(PluginsPanelOptions options, QWidget *parent)
    : QWidget(parent)
    , m_options(std::move(options))
    , m_summary(new QLabel(this))
    , m_path(new QLabel(this))
    , m_safeMode(new QLabel(this))
    , m_auditLabel(new QLabel(this))
    , m_progress(new QLabel(this))
    , m_restartNote(new QFrame(this))
    , m_restartBackend(new QPushButton(u"Restart backend"_s, m_restartNote))
    , m_tree(new QTreeWidget(this))
    , m_details(new QLabel(this))
    , m_install(new QPushButton(u"Install from requirements file…"_s, this))
    , m_remove(new QPushButton(u"Remove"_s, this))
    , m_audit(new QPushButton(u"Audit now"_s, this))
    , m_restore(new QPushButton(u"Restore"_s, this))
{
    setObjectName(u"pluginsPanel"_s);
    if (!m_options.askInstall)
        m_options.askInstall = askPluginInstall;

    setUpLabels();
    buildRestartNote();
    setUpTree();
    QLayout *buttons = buildButtons();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 16, 16, 16);
    layout->setSpacing(8);
    layout->addWidget(m_summary);
    layout->addWidget(m_path);
    layout->addWidget(m_safeMode);
    layout->addWidget(m_auditLabel);
    layout->addWidget(m_restartNote);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_details);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    setSafeMode(false);

    connect(m_install, &QPushButton::clicked, this, &PluginsPanel::installFromRequirements);
    connect(m_remove, &QPushButton::clicked, this, &PluginsPanel::removeSelected);
    connect(m_audit, &QPushButton::clicked, this, &PluginsPanel::auditNow);
    connect(m_restore, &QPushButton::clicked, this, &PluginsPanel::restoreSelected);
    connect(m_restartBackend, &QPushButton::clicked, this, &PluginsPanel::restartRequested);
    connect(m_tree, &QTreeWidget::itemSelectionChanged, this, [this] {
        updateButtons();
        updateDetails();
    });
    updateButtons();
    if (m_options.bundleDir.isEmpty())
        m_summary->setText(u"No bundle: plugins cannot be managed here."_s);
}

void PluginsPanel::setUpLabels()
{
    m_summary->setObjectName(u"pluginsSummaryLabel"_s);
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);
    m_summary->setText(u"Reading the plugin site-packages…"_s);
    m_path->setObjectName(u"pluginSitePackagesLabel"_s);
    m_path->setText(u"Plugin site-packages: %1"_s.arg(m_options.pluginSitePackages));
    m_path->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_path->setWordWrap(true);
    m_path->setStyleSheet(u"color: palette(mid);"_s);
    m_safeMode->setObjectName(u"pluginsSafeModeLabel"_s);
    m_safeMode->setWordWrap(true);
    m_auditLabel->setObjectName(u"pluginsAuditLabel"_s);
    m_auditLabel->setWordWrap(true);
    m_auditLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_auditLabel->setVisible(false);
    m_progress->setObjectName(u"pluginsProgressLabel"_s);
    m_progress->setWordWrap(true);
    m_progress->setTextInteractionFlags(Qt::TextSelectableByMouse);
}

void PluginsPanel::buildRestartNote()
{
    m_restartNote->setObjectName(u"pluginsRestartNote"_s);
    m_restartNote->setStyleSheet(u"QFrame#pluginsRestartNote { background:#fef3c7; border:1px "
                                 "solid #fcd34d; border-radius:4px; }"_s);
    auto *noteText = new QLabel(
        u"Restart required: the running backend does not see this change yet."_s, m_restartNote);
    noteText->setObjectName(u"pluginsRestartText"_s);
    noteText->setStyleSheet(u"color:#78350f;"_s);
    noteText->setWordWrap(true);
    m_restartBackend->setObjectName(u"restartBackendButton"_s);
    m_restartBackend->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    auto *noteLayout = new QHBoxLayout(m_restartNote);
    noteLayout->setContentsMargins(10, 6, 6, 6);
    noteLayout->addWidget(noteText, 1);
    noteLayout->addWidget(m_restartBackend);
    m_restartNote->setVisible(false);
}

void PluginsPanel::setUpTree()
{
    m_tree->setObjectName(u"pluginsTree"_s);
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({u"Plugin / distribution"_s, u"Version"_s, u"Status"_s});
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(true);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_tree->setColumnWidth(0, 300);
    m_tree->setColumnWidth(1, 90);

    m_details->setObjectName(u"pluginDetailsLabel"_s);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setVisible(false);
}

QLayout *PluginsPanel::buildButtons()
{
    m_install->setObjectName(u"installPluginButton"_s);
    m_install->setIcon(style()->standardIcon(QStyle::SP_DialogOpenButton));
    m_remove->setObjectName(u"removePluginButton"_s);
    m_remove->setIcon(style()->standardIcon(QStyle::SP_TrashIcon));
    m_audit->setObjectName(u"auditPluginsButton"_s);
    m_audit->setIcon(style()->standardIcon(QStyle::SP_FileDialogContentsView));
    m_restore->setObjectName(u"restorePluginButton"_s);
    m_restore->setIcon(style()->standardIcon(QStyle::SP_DialogResetButton));
    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(8);
    buttons->addWidget(m_install);
    buttons->addWidget(m_remove);
    buttons->addWidget(m_restore);
    buttons->addStretch(1);
    buttons->addWidget(m_audit);
    return buttons;
}

PluginsPanel::~PluginsPanel()
{
    if (m_worker)
        m_worker->wait();
}

void PluginsPanel::setSafeMode(bool on)
{
    m_safeMode->setText(on ? u"Safe mode: the plugin site-packages is off sys.path; the "
                             "backend runs without the plugins."_s
                           : u"Safe mode: off. Plugins load after the app's own packages."_s);
}

void PluginsPanel::setBackendState(BackendState state)
{
    // Starting counts: the new process may already have read the plugin site-packages.
    m_backendRunning = state == BackendState::Ready || state == BackendState::SafeMode ||
                       state == BackendState::Starting;
    // A fresh backend process sees the plugin site-packages as it is now.
    if (state == BackendState::Starting || state == BackendState::Stopped ||
        state == BackendState::Failed)
        setRestartRequired(false);
}

void PluginsPanel::setLaunchAudit(const LaunchAudit &audit)
{
    QString text = u"At launch: "_s + audit.summary().toHtmlEscaped();
    for (const plugins::QuarantineEntry &q : audit.result.quarantined)
        text += u"<br>• "_s + describeQuarantineEntry(q).toHtmlEscaped();
    const bool bad = !audit.ok() || !audit.result.quarantined.isEmpty();
    m_auditLabel->setText(bad ? u"<span style=\"color:#b91c1c\">%1</span>"_s.arg(text) : text);
    m_auditLabel->setVisible(true);
    refresh();
}

void PluginsPanel::setMessage(const QString &text, bool error)
{
    m_progress->setText(error
                            ? u"<span style=\"color:#b91c1c\">%1</span>"_s.arg(text.toHtmlEscaped())
                            : text.toHtmlEscaped());
}

void PluginsPanel::setRestartRequired(bool on)
{
    m_restartRequired = on;
    m_restartNote->setVisible(on);
}

QTreeWidgetItem *PluginsPanel::selectedTopLevel() const
{
    QTreeWidgetItem *item = m_tree->currentItem();
    if (!item || !item->isSelected())
        return nullptr;
    while (item->parent())
        item = item->parent();
    return item;
}

void PluginsPanel::updateButtons()
{
    const bool idle = !m_worker && !m_options.bundleDir.isEmpty();
    const QTreeWidgetItem *top = selectedTopLevel();
    const int kind = top ? top->data(0, KindRole).toInt() : 0;
    m_install->setEnabled(idle);
    m_audit->setEnabled(idle);
    m_remove->setEnabled(idle && kind == PluginKind);
    m_restore->setEnabled(idle && kind == QuarantineKind && top->data(0, RestorableRole).toBool());
    m_restartBackend->setEnabled(m_backendRunning);
}

void PluginsPanel::updateDetails()
{
    const QTreeWidgetItem *top = selectedTopLevel();
    const QString details = top ? top->data(0, DetailsRole).toString() : QString();
    m_details->setText(details);
    m_details->setVisible(!details.isEmpty());
}

void PluginsPanel::run(const QString &what, Operation operation)
{
    if (m_options.bundleDir.isEmpty())
        return;
    if (m_worker) {
        m_refreshPending = m_refreshPending || !operation; // a list after this one
        return;
    }
    setMessage(what + u"…"_s, false);
    PluginBoundary::Options options;
    options.bundleDir = m_options.bundleDir;
    options.dataDir = m_options.dataDir;
    options.logFile = QDir(m_options.dataDir).filePath(u"logs/plugins.log"_s);
    QDir().mkpath(QDir(m_options.dataDir).filePath(u"logs"_s));
    QPointer<PluginsPanel> self(this);
    options.onPhase = [self, what](const QString &phase) {
        QMetaObject::invokeMethod(
            qApp,
            [self, what, phase] {
                if (self)
                    self->setMessage(u"%1: %2…"_s.arg(what, phase), false);
            },
            Qt::QueuedConnection);
    };
    m_worker.reset(QThread::create([self, options, operation] {
        const Outcome outcome = runPluginOperation(options, operation);
        QMetaObject::invokeMethod(
            qApp,
            [self, outcome] {
                if (self)
                    self->finish(outcome);
            },
            Qt::QueuedConnection);
    }));
    updateButtons();
    m_worker->start();
}

void PluginsPanel::finish(const Outcome &outcome)
{
    if (m_worker) {
        m_worker->wait();
        m_worker.reset();
    }
    if (outcome.listed)
        showList(*outcome.listed);
    else if (!outcome.listError.isEmpty())
        m_summary->setText(u"Cannot read the plugin site-packages: %1"_s.arg(outcome.listError));
    QString message = outcome.message;
    bool ok = outcome.ok;
    if (message.isEmpty() && !outcome.listError.isEmpty()) {
        message = outcome.listError;
        ok = false;
    }
    setMessage(message, !ok);
    if (outcome.restartRequired && m_backendRunning)
        setRestartRequired(true);
    updateButtons();
    Q_EMIT operationFinished(message, ok);
    if (std::exchange(m_refreshPending, false))
        refresh();
}

void PluginsPanel::showList(const plugins::ListResult &listed)
{
    const QTreeWidgetItem *top = selectedTopLevel();
    const QString selected = top ? top->data(0, IdRole).toString() : QString();
    QTreeWidgetItem *toSelect = fillPluginsTree(m_tree, listed, selected);
    m_tree->expandAll();
    if (toSelect)
        m_tree->setCurrentItem(toSelect);
    updateDetails();
    m_summary->setText(pluginsSummary(listed));
    updateButtons();
}

void PluginsPanel::refresh()
{
    run(u"Reading the plugin site-packages"_s, {});
}

void PluginsPanel::installFromRequirements()
{
    if (m_worker)
        return;
    const std::optional<PluginInstallRequest> request = m_options.askInstall(this);
    if (!request)
        return;
    run(u"Installing plugin %1"_s.arg(request->plugin), installPluginOperation(*request));
}

void PluginsPanel::removeSelected()
{
    const QTreeWidgetItem *top = selectedTopLevel();
    if (!top || top->data(0, KindRole).toInt() != PluginKind)
        return;
    const QString plugin = top->data(0, IdRole).toString();
    run(u"Removing plugin %1"_s.arg(plugin), removePluginOperation(plugin));
}

void PluginsPanel::auditNow()
{
    run(u"Auditing the plugin site-packages"_s, auditPluginsOperation());
}

void PluginsPanel::restoreSelected()
{
    const QTreeWidgetItem *top = selectedTopLevel();
    if (!top || top->data(0, KindRole).toInt() != QuarantineKind)
        return;
    const QString id = top->data(0, IdRole).toString();
    run(u"Restoring %1"_s.arg(id), restorePluginOperation(id));
}

} // namespace deskpack::launcher
