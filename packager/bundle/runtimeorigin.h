// SPDX-License-Identifier: MIT
#pragma once

#include "formats/runtimeorigin.h"

#include <QString>

namespace deskpack::bundle {

// Where a host runtime came from, for bundle.json's "runtimeOrigin": a pyenv
// version (the executable lies under $PYENV_ROOT or ~/.pyenv /versions/<v>/),
// a Debian package (dpkg-query -S owns the executable; its version from
// dpkg-query -W), else a plain prefix. Never fails: without dpkg the answer is
// "prefix".
formats::RuntimeOrigin hostRuntimeOrigin(const QString &executable, const QString &prefix);

// An archive runtime: its file name and SHA-256 (`knownSha256` when the
// config gave one, which runtimeFromArchive has verified; else hashed here).
formats::RuntimeOrigin archiveRuntimeOrigin(const QString &archive, const QString &knownSha256);

} // namespace deskpack::bundle
