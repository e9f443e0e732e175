// SPDX-License-Identifier: MIT
#pragma once

#include <QLoggingCategory>

namespace deskpack::runtime {

// The packager's category ("deskpack.packager"), for what runtime assembly
// skips or works around (modules with missing libraries, outside symlinks).
Q_DECLARE_LOGGING_CATEGORY(lcRuntime)

} // namespace deskpack::runtime
