// SPDX-License-Identifier: MIT
#include "pluginspanel.h"
#include "base/wording.h"

#include "lock/lockfile.h"
#include "pluginsinstalldialog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
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

namespace {

using plugins::PluginBoundary;

enum Role
{
    KindRole = Qt::UserRole,
    IdRole,
    RestorableRole,
    DetailsRole,
};
constexpr int PluginKind = 1;
constexpr int DistributionKind = 2;
constexpr int QuarantineKind = 3;

QString joinOr(const QStringList &items, const QString &none)
{
    return items.isEmpty() ? none : items.join(u", "_s);
}

} // namespace

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
        Outcome outcome;
        Result<PluginBoundary> boundary = PluginBoundary::open(options);
        if (!boundary) {
            outcome = {boundary.error().message, false, false, std::nullopt, {}};
        } else {
            if (operation)
                outcome = operation(*boundary);
            Result<plugins::ListResult> listed = boundary->list();
            if (listed)
                outcome.listed = std::move(*listed);
            else
                outcome.listError = listed.error().message;
        }
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
    const QString selected = [this] {
        const QTreeWidgetItem *top = selectedTopLevel();
        return top ? top->data(0, IdRole).toString() : QString();
    }();
    m_tree->clear();
    QHash<QString, plugins::InstalledPluginDistribution> installed;
    for (const auto &d : listed.distributions)
        installed.insert(lock::canonicalName(d.name), d);
    const QColor red(u"#b91c1c"_s), green(u"#15803d"_s), amber(u"#b45309"_s);
    QTreeWidgetItem *toSelect = nullptr;
    for (const auto &p : listed.plugins) {
        auto *item = new QTreeWidgetItem(m_tree);
        item->setText(0, p.name);
        item->setText(2, p.missing.isEmpty()
                             ? u"installed"_s
                             : u"incomplete: %1 missing"_s.arg(p.missing.join(u", "_s)));
        item->setForeground(2, p.missing.isEmpty() ? green : red);
        item->setToolTip(0, u"Requirements: %1"_s.arg(joinOr(p.requirements, u"none"_s)));
        item->setData(
            0, DetailsRole,
            u"<b>%1</b> requires %2."_s.arg(p.name.toHtmlEscaped(),
                                            joinOr(p.requirements, u"nothing"_s).toHtmlEscaped()));
        item->setData(0, KindRole, PluginKind);
        item->setData(0, IdRole, p.name);
        QFont f = item->font(0);
        f.setBold(true);
        item->setFont(0, f);
        for (const QString &d : p.distributions) {
            auto *child = new QTreeWidgetItem(item);
            const auto it = installed.constFind(d);
            const bool missing = p.missing.contains(d) || it == installed.cend();
            child->setText(0, it == installed.cend() ? d : it->name);
            child->setText(1, it == installed.cend() ? QString() : it->version);
            child->setText(2, missing ? u"missing"_s : u"installed"_s);
            child->setForeground(2, missing ? red : green);
            if (it != installed.cend() && it->owners.size() > 1)
                child->setToolTip(0, u"Shared by %1"_s.arg(it->owners.join(u", "_s)));
        }
        if (p.name == selected)
            toSelect = item;
    }
    for (const auto &d : listed.distributions) {
        if (!d.owners.isEmpty())
            continue;
        auto *item = new QTreeWidgetItem(m_tree);
        item->setText(0, d.name);
        item->setText(1, d.version);
        item->setText(2, u"installed by hand (no plugin owns it)"_s);
        item->setData(0, KindRole, DistributionKind);
        item->setData(0, IdRole, d.name);
    }
    for (const auto &q : listed.quarantine) {
        auto *item = new QTreeWidgetItem(m_tree);
        // A stray entry (no distribution) goes by the file or folder it was.
        const QString entryName = q.reasons.isEmpty() ? q.id : q.reasons.constFirst().entry;
        item->setText(0, q.distribution.isEmpty() ? entryName : q.distribution);
        item->setText(1, q.version);
        item->setText(2, q.restorable ? u"quarantined, restorable"_s : u"quarantined"_s);
        item->setForeground(2, q.restorable ? amber : red);
        item->setToolTip(0, u"Quarantine entry %1, since %2"_s.arg(q.id, q.quarantinedAt));
        item->setData(0, KindRole, QuarantineKind);
        item->setData(0, IdRole, q.id);
        item->setData(0, RestorableRole, q.restorable);
        QStringList reasons;
        for (const plugins::Offense &o : q.reasons)
            reasons << u"• "_s + o.message.toHtmlEscaped();
        item->setData(0, DetailsRole,
                      u"<b>Quarantined</b> %1 as <code>%2</code>: %3<br>%4"_s.arg(
                          q.quarantinedAt.toHtmlEscaped(), q.id.toHtmlEscaped(),
                          q.restorable ? u"it no longer conflicts; Restore moves it back."_s
                                       : u"it still conflicts with the app's core."_s,
                          reasons.join(u"<br>"_s)));
        for (const plugins::Offense &o : q.reasons) {
            auto *reason = new QTreeWidgetItem(item);
            reason->setText(0, o.message);
            reason->setToolTip(0, o.message);
            reason->setFirstColumnSpanned(true);
        }
        if (q.id == selected)
            toSelect = item;
    }
    m_tree->expandAll();
    if (toSelect)
        m_tree->setCurrentItem(toSelect);
    updateDetails();
    int restorable = 0;
    for (const auto &q : listed.quarantine)
        restorable += q.restorable ? 1 : 0;
    QString summary =
        listed.plugins.isEmpty()
            ? u"No plugins installed."_s
            : counted(listed.plugins.size(), u"plugin"_s, u"plugins"_s) + u", "_s +
                  counted(listed.distributions.size(), u"distribution"_s, u"distributions"_s) +
                  u" in the plugin site-packages."_s;
    if (!listed.quarantine.isEmpty())
        summary += u" %1 in quarantine%2."_s.arg(listed.quarantine.size())
                       .arg(restorable ? u" (%1 restorable)"_s.arg(restorable) : QString());
    m_summary->setText(summary);
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
    run(u"Installing plugin %1"_s.arg(request->plugin), [request = *request](PluginBoundary &b) {
        Outcome out;
        Result<QList<plugins::RequirementLine>> requirements =
            plugins::readRequirementsFile(request.requirements);
        if (!requirements)
            return Outcome{requirements.error().message, false, false, std::nullopt, {}};
        plugins::PluginSources sources;
        if (!request.findLinks.isEmpty()) {
            sources.findLinks = {QFileInfo(request.findLinks).absoluteFilePath()};
            sources.noIndex = true;
        }
        Result<plugins::InstallResult> r = b.install(request.plugin, *requirements, sources);
        if (!r)
            return Outcome{r.error().message, false, false, std::nullopt, {}};
        if (!r->ok()) {
            QStringList why;
            for (const plugins::Clash &c : r->clashes)
                why << c.message();
            for (const plugins::Offense &o : r->offenses)
                why << o.message;
            out.message = u"Refused, nothing changed: %1"_s.arg(why.join(u"; "_s));
            out.ok = false;
            return out;
        }
        out.message = u"Installed plugin %1: %2."_s.arg(
            request.plugin, joinOr(r->installed, u"nothing new (the core has it all)"_s));
        out.restartRequired = r->restartRequired;
        return out;
    });
}

