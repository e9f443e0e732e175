// SPDX-License-Identifier: MIT
#pragma once

#include <QLoggingCategory>

namespace deskpack::archive {

// The packager's category ("deskpack.packager"); archive code logs its
// warnings (libarchive ARCHIVE_WARN results, skipped metadata) here.
Q_DECLARE_LOGGING_CATEGORY(lcArchive)

} // namespace deskpack::archive
