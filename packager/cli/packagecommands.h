// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace deskpack::cli {

// deskpack package BUNDLE --format zip|tar.gz|tar.zst|deb|installer [--out DIR]
int runPackageCommand(const QStringList &arguments);

} // namespace deskpack::cli
