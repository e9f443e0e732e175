// SPDX-License-Identifier: MIT
#pragma once

#include <QLoggingCategory>

namespace deskpack::runner {

// "deskpack.runner": process life cycle; "deskpack.runner.protocol": frames that
// do not follow the protocol (they are logged and dropped, never fatal).
Q_DECLARE_LOGGING_CATEGORY(lcRunner)
Q_DECLARE_LOGGING_CATEGORY(lcProtocol)

} // namespace deskpack::runner
