// SPDX-License-Identifier: MIT
#pragma once

// What the lock suites share: a lock entry in one line for tables of cases,
// and finding one problem in a report.

#include "lock/lockfile.h"

namespace deskpack::test {

inline lock::Distribution dist(const QString &name, const QString &version,
                               const QStringList &modules)
{
    return lock::Distribution{name, version, modules, nlohmann::json::object()};
}

// The first problem with `code` whose text contains `fragment`, or null.
inline const lock::Problem *findProblem(const QList<lock::Problem> &problems, const QString &code,
                                        const QString &fragment)
{
    for (const lock::Problem &p : problems) {
        if (p.code == code && p.toString().contains(fragment))
            return &p;
    }
    return nullptr;
}

} // namespace deskpack::test
