// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace deskpack::cli {

// `deskpack build APP.json [--out DIR] [--cache-dir DIR] [--json]`.
int runBuildCommand(const QStringList &arguments);

// `deskpack verify BUNDLE [--json]`: exit 1 when any file is missing, changed
// or extra, or the lock disagrees with the runtime.
int runVerifyCommand(const QStringList &arguments);

} // namespace deskpack::cli
