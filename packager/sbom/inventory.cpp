// SPDX-License-Identifier: MIT
#include "inventory.h"

#include "base/parallel.h"
#include "distinfo.h"
#include "formats/bundlemanifest.h"
#include "inventoryparts.h"
#include "lock/lockfile.h"
#include "nativelibs.h"

#include <QDir>
#include <QHash>
#include <QSet>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::sbom {

namespace {

Result<lock::Lock> readBundleLock(const QString &bundleDir, const formats::BundleManifest &m)
{
    const QString path = QDir(bundleDir).filePath(m.lock);
    Result<lock::ParsedLock> parsed = lock::readLockFile(path);
    if (!parsed)
        return parsed.error();
    if (lock::errorCount(parsed->problems) > 0) {
        QStringList lines;
        for (const lock::Problem &p : std::as_const(parsed->problems))
            lines.append(p.toString());
        return makeError(ErrorKind::Unreadable, lines.join(u'\n'));
    }
    return std::move(parsed->lock);
}

// The core distributions, one per canonical name, in metadata-directory order.
Result<QList<DistributionInfo>>
readDistributions(const QString &bundleDir, const formats::BundleManifest &m, QStringList &warnings)
{
    const QStringList entries =
        QDir(QDir(bundleDir).filePath(m.coreSitePackages))
            .entryList({u"*.dist-info"_s, u"*.egg-info"_s}, QDir::Dirs | QDir::Files, QDir::Name);
    std::vector<std::optional<Result<DistributionInfo>>> read(std::size_t(entries.size()));
    forEachInParallel(
        entries.size(),
        [&](qsizetype i) {
            read[std::size_t(i)] =
                readDistribution(bundleDir, m.coreSitePackages + u'/' + entries[i]);
        },
        16);
    QList<DistributionInfo> out;
    QSet<QString> seen;
    for (auto &one : read) {
        if (!*one)
            return one->error();
        DistributionInfo &info = one->value();
        warnings.append(info.warnings);
        if (seen.contains(info.component.ref)) {
            warnings.append(u"%1: a second copy of %2; the first is listed"_s.arg(
                info.component.path, info.component.name));
            continue;
        }
        seen.insert(info.component.ref);
        out.append(std::move(info));
    }
    return out;
}

Result<void> checkLocked(const lock::Lock &lock, const QList<DistributionInfo> &dists,
                         const QString &lockPath, const QString &sitePackages)
{
    QHash<QString, QString> present;
    for (const DistributionInfo &d : dists)
        present.insert(d.component.ref, d.component.version);
    QStringList missing;
    for (const lock::Distribution &d : lock.distributions) {
        const QString ref = u"pypi:"_s + lock::canonicalName(d.name);
        if (!present.contains(ref))
            missing.append(u"%1: locks %2 %3, but %4 has no metadata for it"_s.arg(
                lockPath, d.name, d.version, sitePackages));
    }
    if (!missing.isEmpty())
        return makeError(ErrorKind::Unreadable, missing.join(u'\n'));
    return {};
}

QList<QPair<QString, QString>> requiresEdges(const QList<DistributionInfo> &dists)
{
    QSet<QString> present;
    for (const DistributionInfo &d : dists)
        present.insert(d.component.ref);
    QList<QPair<QString, QString>> edges;
    for (const DistributionInfo &d : dists) {
        for (const QString &target : d.requiresTargets) {
            const QString ref = u"pypi:"_s + target;
            if (present.contains(ref) && ref != d.component.ref)
                edges.append({d.component.ref, ref});
        }
    }
    return edges;
}

} // namespace

QString versionSourceName(VersionSource source)
{
    switch (source) {
    case VersionSource::Metadata:
        return u"metadata"_s;
    case VersionSource::FileContent:
        return u"file-content"_s;
    case VersionSource::Soname:
        return u"soname"_s;
    case VersionSource::Unknown:
        break;
    }
    return u"unknown"_s;
}

const Component *Inventory::find(const QString &ref) const
{
    for (const Component &c : components) {
        if (c.ref == ref)
            return &c;
    }
    return nullptr;
}

Result<Inventory> collectInventory(const QString &bundleDir)
{
    Result<formats::BundleManifest> manifest = formats::readManifest(bundleDir);
    if (!manifest)
        return manifest.error();
    Result<lock::Lock> lock = readBundleLock(bundleDir, *manifest);
    if (!lock)
        return lock.error();
    Inventory inv;
    inv.appId = manifest->id;
    inv.appName = manifest->name;
    inv.appVersion = manifest->version;
    inv.deskpackVersion = QStringLiteral(DESKPACK_VERSION);
    inv.runtimeOrigin = manifest->runtimeOrigin.value_or(RuntimeOrigin{});
    Result<QList<DistributionInfo>> dists = readDistributions(bundleDir, *manifest, inv.warnings);
    if (!dists)
        return dists.error();
    if (Result<void> locked = checkLocked(*lock, *dists, QDir(bundleDir).filePath(manifest->lock),
                                          QDir(bundleDir).filePath(manifest->coreSitePackages));
        !locked)
        return locked.error();
    for (const DistributionInfo &d : std::as_const(*dists))
        inv.components.append(d.component);
    inv.dependencies = requiresEdges(*dists);
    const Component runtime = runtimeComponent(*manifest);
    inv.components.append(runtime);
    for (const Component &lib : nativeLibraries(bundleDir, *manifest)) {
        if (lib.path.startsWith(u"runtime/"_s)) // what the interpreter loads
            inv.dependencies.append({runtime.ref, lib.ref});
        inv.components.append(lib);
    }
    addLauncher(bundleDir, *manifest, inv);
    for (Component &c : inv.components) {
        c.properties.append({u"deskpack:version-source"_s, versionSourceName(c.versionSource)});
        std::sort(c.properties.begin(), c.properties.end());
    }
    std::sort(inv.components.begin(), inv.components.end(),
              [](const Component &a, const Component &b) { return a.ref < b.ref; });
    std::sort(inv.dependencies.begin(), inv.dependencies.end());
    inv.dependencies.erase(std::unique(inv.dependencies.begin(), inv.dependencies.end()),
                           inv.dependencies.end());
    inv.warnings.sort();
    return inv;
}

} // namespace deskpack::sbom
