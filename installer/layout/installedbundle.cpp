// SPDX-License-Identifier: MIT
#include "installedbundle.h"

#include "base/fileio.h"
#include "formats/bundlemanifest.h"
#include "installroot.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

namespace {

QString bundleId(const QString &dir)
{
    Result<formats::BundleManifest> manifest = formats::readManifest(dir);
    return manifest ? manifest->id : QString();
}

// <root> when `canonical` is <root>/versions/<v> and <root>/current is a link
// into versions/ of a bundle of `appId`; empty otherwise.
QString installerRoot(const QString &canonical, const QString &appId)
{
    const QFileInfo versionDir(canonical);
    const QFileInfo versions(versionDir.absolutePath());
    if (versions.fileName() != u"versions" || versions.isSymLink())
        return {};
    const QString root = versions.absolutePath();
    const QString current = root + u"/current"_s;
    if (!isLink(current) || !readLinkTarget(current).startsWith(u"versions/"_s))
        return {};
    return bundleId(current) == appId ? root : QString();
}

// dpkg's file list of the package `appId` (plain or multi-arch name) names
// the bundle's manifest under one of `paths`.
bool ownedByDpkg(const QStringList &paths, const QString &appId,
                 const QProcessEnvironment &environment)
{
    const QString admin = environment.value(u"DPKG_ADMINDIR"_s, u"/var/lib/dpkg"_s);
    const QDir info(admin + u"/info"_s);
    QStringList wanted;
    for (const QString &path : paths)
        wanted.append(path + u"/bundle.json"_s);
    for (const QString &list :
         info.entryList({appId + u".list"_s, appId + u":*.list"_s}, QDir::Files)) {
        QFile file(info.filePath(list));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        while (!file.atEnd()) {
            const QString line = QString::fromUtf8(file.readLine()).trimmed();
            if (wanted.contains(line))
                return true;
        }
    }
    return false;
}

} // namespace

InstalledBundle installedBundle(const QString &bundleDir, const QString &appId,
                                const QProcessEnvironment &environment)
{
    InstalledBundle found;
    if (Result<formats::BundleManifest> manifest = formats::readManifest(bundleDir))
        found.version = manifest->version;
    const QString absolute = QDir::cleanPath(QFileInfo(bundleDir).absoluteFilePath());
    const QString canonical = QFileInfo(bundleDir).canonicalFilePath();
    if (const QString root = installerRoot(canonical, appId); !root.isEmpty()) {
        found.kind = InstallKind::Installer;
        Result<InstallLayout> layout = layoutFor(appId, root, environment);
        // A root layoutFor() refuses (no HOME) still switches versions by its links.
        found.layout = layout ? *layout : InstallLayout{appId, root, {}, {}};
        found.whoUpdates =
            u"installed by its installer in %1: updates go into %1/versions"_s.arg(root);
        return found;
    }
    if (ownedByDpkg({absolute, canonical}, appId, environment)) {
        found.kind = InstallKind::SystemPackage;
        found.whoUpdates =
            u"updated by the system's package manager (apt): the package %1"_s.arg(appId);
        return found;
    }
    found.kind = InstallKind::Unpacked;
    found.whoUpdates =
        u"unpacked from an archive into %1: download the new version"_s.arg(absolute);
    return found;
}

} // namespace deskpack::installer
