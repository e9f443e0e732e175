// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "installlayout.h"
#include "formats/installerformat.h"

#include <QStringList>

namespace deskpack::installer {

// The desktop entry's text: Exec is <root>/current/<launcher>, quoted as the
// Desktop Entry Specification asks, so an upgrade or rollback never edits it.
QByteArray desktopEntryText(const InstallLayout &layout, const formats::InstallerHeader &header);

// Where the icon goes: hicolor/scalable/apps/<id>.svg, or
// hicolor/<w>x<h>/apps/<id>.png from the PNG's own header (256x256 when it
// cannot be read). Empty when the app has no icon.
QString iconPath(const InstallLayout &layout, const formats::InstallerHeader &header);

// <bin>/<app-id> -> <root>/current/<launcher> (replaced by rename; a file that
// is not a link is left alone and reported), the desktop entry and the icon,
// each written atomically. Returns the bin link's path.
Result<QString> writeDesktopIntegration(const InstallLayout &layout,
                                        const formats::InstallerHeader &header);

// Removes the bin link (only when it points into the root), the desktop entry
// and every hicolor icon named <app-id>. Returns what was removed.
QStringList removeDesktopIntegration(const InstallLayout &layout);

} // namespace deskpack::installer
