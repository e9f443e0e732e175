// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "formats/bundlemanifest.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace deskpack::package {

// Scratch files (the staging tree, the installer's runtime section): written
// without writeFileAtomically's fsync, which on ext4 flushes every file just
// staged, and as a new inode. Nothing reads them after a crash: the staging
// directory is temporary.
Result<void> writeStagingFile(const QString &path, const QByteArray &data);

// A copy made writable by its owner, like runtime::copyFile, without
// QFile::copy's fdatasync.
Result<void> copyStagingFile(const QString &from, const QString &to);

// Mirrors what ELF normalisation needs of the verified bundle at `bundleDir`
// into `stagingDir`: every directory (empty ones too), every symlink as it is,
// and a copy of every ELF file and of every file named like a library (the
// normaliser finds libraries by name). Copies keep the original's mtime:
// patchelf rewrites files in place, so they are never shared with the
// bundle, and rescanBundle() tells an untouched copy from a patched one. The other
// regular files are not staged: their paths (relative, '/'-separated) are
// returned, to be archived straight from the bundle; bundle.json is neither
// (the staging writes its own).
Result<QStringList> stageBundleTree(const QString &bundleDir, const QString &stagingDir);

// The files and empty directories of the staged tree plus `fromBundle`, as
// formats::scanBundleFiles() would list them for the full tree, hashing only
// what staging changed: an entry of `verified` (the manifest the bundle was
// just verified against) whose staged copy has the size and mtime of the
// bundle's own, or that is read from the bundle with its verified size,
// keeps its hash; new and patched files are hashed, in parallel. Paths of
// `fromBundle` that staging wrote itself (bundle.json, qt.conf) are dropped
// from it. Anything that is not a file, a directory or a symlink is refused.
Result<formats::BundleTree> rescanBundle(const QString &bundleDir, const QString &stagingDir,
                                        const formats::BundleManifest &verified,
                                        QStringList &fromBundle);

} // namespace deskpack::package
