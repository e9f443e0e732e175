// SPDX-License-Identifier: MIT
#pragma once

#include "archive/archivewriter.h"
#include "base/result.h"

#include <QString>
#include <QStringList>

namespace deskpack::package {

struct SelfContainedTree
{
    QString bundleDir;           // the bundle packaged
    QString root;                // the tree to archive: the bundle itself, or the staging copy
    QStringList fromBundle;      // files archived from bundleDir, not staged (relative paths)
    QStringList rootExecutables; // ELF files found at the bundle root
    QStringList copiedLibraries; // sonames now under lib/
    QStringList copiedPlugins;   // plugins/<dir>/<file>
};

// Copies the build machine's Qt plugins a Widgets program loads (platforms
// xcb/offscreen/minimal, xcbglintegrations, imageformats, iconengines) to
// <root>/plugins/, appending "plugins/<dir>/<file>" to `copied`.
Result<void> copyQtPlugins(const QString &root, QStringList &copied);

// ELF files directly under `bundleDir` (the launcher, <app-id>), sorted.
QStringList rootElfFiles(const QString &bundleDir);

// For archives meant to run where no Qt is installed: when the bundle root
// holds ELF executables (the launcher), stages the bundle in `stagingDir`
// (its ELF files, links and directories; the other files are archived from
// the bundle, see writeTreeArchive()), adds the shared libraries they need outside the base system
// to lib/ (and the Qt platform, image-format and icon-engine plugins to plugins/ when they link Qt
// GUI), gives every ELF an $ORIGIN-relative RUNPATH, writes qt.conf beside them and rewrites
// bundle.json's file list, so the result verifies. Without root ELF files the bundle is returned as
// is. `bundleDir` must have just passed verification (packageBundle() verifies first): the staging
// keeps the manifest's hashes of the files it leaves untouched.
Result<SelfContainedTree> makeSelfContained(const QString &bundleDir, const QString &stagingDir);

// Archives `tree` as writeArchive() archives a directory (options.topLevel
// as the top directory, or none): the staged tree plus the files read
// straight from the bundle. The same tree gives the same bytes as
// writeArchive() of a full copy would.
Result<archive::WriteSummary> writeTreeArchive(const SelfContainedTree &tree, const QString &path,
                                               const archive::WriteOptions &options);

} // namespace deskpack::package
