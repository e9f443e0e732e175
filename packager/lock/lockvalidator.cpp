// SPDX-License-Identifier: MIT
#include "lockvalidator.h"

#include <QHash>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::lock {

namespace {

bool hasWhitespace(const QString &s)
{
    return std::any_of(s.begin(), s.end(), [](QChar c) { return c.isSpace(); });
}

QString entryPath(const QString &lockName, std::size_t index, const Distribution &d)
{
    return u"%1: distributions[%2] (%3)"_s.arg(lockName).arg(index).arg(d.name);
}

Problem error(const char *code, QString where, QString message)
{
    return Problem{Severity::Error, QString::fromLatin1(code), std::move(where),
                   std::move(message)};
}

Problem warning(const char *code, QString where, QString message)
{
    return Problem{Severity::Warning, QString::fromLatin1(code), std::move(where),
                   std::move(message)};
}

QString directoriesText(const InstalledSet &installed)
{
    QStringList dirs;
    for (const SitePackagesIndex &index : installed.indexes)
        dirs.append(index.directory());
    return dirs.join(u", "_s);
}

// The rules for one entry on its own: no whitespace, modules sorted and
// unique, at least one module.
void checkEntry(const Distribution &d, const QString &lockName, std::size_t i,
                QList<Problem> &problems)
{
    // Built only when there is something to report: most entries have nothing.
    const auto where = [&] {
        return entryPath(lockName, i, d);
    };
    if (hasWhitespace(d.name))
        problems.append(
            error("whitespace", where(), u"name \"%1\" contains whitespace"_s.arg(d.name)));
    if (hasWhitespace(d.version))
        problems.append(
            error("whitespace", where(), u"version \"%1\" contains whitespace"_s.arg(d.version)));
    for (qsizetype m = 1; m < d.topLevelModules.size(); ++m) {
        const QString &prev = d.topLevelModules[m - 1];
        const QString &cur = d.topLevelModules[m];
        if (!codePointLess(prev, cur)) {
            problems.append(error("unsorted-modules", where(),
                                  prev == cur ? u"top_level_modules lists \"%1\" twice"_s.arg(cur)
                                              : u"top_level_modules not sorted: \"%1\" comes "
                                                "before \"%2\""_s.arg(prev, cur)));
            break;
        }
    }
    for (const QString &m : d.topLevelModules) {
        if (hasWhitespace(m))
            problems.append(
                error("whitespace", where(), u"module \"%1\" contains whitespace"_s.arg(m)));
    }
    if (d.topLevelModules.isEmpty())
        problems.append(warning("no-modules", where(),
                                u"no top_level_modules: plugins are not kept "
                                "from shadowing this distribution's modules"_s));
}

// The first distribution out of order, if any.
void checkDistributionOrder(const Lock &lock, const QString &lockName, QList<Problem> &problems)
{
    for (std::size_t i = 1; i < lock.distributions.size(); ++i) {
        const Distribution &prev = lock.distributions[i - 1];
        const Distribution &cur = lock.distributions[i];
        if (distributionLess(cur, prev)) {
            problems.append(
                warning("unsorted-distributions",
                        u"%1: distributions[%2] (%3)"_s.arg(lockName).arg(i).arg(cur.name),
                        u"distributions are not sorted by name: %1 comes after %2"_s.arg(
                            cur.name, prev.name)));
            return;
        }
    }
}

} // namespace

QList<Problem> checkLockRules(const Lock &lock, const QString &lockName)
{
    QList<Problem> problems;
    QHash<QString, std::size_t> firstIndex;
    for (std::size_t i = 0; i < lock.distributions.size(); ++i) {
        const Distribution &d = lock.distributions[i];
        const QString key = canonicalName(d.name);
        const auto seen = firstIndex.constFind(key);
        if (seen != firstIndex.cend()) {
            const Distribution &first = lock.distributions[*seen];
            problems.append(error("duplicate-name", entryPath(lockName, i, d),
                                  u"duplicate of distributions[%1] (%2 %3): both "
                                  "normalise to \"%4\""_s.arg(*seen)
                                      .arg(first.name, first.version, key)));
        } else {
            firstIndex.insert(key, i);
        }
        checkEntry(d, lockName, i, problems);
    }
    checkDistributionOrder(lock, lockName, problems);
    return problems;
}

