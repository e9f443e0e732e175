// SPDX-License-Identifier: MIT
#pragma once

#include <QLoggingCategory>

namespace deskpack::runtime {

// The runtime library's category ("deskpack.packager.runtime"), for what
// runtime assembly skips or works around (modules with missing libraries,
// outside symlinks).
Q_DECLARE_LOGGING_CATEGORY(lcRuntime)

} // namespace deskpack::runtime
