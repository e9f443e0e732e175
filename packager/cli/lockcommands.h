// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace deskpack::cli {

// `deskpack lock generate|validate|diff ...`; `arguments` start after "lock".
// Returns the process exit code (DESIGN.md: 0 ok, 1 problems, 2 usage or
// unreadable input, 3 environment).
int runLockCommand(const QStringList &arguments);

} // namespace deskpack::cli
