// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>

#include <functional>

namespace deskpack::installer {

struct TreeIdentity
{
    QString id;
    QString version;
    QString launcher; // the launcher's path in the bundle, may be empty
    QString icon;     // the icon's path in the bundle, may be empty
};

// What `deskpack verify` checks of the files, done by the installer itself
// (it links no runner): every file bundle.json lists has its size, SHA-256 and
// executable bit, every link its target, every empty directory exists, and
// nothing else is there. Every problem is named (ErrorKind::Invalid); a
// missing or malformed bundle.json is ErrorKind::Unreadable. `progress`
// receives the fraction of files hashed and may return false to cancel.
Result<TreeIdentity> checkExtractedBundle(const QString &tree,
                                          const std::function<bool(double)> &progress = {});

} // namespace deskpack::installer
