// SPDX-License-Identifier: MIT
#include "launcherversion.h"

// Read from the binary by `deskpack sbom` (packager/sbom): a bundle records no
// launcher version of its own, and QStringLiteral keeps no ASCII copy to find.
extern "C" {
[[gnu::used]] const char deskpackLauncherVersionMarker[] =
    "deskpack-launcher-version: " DESKPACK_VERSION;
}

namespace deskpack::launcher {

QString launcherVersion()
{
    return QStringLiteral(DESKPACK_VERSION);
}

} // namespace deskpack::launcher
