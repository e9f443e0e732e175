// SPDX-License-Identifier: MIT
#include "sitepackages.h"
#include "sitepackagesfiles.h"

#include "distmetadata.h"

#include "base/parallel.h"

#include <QHash>

#include <algorithm>
#include <optional>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::lock {

namespace {

// The same order importlib.metadata reads: METADATA, then PKG-INFO, then a
// single-file .egg-info itself.
std::optional<QByteArray> readMetadataHeaders(const SitePackagesIndex &index, const QString &entry,
                                              bool isDir)
{
    if (!isDir)
        return readHeaderBlock(index, entry);
    // setuptools never writes METADATA into an egg-info: asking for PKG-INFO
    // first there saves a failed open per distribution. (importlib.metadata
    // would prefer a METADATA if one were ever added by hand.)
    const bool egg = endsWithCaseInsensitive(entry, QLatin1StringView(".egg-info"));
    const QString first = egg ? u"PKG-INFO"_s : u"METADATA"_s;
    const QString second = egg ? u"METADATA"_s : u"PKG-INFO"_s;
    std::optional<QByteArray> headers = readHeaderBlock(index, joinPath(entry, first));
    if (!headers)
        headers = readHeaderBlock(index, joinPath(entry, second));
    return headers;
}

// The modules the metadata directory names: top_level.txt, else RECORD,
// else installed-files.txt.
void readRecordedModules(const SitePackagesIndex &index, const QString &entry,
                         InstalledDistribution &dist)
{
    if (const auto topLevel = readSmallFile(index, joinPath(entry, u"top_level.txt"_s))) {
        dist.topLevelModules = parseTopLevel(*topLevel);
        dist.moduleSource = InstalledDistribution::ModuleSource::TopLevelTxt;
    }
    if (dist.topLevelModules.isEmpty()) {
        if (const auto record = readSmallFile(index, joinPath(entry, u"RECORD"_s))) {
            dist.topLevelModules = modulesFromInstalledPaths(recordPaths(*record));
            dist.moduleSource = InstalledDistribution::ModuleSource::Record;
        }
    }
    if (dist.topLevelModules.isEmpty()) {
        if (const auto files = readSmallFile(index, joinPath(entry, u"installed-files.txt"_s))) {
            dist.topLevelModules = modulesFromInstalledPaths(installedFilesPaths(*files));
            dist.moduleSource = InstalledDistribution::ModuleSource::InstalledFiles;
        }
    }
}

// Metadata goes stale (Debian's setuptools names "debian"; some top_level.txt
// list "pkg/sub"): keep each name's top-level part, and only when it exists.
// A name need not be an identifier: what counts is that the import system
// finds a package, namespace directory or module file under it.
void keepPresentModules(const SitePackagesIndex &index, InstalledDistribution &dist)
{
    QStringList present;
    for (const QString &module : std::as_const(dist.topLevelModules)) {
        const QString top = module.section(u'/', 0, 0).section(u'\\', 0, 0);
        if (!isTopLevelModuleName(top))
            dist.unimportableNames.append(module);
        else if (index.hasModule(top))
            present.append(top);
        else
            dist.missingModules.append(module);
    }
    dist.topLevelModules = present;
}

// No module named by the metadata is there: the distribution's own name,
// when a module of that name is.
void guessModuleFromName(const SitePackagesIndex &index, InstalledDistribution &dist)
{
    dist.moduleSource = InstalledDistribution::ModuleSource::None;
    QString guess = dist.name;
    guess.replace(u'-', u'_').replace(u'.', u'_');
    for (const QString &candidate : {guess, guess.toLower()}) {
        if (index.hasModule(candidate)) {
            dist.topLevelModules = {candidate};
            dist.moduleSource = InstalledDistribution::ModuleSource::NameOnDisk;
            break;
        }
    }
}

} // namespace

Result<InstalledDistribution> readDistribution(const SitePackagesIndex &index, const QString &entry)
{
    InstalledDistribution dist;
    const QString path = joinPath(index.directory(), entry);
    dist.metadataPath = path;
    const bool isDir = index.isDirectory(entry);

    const std::optional<QByteArray> headers = readMetadataHeaders(index, entry, isDir);
    if (!headers) {
        return makeError(ErrorKind::Invalid, u"%1: no METADATA or PKG-INFO; skipped"_s.arg(path));
    }
    const CoreMetadata meta = parseCoreMetadata(*headers);
    if (meta.name.isEmpty()) {
        return makeError(ErrorKind::Invalid,
                         u"%1: metadata has no Name field; skipped"_s.arg(path));
    }
    if (meta.version.isEmpty()) {
        return makeError(
            ErrorKind::Invalid,
            u"%1: metadata of %2 has no Version field; skipped"_s.arg(path, meta.name));
    }
    dist.name = meta.name;
    dist.version = meta.version;

    if (isDir)
        readRecordedModules(index, entry, dist);
    keepPresentModules(index, dist);
    if (dist.topLevelModules.isEmpty())
        guessModuleFromName(index, dist);
    std::sort(dist.topLevelModules.begin(), dist.topLevelModules.end(), codePointLess);
    dist.topLevelModules.erase(
        std::unique(dist.topLevelModules.begin(), dist.topLevelModules.end()),
        dist.topLevelModules.end());
    return dist;
}

