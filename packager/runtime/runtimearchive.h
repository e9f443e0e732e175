// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "runtime/hostruntime.h"

#include <QString>
#include <QStringList>

namespace deskpack::runtime {

// The metadata `deskpack runtime pack` writes beside an archive
// (FILE.tar.gz.json). python-build-standalone's install_only archives carry
// none, so this is what CI caches and bundle manifests rely on.
struct RuntimeMetadata
{
    QString pythonVersion;  // "3.11.2"
    QString implementation; // "cpython"
    QString abiTag;         // "cp311"
    QString platformTag;    // "linux_x86_64"
    QString interpreter;    // inside the archive: "python/bin/python3.11"
    QString archive;        // file name of the archive
    QString sha256;
    qint64 size = 0;
};

QByteArray serializeRuntimeMetadata(const RuntimeMetadata &metadata);
Result<RuntimeMetadata> readRuntimeMetadata(const QString &path);

struct PackOptions
{
    qint64 mtime = -1; // -1: SOURCE_DATE_EPOCH, else 1980-01-01 (the zip epoch)
    QStringList excludedModules;
};

struct PackedRuntime
{
    QString archivePath;
    QString metadataPath;
    RuntimeMetadata metadata;
    qint64 runtimeBytes = 0; // file content of the runtime tree, uncompressed
    qint64 entries = 0;
};

// copyHostRuntime() into a temporary directory, then writeArchive() with the
// top-level directory "python/" (any format writeArchive knows, from the file
// name), then the metadata to `archivePath` + ".json". The same interpreter
// and epoch give a byte-identical archive.
Result<PackedRuntime> packHostRuntime(const QString &hostInterpreter, const QString &archivePath,
                                      const PackOptions &options = {});

// $XDG_CACHE_HOME/deskpack/runtimes (~/.cache/deskpack/runtimes).
QString defaultRuntimeCacheDir();

struct CachedRuntime
{
    QString root;        // <cache>/<sha256>/python
    QString interpreter; // root/bin/python3.X
    QString sha256;
    bool reused = false; // found complete in the cache, nothing extracted
};

// A runtime from an install_only archive: the archive's SHA-256 is checked
// against `expectedSha256` (when given) before anything is extracted, then it
// is extracted safely into <cacheDir>/<sha256>/ unless a complete extraction
// is already there. Completion is a stamp file written last, inside the
// staging directory that is renamed into place, so an interrupted extraction
// is never reused; a directory without the stamp is replaced.
Result<CachedRuntime> runtimeFromArchive(const QString &archivePath, const QString &expectedSha256,
                                         const QString &cacheDir = {});

} // namespace deskpack::runtime
