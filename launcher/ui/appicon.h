// SPDX-License-Identifier: MIT
#pragma once

#include <QIcon>
#include <QString>

namespace deskpack::launcher {

// The app's initial on a rounded square, with a dot in `dotColor` unless it is
// empty: bundles do not have to ship an icon. The same picture as the SVG the
// installer and the deb put in the icon theme (formats/appicon.h).
QIcon appIcon(const QString &name, const QString &dotColor = {});

} // namespace deskpack::launcher
