// SPDX-License-Identifier: MIT
#pragma once

#include "formats/bundlemanifest.h"

#include <QString>
#include <QStringList>

namespace deskpack::launcher {

// What the Runtime panel and `doctor` show about a bundle's Python: the
// version bundle.json records, the core distributions the lock lists, and the
// lock checked against the core site-packages (packager/lock checkLockFile).
struct RuntimeInfo
{
    QString pythonVersion;
    QString interpreter;      // absolute
    QString lockPath;         // absolute
    QString coreSitePackages; // absolute
    int distributions = -1;   // -1: the lock could not be read
    bool lockVerified = false;
    int errors = 0;       // problems that are errors (the rest are warnings)
    QStringList problems; // errors first, then warnings, each "where: message"
    QString summary() const;
};

// Reads and checks the lock: tens of milliseconds for a real runtime, so the
// window runs it on a worker thread. Re-entrant.
RuntimeInfo inspectRuntime(const formats::BundleManifest &manifest, const QString &bundleDir);

} // namespace deskpack::launcher
