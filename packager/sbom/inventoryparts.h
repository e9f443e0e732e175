// SPDX-License-Identifier: MIT
#pragma once

#include "formats/bundlemanifest.h"
#include "sbom/inventory.h"

namespace deskpack::sbom {

// The Python runtime as a component: bundle.json's interpreter and version,
// its origin (runtimeOrigin) as properties and in the purl (a Debian package
// is pkg:deb/debian/<package>@<version>; otherwise pkg:generic/cpython, with
// the archive's checksum as a qualifier).
Component runtimeComponent(const formats::BundleManifest &manifest);

// The launcher executable (version from the "deskpack-launcher-version: V"
// marker it carries) and the Qt it runs on: the bundled libQt6* components
// when the bundle carries Qt (an edge from the launcher to each), else a
// "qt:system" component with the lowest Qt version the launcher asks of the
// machine (its Qt_6.N symbol-version need). No launcher, nothing added.
void addLauncher(const QString &bundleDir, const formats::BundleManifest &manifest,
                 Inventory &inventory);

// The SHA-256 bundle.json records for `path`, following relative links.
QString manifestSha256(const formats::BundleManifest &manifest, const QString &path);

} // namespace deskpack::sbom
