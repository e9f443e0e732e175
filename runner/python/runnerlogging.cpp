// SPDX-License-Identifier: MIT
#include "runnerlogging.h"

namespace deskpack::runner {

Q_LOGGING_CATEGORY(lcRunner, "deskpack.runner", QtWarningMsg)
Q_LOGGING_CATEGORY(lcProtocol, "deskpack.runner.protocol", QtWarningMsg)

} // namespace deskpack::runner
