// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace deskpack::cli {

// `deskpack plugin check --bundle B -r R ...`; `arguments` start after
// "plugin". Exit 0 when the requirements fit beside the core, 1 for a clash,
// 2 for bad input, 3 when pip or the disk fails.
int runPluginCommand(const QStringList &arguments);

} // namespace deskpack::cli