QList<Problem> checkAgainstInstalled(const Lock &lock, const QString &lockName,
                                     const InstalledSet &installed)
{
    QList<Problem> problems;
    QHash<QString, const InstalledDistribution *> byName;
    for (const InstalledDistribution &d : installed.distributions)
        byName.insert(canonicalName(d.name), &d);

    QSet<QString> locked;
    for (std::size_t i = 0; i < lock.distributions.size(); ++i) {
        const Distribution &d = lock.distributions[i];
        // Built only when there is something to report: most entries have nothing.
        const auto where = [&] {
            return entryPath(lockName, i, d);
        };
        const QString key = canonicalName(d.name);
        locked.insert(key);
        const InstalledDistribution *found = byName.value(key);
        if (!found) {
            problems.append(error("missing-distribution", where(),
                                  u"%1 %2 is locked but not installed in %3"_s.arg(
                                      d.name, d.version, directoriesText(installed))));
        } else if (found->version != d.version) {
            problems.append(error("version-mismatch", where(),
                                  u"%1 is locked at %2 but %3 is installed (%4)"_s.arg(
                                      d.name, d.version, found->version, found->metadataPath)));
        }
        for (const QString &module : d.topLevelModules) {
            const bool resolves = std::any_of(
                installed.indexes.begin(), installed.indexes.end(),
                [&](const SitePackagesIndex &index) {
                    return index.hasModule(module.section(u'.', 0, 0).section(u'/', 0, 0));
                });
            if (!resolves)
                problems.append(error("unresolved-module", where(),
                                      u"module \"%1\" resolves to no file or "
                                      "directory in %2"_s.arg(module, directoriesText(installed))));
        }
    }
    for (const InstalledDistribution &d : installed.distributions) {
        if (!locked.contains(canonicalName(d.name)))
            problems.append(
                error("unlocked-distribution", d.metadataPath,
                      u"%1 %2 is installed but not in the lock"_s.arg(d.name, d.version)));
    }
    return problems;
}

QList<Problem> checkAgainstObserved(const Lock &lock, const QString &lockName,
                                    const QList<ObservedDistribution> &observed,
                                    const QString &observer)
{
    QList<Problem> problems;
    QHash<QString, const ObservedDistribution *> seen;
    for (const ObservedDistribution &d : observed) {
        const QString key = canonicalName(d.name);
        // importlib.metadata returns shadowed duplicates too; the first one on the
        // path is what `import` and pip see.
        if (!seen.contains(key))
            seen.insert(key, &d);
    }
    QSet<QString> locked;
    for (std::size_t i = 0; i < lock.distributions.size(); ++i) {
        const Distribution &d = lock.distributions[i];
        const QString key = canonicalName(d.name);
        locked.insert(key);
        const ObservedDistribution *o = seen.value(key);
        if (!o) {
            problems.append(error(
                "interpreter-missing", entryPath(lockName, i, d),
                u"%1 %2 is locked but %3 does not see it"_s.arg(d.name, d.version, observer)));
        } else if (o->version != d.version) {
            problems.append(error("interpreter-version-mismatch", entryPath(lockName, i, d),
                                  u"%1 is locked at %2 but %3 sees %4 (%5)"_s.arg(
                                      d.name, d.version, observer, o->version, o->path)));
        }
    }
    for (const ObservedDistribution &d : observed) {
        const QString key = canonicalName(d.name);
        if (!locked.contains(key) && seen.value(key) == &d)
            problems.append(error(
                "interpreter-unlocked", d.path,
                u"%1 sees %2 %3, which is not in the lock"_s.arg(observer, d.name, d.version)));
    }
    return problems;
}

Result<LockFileCheck> checkLockFile(const QString &lockPath, const QStringList &sitePackages)
{
    Result<ParsedLock> parsed = readLockFile(lockPath);
    if (!parsed)
        return parsed.error();
    LockFileCheck check{std::move(*parsed), {}};
    check.problems = check.parsed.problems;
    check.problems += checkLockRules(check.parsed.lock, lockPath);
    if (sitePackages.isEmpty())
        return check;
    Result<InstalledSet> installed = scanInstalled(sitePackages);
    if (!installed)
        return installed.error();
    for (const Problem &p : std::as_const(installed->problems)) {
        if (p.severity == Severity::Error) // scan warnings are generation's business
            check.problems.append(p);
    }
    check.problems += checkAgainstInstalled(check.parsed.lock, lockPath, *installed);
    return check;
}

} // namespace deskpack::lock
