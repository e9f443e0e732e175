// SPDX-License-Identifier: MIT
#include "pluginslist.h"
#include "base/wording.h"

#include "lock/lockfile.h"

#include <QColor>
#include <QHash>
#include <QTreeWidget>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {

const QColor red(u"#b91c1c"_s);
const QColor green(u"#15803d"_s);
const QColor amber(u"#b45309"_s);

using InstalledByName = QHash<QString, plugins::InstalledPluginDistribution>;

QString joinOr(const QStringList &items, const QString &none)
{
    return items.isEmpty() ? none : items.join(u", "_s);
}

QTreeWidgetItem *addPlugin(QTreeWidget *tree, const plugins::ListResult::Plugin &p,
                           const InstalledByName &installed)
{
    auto *item = new QTreeWidgetItem(tree);
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
    return item;
}

void addHandInstalled(QTreeWidget *tree, const plugins::InstalledPluginDistribution &d)
{
    auto *item = new QTreeWidgetItem(tree);
    item->setText(0, d.name);
    item->setText(1, d.version);
    item->setText(2, u"installed by hand (no plugin owns it)"_s);
    item->setData(0, KindRole, DistributionKind);
    item->setData(0, IdRole, d.name);
}

QTreeWidgetItem *addQuarantined(QTreeWidget *tree, const plugins::QuarantineEntry &q)
{
    auto *item = new QTreeWidgetItem(tree);
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
    return item;
}

} // namespace

QTreeWidgetItem *fillPluginsTree(QTreeWidget *tree, const plugins::ListResult &listed,
                                 const QString &selectedId)
{
    tree->clear();
    InstalledByName installed;
    for (const auto &d : listed.distributions)
        installed.insert(lock::canonicalName(d.name), d);
    QTreeWidgetItem *toSelect = nullptr;
    for (const auto &p : listed.plugins) {
        QTreeWidgetItem *item = addPlugin(tree, p, installed);
        if (p.name == selectedId)
            toSelect = item;
    }
    for (const auto &d : listed.distributions) {
        if (d.owners.isEmpty())
            addHandInstalled(tree, d);
    }
    for (const auto &q : listed.quarantine) {
        QTreeWidgetItem *item = addQuarantined(tree, q);
        if (q.id == selectedId)
            toSelect = item;
    }
    return toSelect;
}

QString pluginsSummary(const plugins::ListResult &listed)
{
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
    return summary;
}

} // namespace deskpack::launcher
