// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace deskpack::launcher {

// The Deskpack version this launcher was built from.
QString launcherVersion();

} // namespace deskpack::launcher
