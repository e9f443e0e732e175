// SPDX-License-Identifier: MIT
#include "lockdiff.h"

#include <QHash>
#include <QSet>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

using nlohmann::json;

namespace deskpack::lock {

namespace {

QStringList minus(const QStringList &a, const QStringList &b)
{
    const QSet<QString> other(b.begin(), b.end());
    QStringList out;
    for (const QString &s : a) {
        if (!other.contains(s))
            out.append(s);
    }
    std::sort(out.begin(), out.end(), codePointLess);
    return out;
}

json stringList(const QStringList &list)
{
    json out = json::array();
    for (const QString &s : list)
        out.push_back(s.toStdString());
    return out;
}

bool byName(const Distribution &a, const Distribution &b)
{
    return codePointLess(canonicalName(a.name), canonicalName(b.name));
}

} // namespace

LockDiff diffLocks(const Lock &oldLock, const Lock &newLock)
{
    LockDiff diff;
    QHash<QString, const Distribution *> oldByName;
    for (const Distribution &d : oldLock.distributions)
        oldByName.insert(canonicalName(d.name), &d);
    QSet<QString> inNew;
    for (const Distribution &d : newLock.distributions) {
        const QString key = canonicalName(d.name);
        inNew.insert(key);
        const Distribution *before = oldByName.value(key);
        if (!before) {
            diff.added.append(d);
            continue;
        }
        LockDiff::Change change{d.name, before->version, d.version,
                                minus(d.topLevelModules, before->topLevelModules),
                                minus(before->topLevelModules, d.topLevelModules)};
        if (change.oldVersion != change.newVersion || !change.modulesAdded.isEmpty() ||
            !change.modulesRemoved.isEmpty())
            diff.changed.append(std::move(change));
    }
    for (const Distribution &d : oldLock.distributions) {
        if (!inNew.contains(canonicalName(d.name)))
            diff.removed.append(d);
    }
    std::sort(diff.added.begin(), diff.added.end(), byName);
    std::sort(diff.removed.begin(), diff.removed.end(), byName);
    std::sort(diff.changed.begin(), diff.changed.end(),
              [](const LockDiff::Change &a, const LockDiff::Change &b) {
                  return codePointLess(canonicalName(a.name), canonicalName(b.name));
              });
    return diff;
}

json diffToJson(const LockDiff &diff)
{
    auto entries = [](const QList<Distribution> &list) {
        json out = json::array();
        for (const Distribution &d : list)
            out.push_back({{"name", d.name.toStdString()},
                           {"version", d.version.toStdString()},
                           {"top_level_modules", stringList(d.topLevelModules)}});
        return out;
    };
    json changed = json::array();
    for (const LockDiff::Change &c : diff.changed) {
        changed.push_back({{"name", c.name.toStdString()},
                           {"old_version", c.oldVersion.toStdString()},
                           {"new_version", c.newVersion.toStdString()},
                           {"modules_added", stringList(c.modulesAdded)},
                           {"modules_removed", stringList(c.modulesRemoved)}});
    }
    return json{{"identical", diff.isEmpty()},
                {"added", entries(diff.added)},
                {"removed", entries(diff.removed)},
                {"changed", changed}};
}

QString diffToText(const LockDiff &diff)
{
    QString out;
    for (const Distribution &d : diff.added)
        out += u"+ %1 %2\n"_s.arg(d.name, d.version);
    for (const Distribution &d : diff.removed)
        out += u"- %1 %2\n"_s.arg(d.name, d.version);
    for (const LockDiff::Change &c : diff.changed) {
        if (c.oldVersion != c.newVersion)
            out += u"~ %1 %2 -> %3\n"_s.arg(c.name, c.oldVersion, c.newVersion);
        if (!c.modulesAdded.isEmpty() || !c.modulesRemoved.isEmpty()) {
            QStringList parts;
            for (const QString &m : c.modulesAdded)
                parts.append(u'+' + m);
            for (const QString &m : c.modulesRemoved)
                parts.append(u'-' + m);
            out += u"~ %1 modules: %2\n"_s.arg(c.name, parts.join(u' '));
        }
    }
    return out;
}

} // namespace deskpack::lock
