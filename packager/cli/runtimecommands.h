// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace deskpack::cli {

// `deskpack runtime pack|extract ...`; `arguments` start after "runtime".
// Returns the process exit code (DESIGN.md: 0, 1, 2, 3).
int runRuntimeCommand(const QStringList &arguments);

} // namespace deskpack::cli
