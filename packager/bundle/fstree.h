// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>

#include <functional>

namespace deskpack::bundle {

// Copies the tree `source` to `destination` (created), keeping symlinks as
// symlinks and permission bits. `skip` gets each path relative to `source`
// and can leave it (and everything under it) out.
Result<void> copyTree(const QString &source, const QString &destination,
                      const std::function<bool(const QString &relative)> &skip = {});

// Sets the modification time of everything under `root` (and `root`), links
// themselves included, to `epoch` seconds: a reproducible tree.
Result<void> setTreeMtime(const QString &root, qint64 epoch);

// Removes every directory named `name` under `root`; returns how many.
int removeDirectoriesNamed(const QString &root, const QString &name);

struct TreeSize
{
    qint64 bytes = 0;
    qint64 files = 0;
};
TreeSize treeSize(const QString &root);

} // namespace deskpack::bundle
