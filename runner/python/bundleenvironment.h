// SPDX-License-Identifier: MIT
#pragma once

#include "formats/bundlemanifest.h"

#include <QProcessEnvironment>
#include <QString>

namespace deskpack::runner {

// The environment of a Python process running as a bundle's backend
// (DESIGN.md, "The backend's environment"), shared by the launcher's
// supervisor and the bundle kernel: `base` with the PYTHON* clean-up, the lock
// path variable and the manifest's alias (only when the lock exists; a value
// already in `base` wins), DESKPACK_PLUGIN_SITE_PACKAGES (omitted in safe
// mode), DESKPACK_DATA_DIR, DESKPACK_BUNDLE_DIR, then the manifest's env.
// `bundleDir` and `dataDir` must be absolute.
QProcessEnvironment
bundleEnvironment(const formats::BundleManifest &manifest, const QString &bundleDir, const QString &dataDir,
                  bool safeMode = false,
                  const QProcessEnvironment &base = QProcessEnvironment::systemEnvironment());

// DATA/site-packages: where plugins are installed.
QString pluginSitePackages(const QString &dataDir);

} // namespace deskpack::runner
