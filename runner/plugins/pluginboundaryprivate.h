// SPDX-License-Identifier: MIT
#pragma once

// Shared by the pluginboundary*.cpp files (check and install, remove, list,
// audit and restore): the data dir's lock and the file-tree work of a change.

#include "pluginboundary.h"
#include "pluginresolution.h"

#include <QDir>
#include <QLockFile>
#include <QPair>
#include <QSet>

#include <functional>

namespace deskpack::plugins {

// The lock on a data dir, held for the length of one change.
class PluginBoundary::Lock
{
public:
    explicit Lock(const QString &path)
        : file(path)
    {
        // A pip install can take minutes: never steal the lock by age, only
        // from a holder that is no longer running (QLockFile checks the pid).
        file.setStaleLockTime(0);
    }
    QLockFile file;
};

struct PluginBoundary::Resolution : ResolutionOutcome
{
};

namespace boundary {

nlohmann::json strings(const QStringList &list);
bool exists(const QString &path);
Error noDataDir();
Result<void> checkPluginName(const QString &plugin);
QString newTransactionId();

// Every file of a distribution to move out of `root`: its RECORD files, the
// bytecode Python wrote beside them, and its .dist-info as one entry.
QStringList entriesOf(const QString &root, const PluginDistribution &d);

// Moves that put the tree under `from` into `to`: a whole entry where `to` has
// none, recursing where both have a directory (namespace packages, bin/).
// `gone` are paths under `to` that earlier moves take away.
Result<void> planMerge(const QString &from, const QString &to, const QString &relative,
                       const QSet<QString> &gone, QList<QPair<QString, QString>> &moves);

QStringList parentsOf(const QString &root, const QStringList &relatives);

// Adds the moves that take `d` out of the plugin site-packages `root` into
// `trash`, and the entries that leave to `removedPaths`.
void moveOut(const QString &root, const QString &trash, const PluginDistribution &d,
             Transaction &transaction, QStringList &removedPaths);

// Commits `transaction`, then drops the directories its removals emptied.
Result<void> commitChange(const DataLayout &layout, const Transaction &transaction,
                          const OwnerRecord &owners, const QStringList &removedPaths,
                          const std::function<void(int done, int total)> &onMove = {});

// A change's staging dir, removed however the change ends.
struct RemoveDirOnExit
{
    QString dir;
    ~RemoveDirOnExit() { QDir(dir).removeRecursively(); }
};

} // namespace boundary

} // namespace deskpack::plugins
