// SPDX-License-Identifier: MIT
#include "archivelogging.h"

namespace deskpack::archive {

Q_LOGGING_CATEGORY(lcArchive, "deskpack.packager.archive")

} // namespace deskpack::archive
