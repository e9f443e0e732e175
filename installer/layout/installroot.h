// SPDX-License-Identifier: MIT
#pragma once

// The installation root on disk, shared by install, rollback and uninstall:
// the version links switched by rename, the lock, what interrupted runs and
// upgrades leave behind, and entries of versions/ that belong to another app.
#include "base/result.h"
#include "installlayout.h"

#include <QLockFile>
#include <QString>
#include <QStringList>

namespace deskpack::installer {

// "versions/<version>", what `current` and `previous` hold.
QString versionLinkTarget(const QString &version);

bool isLink(const QString &path);

// A new link beside `link`, renamed over it: readers see the old link or the
// new one, never none.
Result<void> replaceLink(const QString &link, const QString &target);

// Swaps two directories in one step where the kernel can (renameat2); false
// (errno set) where it cannot.
bool exchangePaths(const QString &a, const QString &b);

// Removes what interrupted runs left in the root; returns the names removed.
QStringList removeLeftovers(const InstallLayout &layout);

// Removes versions other than current and previous; returns the names removed.
QStringList pruneVersions(const InstallLayout &layout);

// Entries of versions/ that are not a bundle of this app, and the error that
// refuses to touch such a root.
QStringList foreignVersions(const InstallLayout &layout);
Error foreignError(const InstallLayout &layout, const QStringList &foreign, ErrorKind kind);

// The version `current` (or `previous`) points to, empty when none.
QString currentVersion(const InstallLayout &layout);
QString previousVersion(const InstallLayout &layout);

// Takes the root's lock without waiting; held by another live installer is
// ErrorKind::Environment.
Result<void> lockRoot(QLockFile &lock, const InstallLayout &layout);

} // namespace deskpack::installer
