// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>

#include <functional>

namespace deskpack::plugins {

// Which plugin installed which distribution: site-packages/.deskpack-owners.json.
// Its atomic replacement is the commit point of every change (its
// `transaction` names the last committed change).
struct OwnerRecord
{
    struct Plugin
    {
        QStringList requirements;  // as written, after vetting
        QStringList distributions; // canonical names, sorted
    };
    QString transaction;
    QMap<QString, Plugin> plugins;

    QStringList ownersOf(const QString &canonicalName) const;
};

constexpr const char *OwnersFileName = ".deskpack-owners.json";

// A missing file is an empty record; a damaged one fails (ErrorKind::Unreadable)
// naming the file and the key.
Result<OwnerRecord> readOwners(const QString &sitePackages);
Result<void> writeOwners(const QString &sitePackages, const OwnerRecord &record);

// The layout of a data dir, as the boundary uses it.
struct DataLayout
{
    explicit DataLayout(const QString &dataDir);
    QString dataDir;
    QString sitePackages; // DATA/site-packages
    QString quarantine;   // DATA/quarantine
    QString staging;      // DATA/.plugin-staging (same file system: renames are atomic)
    QString journal;      // DATA/.plugin-journal.json
    QString lockFile;     // DATA/.plugins.lock
};

// A change to the plugin site-packages as a list of renames, recorded in a
// journal before the first one. Until the owner record naming the transaction
// is written, recover() undoes every rename done; after, it only cleans up.
struct Transaction
{
    QString id;
    QList<QPair<QString, QString>> moves; // absolute from -> to, in order
};

// Performs the moves, then writes `owners` (with owners.transaction = id),
// then removes the journal. `onMove` is called after each rename (a test seam
// for killing the process mid-commit). On a failed rename, the done ones are
// undone before returning the error.
Result<void> commitTransaction(const DataLayout &layout, Transaction transaction,
                               OwnerRecord owners,
                               const std::function<void(int done, int total)> &onMove = {});

// Settles what a killed process left: a journal is rolled back (or, when its
// owner record was written, just removed) and the staging dir is emptied.
// Returns a note for the log when it did something, else an empty string.
Result<QString> recover(const DataLayout &layout);

// Removes empty directories (and __pycache__ holding only bytecode) from each
// of `directories` up to, not including, `root`.
void pruneEmptyDirectories(const QString &root, const QStringList &directories);

// Moves `from` to `to`, creating the parents of `to`.
Result<void> moveEntry(const QString &from, const QString &to);

} // namespace deskpack::plugins
