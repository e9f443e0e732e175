// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace deskpack::cli {

// deskpack sbom BUNDLE --format cyclonedx|spdx [-o FILE]
int runSbomCommand(const QStringList &arguments);

} // namespace deskpack::cli
