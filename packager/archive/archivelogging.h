// SPDX-License-Identifier: MIT
#pragma once

#include <QLoggingCategory>

namespace deskpack::archive {

// The archive library's category ("deskpack.packager.archive"): its warnings
// (libarchive ARCHIVE_WARN results, skipped metadata).
Q_DECLARE_LOGGING_CATEGORY(lcArchive)

} // namespace deskpack::archive
