// SPDX-License-Identifier: MIT
#pragma once

// The app's icon as the desktop sees it, for everything that puts one on
// the machine: the deb (/usr/share/icons/hicolor), the installer
// (~/.local/share/icons/hicolor) and the launcher's window, which draws the
// same picture when the bundle ships none.
#include <QByteArray>
#include <QSize>
#include <QString>

namespace deskpack::formats {

// The generated icon's colours and proportions (of its side), shared with
// the launcher's QPainter drawing so all three show one picture.
inline constexpr const char *GeneratedIconBackground = "#334155";
inline constexpr double GeneratedIconCornerRadius = 0.22;
inline constexpr double GeneratedIconLetterSize = 0.62;

// The icon of an app that ships none: its initial, white and bold, on a
// rounded slate square, as a 64x64 SVG (hicolor/scalable). "D" for an
// empty name.
QByteArray generatedAppIconSvg(const QString &appName);

// The size a PNG's IHDR chunk declares; invalid when `png` is not a PNG.
QSize pngImageSize(QByteArrayView png);

// Whether `side` is one of hicolor's fixed sizes (Debian's index.theme):
// a PNG anywhere else is never found by an icon lookup.
bool isHicolorSize(int side);

} // namespace deskpack::formats
