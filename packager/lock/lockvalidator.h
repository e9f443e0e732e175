// SPDX-License-Identifier: MIT
#pragma once

#include "lockfile.h"
#include "sitepackages.h"

#include <QList>
#include <QString>

namespace deskpack::lock {

// Rules that need nothing but the lock: duplicate canonical names, whitespace
// in names or versions, unsorted or repeated modules. Distribution order and
// empty module lists are warnings (schema 1 readers accept them).
QList<Problem> checkLockRules(const Lock &lock, const QString &lockName);

// The lock against what is installed: locked distributions missing or at
// another version, installed ones absent from the lock, modules that resolve
// to no file or directory in any of the directories.
QList<Problem> checkAgainstInstalled(const Lock &lock, const QString &lockName,
                                     const InstalledSet &installed);

// A lock file checked on its own (schema, rules) and, when `sitePackages` is
// not empty, against what those directories hold (their conflicts included).
// What `deskpack lock validate` and `deskpack verify` both report. A lock or a
// directory that cannot be read fails with ErrorKind::Unreadable.
struct LockFileCheck
{
    ParsedLock parsed;
    QList<Problem> problems;
};
Result<LockFileCheck> checkLockFile(const QString &lockPath, const QStringList &sitePackages);

// A distribution as some other observer (an interpreter) reports it.
struct ObservedDistribution
{
    QString name;
    QString version;
    QString path;
};

// The lock against what an interpreter's importlib.metadata sees. `observer`
// names it in messages ("/usr/bin/python3").
QList<Problem> checkAgainstObserved(const Lock &lock, const QString &lockName,
                                    const QList<ObservedDistribution> &observed,
                                    const QString &observer);

} // namespace deskpack::lock
