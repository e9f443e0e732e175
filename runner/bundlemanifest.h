// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <vector>

namespace deskpack::runner {

// How the launcher decides the backend is up.
struct Readiness
{
    enum class Kind
    {
        Http,
        Tcp,
        Heartbeat
    };
    Kind kind = Kind::Heartbeat;
    QString url;  // Http
    int port = 0; // Tcp
    int timeoutSeconds = 30;

    bool operator==(const Readiness &) const = default;
};

// One file of a bundle, by its path relative to the bundle root ('/'-separated).
struct BundleFile
{
    QString path;
    QString sha256; // of the content; empty for symlinks
    qint64 size = 0;
    bool executable = false;
    QString linkTarget; // a relative symlink's target, else empty

    bool operator==(const BundleFile &) const = default;
};

// bundle.json: everything the launcher needs to start the backend and
// everything `deskpack verify` needs to prove the bundle intact. All paths are
// relative to the bundle root, so a bundle can be moved.
struct BundleManifest
{
    static constexpr int SchemaVersion = 1;
    static constexpr const char *FileName = "bundle.json";
    static constexpr const char *LockEnvironmentVariable = "DESKPACK_CORE_LOCK_PATH";

    QString id;
    QString name;
    QString version;
    QString entryModule; // run as `python -m`, or
    QString entryScript; // relative to the bundle root (app/...)
    QStringList entryArgs;
    Readiness readiness;
    QString python;           // runtime/bin/python3.X
    QString pythonVersion;    // 3.11.2
    QString coreSitePackages; // runtime/lib/python3.X/site-packages
    QString lock;             // app/runtime-core-lock.json
    QString lockEnvAlias;     // e.g. ASTRBOT_DESKTOP_CORE_LOCK_PATH, may be empty
    QList<QPair<QString, QString>> env;
    QString launcher;              // the launcher executable (the app id), empty if none
    QString icon;                  // resources/..., may be empty
    std::vector<BundleFile> files; // sorted by path, bundle.json itself excluded

    bool operator==(const BundleManifest &) const = default;
};

// Deterministic bytes: sorted keys, 2-space indent, trailing newline.
QByteArray serializeManifest(const BundleManifest &manifest);
// Reads BUNDLE/bundle.json. Errors name the file and the key (ErrorKind::Unreadable).
Result<BundleManifest> readManifest(const QString &bundleDir);

// Hashes every file under `bundleDir` except bundle.json (in parallel);
// symlinks must stay inside the bundle. Sorted by path.
Result<std::vector<BundleFile>> scanBundleFiles(const QString &bundleDir);

struct VerifyReport
{
    QStringList missing;
    QStringList changed; // "path: why"
    QStringList extra;
    bool ok() const { return missing.isEmpty() && changed.isEmpty() && extra.isEmpty(); }
};

// Compares the files on disk with the manifest.
Result<VerifyReport> verifyBundleFiles(const BundleManifest &manifest, const QString &bundleDir);

} // namespace deskpack::runner
