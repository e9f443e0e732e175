// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>

#include <functional>

namespace deskpack::delta {

// Update deltas: the files that turn one bundle tree (a directory whose
// bundle.json verifies) into the next version's. Unchanged files are found by
// SHA-256 (also when they moved), changed files are zstd patches against the
// old file of the same path, new files are compressed whole, and the new
// bundle.json travels inside, so applying rebuilds the exact new tree and
// proves it with formats::verifyBundleFiles. The file format is described in
// deltaformat.h and docs/release-engineering.md ("Update deltas").

struct DeltaSummary
{
    QString appId, fromVersion, toVersion;
    // Files: unchanged (copied from the old tree, also from another path),
    // patched (zstd against the old file), added (stored whole), removed.
    qint64 unchanged = 0, patched = 0, added = 0, removed = 0;
    qint64 size = 0; // bytes of the delta file
    QString sha256;  // of the delta file
};

struct DeltaOptions
{
    int level = 19; // zstd level of patches and whole files
};

// Writes deltaFile (temporary + rename, deterministic bytes) turning the tree
// at fromDir into the tree at toDir. Both must verify against their
// bundle.json (else ErrorKind::Invalid naming the tree). After writing, applies
// the delta to fromDir in a scratch directory and compares with toDir; a delta
// that does not reproduce toDir byte for byte is an error and no file is left.
Result<DeltaSummary> writeDelta(const QString &fromDir, const QString &toDir,
                                const QString &deltaFile, const DeltaOptions &options = {});

// The delta's header (app id, versions, counts) without applying it.
Result<DeltaSummary> readDeltaHeader(const QString &deltaFile);

struct ApplyOptions
{
    // Called on the calling thread between batches of files with the fraction
    // of bytes done; returning false cancels (ErrorKind::Environment "cancelled").
    std::function<bool(double fraction)> progress;
};

// Builds the new tree at outDir (must not exist) from the tree at fromDir
// (only read) and the delta: every source file's SHA-256 checked before use
// (mismatch: ErrorKind::Invalid "<fromDir>/<path>: changed since it was
// installed"), every written file against the new bundle.json carried in the
// delta (written last), links, empty directories and executable bits as it
// says; then formats::verifyBundleFiles(outDir). Any failure (corrupt delta:
// ErrorKind::Invalid, full disk: ErrorKind::Environment) removes outDir and
// returns the error naming the delta file.
Result<DeltaSummary> applyDelta(const QString &fromDir, const QString &deltaFile,
                                const QString &outDir, const ApplyOptions &options = {});

} // namespace deskpack::delta
