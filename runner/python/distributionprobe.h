// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "lock/lockvalidator.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace deskpack::runner {

// Asks `interpreter`, in isolated mode (-I), which distributions
// importlib.metadata finds on `directories` (on its own sys.path when empty).
// Fails with ErrorKind::Environment when the interpreter is missing, fails or
// answers something that is not the expected JSON.
Result<QList<lock::ObservedDistribution>> probeDistributions(const QString &interpreter,
                                                             const QStringList &directories);

} // namespace deskpack::runner
