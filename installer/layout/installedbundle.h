// SPDX-License-Identifier: MIT
#pragma once

// What put a bundle where it is, so whoever offers an update knows whether it
// may switch versions itself (its own installer's layout), must leave it to
// the system's package manager, or can only point at a download.
#include "installlayout.h"

#include <QProcessEnvironment>
#include <QString>

#include <optional>

namespace deskpack::installer {

enum class InstallKind
{
    Installer,
    SystemPackage,
    Unpacked
};

struct InstalledBundle
{
    InstallKind kind = InstallKind::Unpacked;
    std::optional<InstallLayout> layout; // set for InstallKind::Installer only
    QString version;                     // the bundle's, from its bundle.json ("" unreadable)
    QString whoUpdates;                  // for people: what updates this installation
};

// The bundle at `bundleDir` is
//  - Installer when its canonical path is <root>/versions/<v> and
//    <root>/current is a link into versions/ of a bundle of `appId`: `layout`
//    has root = <root>, bin and data directories as layoutFor() gives them
//    from HOME and XDG_DATA_HOME of `environment`;
//  - SystemPackage when dpkg owns it: the package named `appId` (what
//    `deskpack package --format deb` calls it) lists the bundle's bundle.json
//    in <admindir>/info/<appId>.list (admindir: $DPKG_ADMINDIR of
//    `environment`, else /var/lib/dpkg);
//  - Unpacked otherwise.
// Reads a few small files; never fails.
InstalledBundle installedBundle(const QString &bundleDir, const QString &appId,
                                const QProcessEnvironment &environment);

} // namespace deskpack::installer
