// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace deskpack::cli {

// deskpack release BUNDLE --feed DIR --channel NAME -s KEY.sec [--keep N]
//   [--notes FILE] [--expires-in DAYS] [--json]
int runReleaseCommand(const QStringList &arguments);

} // namespace deskpack::cli