namespace {

// Every metadata entry of the index, read in parallel, in the entries' order.
std::vector<Result<InstalledDistribution>> readDistributions(const SitePackagesIndex &index)
{
    const QStringList &entries = index.metadataEntries();
    std::vector<std::optional<Result<InstalledDistribution>>> read(std::size_t(entries.size()));
    forEachInParallel(entries.size(), [&](qsizetype i) {
        read[std::size_t(i)].emplace(readDistribution(index, entries[i]));
    });
    std::vector<Result<InstalledDistribution>> out;
    out.reserve(read.size());
    for (std::optional<Result<InstalledDistribution>> &dist : read)
        out.push_back(std::move(*dist));
    return out;
}

void reportModuleProblems(const InstalledDistribution &dist, const QString &directory,
                          QList<Problem> &problems)
{
    for (const QString &module : std::as_const(dist.missingModules)) {
        problems.append(Problem{Severity::Warning, u"missing-module"_s, dist.metadataPath,
                                u"%1 names module \"%2\", which is not in %3; left out"_s.arg(
                                    dist.name, module, directory)});
    }
    for (const QString &module : std::as_const(dist.unimportableNames)) {
        problems.append(
            Problem{Severity::Warning, u"not-a-module"_s, dist.metadataPath,
                    u"%1 names \"%2\", which cannot be a top-level module name "
                    "(it holds a dot or whitespace); left out"_s.arg(dist.name, module)});
    }
    if (dist.topLevelModules.isEmpty()) {
        problems.append(Problem{Severity::Warning, u"no-modules"_s, dist.metadataPath,
                                u"%1 names no importable top-level module (no top_level.txt, "
                                "RECORD or module matching its name)"_s.arg(dist.name)});
    }
}

// A second installation of a distribution already seen: the same version is
// merged into the first (a warning), another version is an error.
void mergeDuplicate(InstalledDistribution &first, const InstalledDistribution &dist,
                    QList<Problem> &problems)
{
    if (first.version != dist.version) {
        problems.append(Problem{Severity::Error, u"conflicting-versions"_s, dist.metadataPath,
                                u"%1 is installed twice at different versions: %2 at %3 and "
                                "%4 at %5"_s.arg(first.name, first.version, first.metadataPath,
                                                 dist.version, dist.metadataPath)});
        return;
    }
    problems.append(Problem{Severity::Warning, u"duplicate-merged"_s, dist.metadataPath,
                            u"%1 %2 is also installed at %3; recorded once"_s.arg(
                                dist.name, dist.version, first.metadataPath)});
    for (const QString &m : dist.topLevelModules) {
        if (!first.topLevelModules.contains(m))
            first.topLevelModules.append(m);
    }
    std::sort(first.topLevelModules.begin(), first.topLevelModules.end(), codePointLess);
}

} // namespace

Result<InstalledSet> scanInstalled(const QStringList &directories)
{
    InstalledSet set;
    QHash<QString, qsizetype> byCanonical;
    for (const QString &directory : directories) {
        Result<SitePackagesIndex> index = SitePackagesIndex::scan(directory);
        if (!index)
            return index.error();
        for (Result<InstalledDistribution> &dist : readDistributions(*index)) {
            if (!dist) {
                // The message already names the entry's path.
                set.problems.append(
                    Problem{Severity::Warning, u"skipped"_s, QString(), dist.error().message});
                continue;
            }
            reportModuleProblems(*dist, directory, set.problems);
            const QString key = canonicalName(dist->name);
            const auto seen = byCanonical.constFind(key);
            if (seen == byCanonical.cend()) {
                byCanonical.insert(key, set.distributions.size());
                set.distributions.append(std::move(*dist));
                continue;
            }
            mergeDuplicate(set.distributions[*seen], *dist, set.problems);
        }
        set.indexes.append(std::move(*index));
    }
    return set;
}

Lock lockFromInstalled(const InstalledSet &installed)
{
    Lock lock;
    lock.distributions.reserve(std::size_t(installed.distributions.size()));
    for (const InstalledDistribution &d : installed.distributions)
        lock.distributions.push_back(
            Distribution{d.name, d.version, d.topLevelModules, nlohmann::json::object()});
    normalizeLock(lock);
    return lock;
}

} // namespace deskpack::lock
