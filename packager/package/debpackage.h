// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "package/package.h"
#include "formats/bundlemanifest.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace deskpack::package {

// Debian's name for this machine's architecture ("amd64", "arm64").
QString debianArchitecture();

// A Debian package name is lowercase [a-z0-9+.-], at least two characters,
// starting alphanumeric; app ids usually are. Empty when valid, else why not.
QString checkDebianPackageName(const QString &name);

// The system libraries the bundle's ELF files need and do not carry: for each
// NEEDED soname no file of the bundle provides, the host file the loader
// would use. Sorted, unique, absolute.
QStringList systemLibrariesNeeded(const QString &bundleDir);

// Which installed Debian packages own `files` (dpkg-query -S, trying the
// /usr-merged twin of each path too). Sorted package names; files no package
// owns are listed in `unowned`.
Result<QStringList> debianPackagesOwning(const QStringList &files, QStringList *unowned);

// An ar archive (the deb container): members in the given order, mtime 0,
// uid/gid 0, mode 100644, so the same members give the same bytes.
QByteArray arArchive(const QList<QPair<QByteArray, QByteArray>> &members);

// Writes the .deb for `bundleDir` to `debPath`.
Result<PackageResult> writeDeb(const QString &bundleDir, const formats::BundleManifest &manifest,
                               const PackageOptions &options, qint64 mtime, const QString &debPath);

} // namespace deskpack::package