void PluginsPanel::removeSelected()
{
    const QTreeWidgetItem *top = selectedTopLevel();
    if (!top || top->data(0, KindRole).toInt() != PluginKind)
        return;
    const QString plugin = top->data(0, IdRole).toString();
    run(u"Removing plugin %1"_s.arg(plugin), [plugin](PluginBoundary &b) {
        Result<plugins::RemoveResult> r = b.remove(plugin);
        if (!r)
            return Outcome{r.error().message, false, false, std::nullopt, {}};
        QString message = u"Removed plugin %1: %2"_s.arg(plugin, joinOr(r->removed, u"—"_s));
        if (!r->kept.isEmpty())
            message += u"; kept %1"_s.arg(r->kept.join(u", "_s));
        return Outcome{message + u'.', true, r->restartRequired, std::nullopt, {}};
    });
}

void PluginsPanel::auditNow()
{
    run(u"Auditing the plugin site-packages"_s, [](PluginBoundary &b) {
        Result<plugins::AuditResult> r = b.audit();
        if (!r)
            return Outcome{r.error().message, false, false, std::nullopt, {}};
        QString message = r->quarantined.isEmpty()
                              ? u"Audit: no offenders."_s
                              : u"Audit: quarantined %1."_s.arg(
                                    counted(r->quarantined.size(), u"offender"_s, u"offenders"_s));
        return Outcome{message, r->quarantined.isEmpty(), r->restartRequired(), std::nullopt, {}};
    });
}

void PluginsPanel::restoreSelected()
{
    const QTreeWidgetItem *top = selectedTopLevel();
    if (!top || top->data(0, KindRole).toInt() != QuarantineKind)
        return;
    const QString id = top->data(0, IdRole).toString();
    run(u"Restoring %1"_s.arg(id), [id](PluginBoundary &b) {
        Result<plugins::QuarantineEntry> r = b.restore(id);
        if (!r)
            return Outcome{r.error().message, false, false, std::nullopt, {}};
        return Outcome{
            u"Restored %1 into the plugin site-packages."_s.arg(id), true, true, std::nullopt, {}};
    });
}

} // namespace deskpack::launcher
