// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>

#include <functional>

namespace deskpack::archive {

struct ExtractOptions
{
    // When set, the archive's SHA-256 must match before a single entry is
    // read (ErrorKind::Invalid otherwise). Hash and extraction read the same
    // open file, so the archive cannot be swapped in between.
    QString expectedSha256;
    // An existing, non-empty destination is an error unless this is set, in
    // which case it is replaced only once the new tree is complete.
    bool replaceExisting = false;
    // Runs on the complete staging directory just before it is renamed into
    // place; whatever it writes lands atomically with the tree (a cache's
    // completion stamp). A failure aborts the extraction.
    std::function<Result<void>(const QString &stagingDir)> beforeCommit;
};

struct ExtractSummary
{
    QString destination; // canonical, absolute
    QString sha256;      // set when options.expectedSha256 was given
    qint64 entries = 0;
    qint64 bytes = 0; // file content written
};

// Extracts a .tar.gz, .tar.xz, .tar.zst or .zip (format detected from the
// content) so that its top level becomes `destination`. Untrusted input is
// assumed: every entry passes EntryGuard's rules first and libarchive's own
// SECURE_NODOTDOT / SECURE_SYMLINKS checks second; owners, ACLs, xattrs and
// set-id bits are never restored. The tree is built in a hidden staging
// directory beside `destination` (under its canonical parent, so no symlink
// in the destination path confuses the checks) and renamed into place only
// when every entry succeeded: on any failure nothing is left behind and
// nothing was written outside the staging directory.
// Errors: a refused entry or a hash mismatch is ErrorKind::Invalid and names
// the archive and the entry; a missing, truncated or non-archive file is
// ErrorKind::Unreadable; a disk problem is ErrorKind::Environment.
Result<ExtractSummary> extractArchive(const QString &archivePath, const QString &destination,
                                      const ExtractOptions &options = {});

} // namespace deskpack::archive
