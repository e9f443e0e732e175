// SPDX-License-Identifier: MIT
#pragma once

#include "lockfile.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace deskpack::lock {

// What changed between two locks, matched by canonical name.
struct LockDiff
{
    struct Change
    {
        QString name; // as the new lock spells it
        QString oldVersion;
        QString newVersion;
        QStringList modulesAdded;
        QStringList modulesRemoved;
    };

    QList<Distribution> added;
    QList<Distribution> removed;
    QList<Change> changed; // version and/or modules changed

    bool isEmpty() const { return added.isEmpty() && removed.isEmpty() && changed.isEmpty(); }
};

LockDiff diffLocks(const Lock &oldLock, const Lock &newLock);

nlohmann::json diffToJson(const LockDiff &diff);
// One line per change: "+ name version", "- name version",
// "~ name old -> new", "~ name modules: +a -b".
QString diffToText(const LockDiff &diff);

} // namespace deskpack::lock
