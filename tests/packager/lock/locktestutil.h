// SPDX-License-Identifier: MIT
#pragma once

// A lock entry in one line, for the lock suites' tables of cases.

#include "lock/lockfile.h"

namespace deskpack::test {

inline lock::Distribution dist(const QString &name, const QString &version,
                               const QStringList &modules)
{
    return lock::Distribution{name, version, modules, nlohmann::json::object()};
}

} // namespace deskpack::test
