// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "lock/lockfile.h"
#include "relocation.h"

#include <QList>
#include <QString>

#include <functional>

namespace deskpack::bundle {

struct BuildOptions
{
    QString configPath; // deskpack.json
    QString outDir;     // default: <config dir>/dist
    QString cacheDir;   // runtime extraction cache; default: defaultRuntimeCacheDir()
    QString launcher;   // the launcher executable to ship; empty: none
    std::function<void(int phase, int phases, const QString &what)> progress;
};

struct PhaseTiming
{
    QString name;
    qint64 milliseconds = 0;
};

struct BuildResult
{
    QString bundleDir;
    QString logFile;
    QString pythonVersion;
    int distributions = 0;
    qint64 bytes = 0;
    qint64 files = 0; // entries of bundle.json (files and links, bundle.json itself excluded)
    qint64 runtimeSourceBytes = 0; // the runtime before dependencies and pruning
    bool launcherIncluded = false;
    bool runtimeFromCache = false;
    // The pip that installed the dependencies (packager/bundle/pipselection.h).
    QString pipSource;   // "runtime", "ensurepip", "config", "environment", "system"
    QString pipVersion;  // "24.2"
    QString pipLocation; // its wheel, or its package in the finished bundle
    QList<PhaseTiming> phases;
    RelocationReport relocation;
    QList<lock::Problem> lockWarnings;
};

// Builds the bundle described by a deskpack.json (docs/app-config.md) in a
// staging directory beside the output and renames it into place only when
// every phase succeeded: runtime, pip bootstrap, offline dependency install,
// pruning, byte-compilation, relocatability audit, lock generation and
// validation, app and resources, manifest, reproducible mtimes. A failure
// leaves the previous bundle (if any) untouched and names the phase; input
// that is wrong before any work starts (a "python" that is a script or a
// venv's, a pip wheel whose hash does not match) leaves the output directory
// untouched. Messages name paths as they are in the finished bundle, never in
// the staging directory (unless DESKPACK_KEEP_STAGING=1 kept it).
Result<BuildResult> buildBundle(const BuildOptions &options);

} // namespace deskpack::bundle
