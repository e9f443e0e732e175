// SPDX-License-Identifier: MIT
#include "launcherversion.h"

namespace deskpack::launcher {

QString launcherVersion()
{
    return QStringLiteral(DESKPACK_VERSION);
}

} // namespace deskpack::launcher
