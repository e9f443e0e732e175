// SPDX-License-Identifier: MIT
#pragma once

#include "runner/plugins/pluginboundary.h"

#include <QString>
#include <Qt>

class QTreeWidget;
class QTreeWidgetItem;

namespace deskpack::launcher {

// What the Plugins tab's tree keeps on each top-level item (column 0).
enum PluginsTreeRole
{
    KindRole = Qt::UserRole, // PluginKind, DistributionKind or QuarantineKind
    IdRole,                  // the plugin, distribution or quarantine id
    RestorableRole,
    DetailsRole, // rich text shown under the tree for the selection
};
constexpr int PluginKind = 1;
constexpr int DistributionKind = 2;
constexpr int QuarantineKind = 3;

// Replaces the tree's items with the listing: each plugin with its
// distributions, hand-installed distributions, then the quarantine with its
// reasons. Returns the new top-level item whose id is `selectedId`, if any.
QTreeWidgetItem *fillPluginsTree(QTreeWidget *tree, const plugins::ListResult &listed,
                                 const QString &selectedId);

// The line above the tree: plugins, distributions, quarantine.
QString pluginsSummary(const plugins::ListResult &listed);

} // namespace deskpack::launcher
