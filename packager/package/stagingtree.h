// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "runner/bundlemanifest.h"

#include <QByteArray>
#include <QString>

namespace deskpack::package {

// Scratch files (the staging tree, the installer's runtime section): written
// without writeFileAtomically's fsync, which on ext4 flushes every file just
// staged, and as a new inode, since a staged file may be a hard link into the
// bundle. Nothing reads them after a crash: the staging directory is temporary.
Result<void> writeStagingFile(const QString &path, const QByteArray &data);

// A copy made writable by its owner, like runtime::copyFile, without
// QFile::copy's fdatasync.
Result<void> copyStagingFile(const QString &from, const QString &to);

// Mirrors the verified bundle at `bundleDir` into `stagingDir` for the
// self-contained staging, cheaply: files that staging never rewrites are hard
// links to the bundle's; ELF files, which ELF normalisation may patch in place
// (patchelf truncates and rewrites the file, which would reach the bundle
// through a link), are real copies that keep the original's mtime, so
// rescanBundle() can tell an untouched copy from a patched one. Symlinks are
// recreated as they are, every directory (empty ones too) exists. Where a hard
// link cannot be made (another file system), the file is copied like an ELF.
Result<void> stageBundleTree(const QString &bundleDir, const QString &stagingDir);

// The files and empty directories of `stagingDir` as runner::scanBundleFiles()
// lists them, but hashing only what staging changed: an entry of `verified`
// (the manifest the bundle was just verified against) whose file in the
// staging tree has the size and mtime of the bundle's own keeps its hash; new
// and patched files are hashed, in parallel. Anything that is not a file, a
// directory or a symlink is refused.
Result<runner::BundleTree> rescanBundle(const QString &bundleDir, const QString &stagingDir,
                                        const runner::BundleManifest &verified);

} // namespace deskpack::package
