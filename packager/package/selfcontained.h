// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>
#include <QStringList>

namespace deskpack::package {

struct SelfContainedTree
{
    QString root;                // the tree to archive: the bundle itself, or the staging copy
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
// holds ELF executables (the launcher), copies the bundle to `stagingDir`,
// adds the shared libraries they need outside the base system to lib/ (and
// the Qt platform, image-format and icon-engine plugins to plugins/ when they
// link Qt GUI), gives every ELF an $ORIGIN-relative RUNPATH, writes qt.conf
// beside them and rewrites bundle.json's file list, so the copy verifies.
// Without root ELF files the bundle is returned as is. `bundleDir` must have
// just passed verification (packageBundle() verifies first): the staging
// keeps the manifest's hashes of the files it leaves untouched.
Result<SelfContainedTree> makeSelfContained(const QString &bundleDir, const QString &stagingDir);

} // namespace deskpack::package
