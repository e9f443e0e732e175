// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "package.h"
#include "formats/bundlemanifest.h"
#include "selfcontained.h"

namespace deskpack::package {

// The deskpack-installer template: `override` when set, else
// $DESKPACK_INSTALLER_TEMPLATE, else deskpack-installer beside the running
// program (how `deskpack` ships it).
QString installerTemplatePath(const QString &override);

// deskpack-installer-stub beside the running program, unless a template was
// named (the option or $DESKPACK_INSTALLER_TEMPLATE): then the installer is
// the plain template, which needs the system's Qt. Empty when there is none.
QString installerStubPath(const QString &templateOverride);

// The runtime section the stub unpacks: `program` with the Qt libraries and
// plugins it needs from the build machine (as the self-contained archives
// carry them), $ORIGIN RUNPATHs and qt.conf, each file zlib-compressed in
// name order, then "DPKRT001", `offset` (where the section starts in the
// installer), its size and its file count (u64 LE). Deterministic.
Result<QByteArray> installerRuntimeSection(const QString &program, const QString &scratch,
                                           qint64 offset, QStringList *libraries);

// The app's licence text: the first of app/LICENSE, app/LICENSE.txt,
// app/LICENSE.md, app/LICENCE, app/COPYING in `tree` (UTF-8), else empty.
QString findLicenceText(const QString &tree);

// Writes `path` = template + tar.zst of `tree` (its entries at the archive's root) + header +
// trailer (installerformat.h), executable, through a temporary file renamed into place. Same
// template and tree give the same bytes. The licence and icon come from tree.bundleDir.
Result<PackageResult> writeInstaller(const SelfContainedTree &tree,
                                     const formats::BundleManifest &manifest,
                                     const PackageOptions &options, qint64 mtime,
                                     const QString &path);

} // namespace deskpack::package
