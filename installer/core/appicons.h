// SPDX-License-Identifier: MIT
#pragma once

// The app's icon in the user's hicolor icon theme
// ($XDG_DATA_HOME/icons/hicolor), named <app-id> so the desktop entry's
// Icon=<app-id> finds it. Install writes them, an upgrade or a rollback
// replaces them with the version now current's, uninstall removes them.
#include "base/result.h"
#include "formats/installerformat.h"
#include "installer/layout/installlayout.h"

#include <QList>
#include <QStringList>

namespace deskpack::installer {

struct ThemeIcon
{
    QString path;     // under the theme: "48x48/apps/<id>.png", "scalable/apps/<id>.svg"
    QByteArray bytes; // the file's content
};

// The files for the app's icon: an SVG as it is under scalable/; a PNG at
// 48, 128 and 256 pixels (never larger than it is, its own size too when
// hicolor has it, 48 when it is smaller), scaled down with its aspect kept on
// a transparent square; no icon, or one that is neither, the generated one
// the launcher also draws (formats/appicon.h), under scalable/.
QList<ThemeIcon> themeIcons(const formats::InstallerHeader &header);

// Writes `icons` (each atomically), then removes every other icon file of
// the app's (an upgrade's smaller set, a rollback's other format), then
// refreshes the theme's cache. Returns the paths written.
Result<QStringList> installThemeIcons(const InstallLayout &layout, const QList<ThemeIcon> &icons);

// Removes the app's icon files: <theme>/<size>/apps/<app-id>.png|.svg where
// <size> is NxN or "scalable", the only places installThemeIcons writes;
// nothing else of the theme's. Returns the paths removed.
QStringList removeThemeIcons(const InstallLayout &layout, const QStringList &keep = {});

} // namespace deskpack::installer
