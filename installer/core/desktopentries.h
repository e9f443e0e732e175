// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "formats/installerformat.h"
#include "installer/layout/installlayout.h"

#include <QStringList>

namespace deskpack::installer {

// The desktop entry's text: Exec is <root>/current/<launcher>, quoted as the
// Desktop Entry Specification asks, so an upgrade or rollback never edits it;
// Icon=<app-id>, the name of the icons appicons.h installs (the app's own or
// the generated one: every app has one).
QByteArray desktopEntryText(const InstallLayout &layout, const formats::InstallerHeader &header);

// <bin>/<app-id> -> <root>/current/<launcher> (replaced by rename; a file that
// is not a link is left alone and reported), the desktop entry and the icons
// (themeIcons()), each written atomically; icons of an earlier version that
// this one does not have are removed. Returns the bin link's path.
Result<QString> writeDesktopIntegration(const InstallLayout &layout,
                                        const formats::InstallerHeader &header);

// What the desktop integration needs of an installed bundle (id, name,
// version, launcher, the icon's bytes), read from its bundle.json: a
// rollback rewrites the entry and icons of the version it returns to.
Result<formats::InstallerHeader> installedHeader(const QString &bundleDir);

// Removes the bin link (only when it points into the root), the desktop entry
// and the app's icons (removeThemeIcons()). Returns what was removed.
QStringList removeDesktopIntegration(const InstallLayout &layout);

} // namespace deskpack::installer
