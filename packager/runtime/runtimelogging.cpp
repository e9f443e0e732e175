// SPDX-License-Identifier: MIT
#include "runtimelogging.h"

namespace deskpack::runtime {

Q_LOGGING_CATEGORY(lcRuntime, "deskpack.packager.runtime")

} // namespace deskpack::runtime
