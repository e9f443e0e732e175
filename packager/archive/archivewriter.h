// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>

#include <optional>

namespace deskpack::archive {

enum class ArchiveFormat
{
    TarGz,
    TarXz,
    TarZst,
    Zip
};

// From the file name: .tar.gz/.tgz, .tar.xz/.txz, .tar.zst/.tzst, .zip.
std::optional<ArchiveFormat> formatForFileName(const QString &fileName);
QString formatName(ArchiveFormat format); // "tar.gz", ...

struct WriteOptions
{
    std::optional<ArchiveFormat> format; // default: from the archive's file name
    qint64 mtime = 0;                    // every entry's mtime, seconds since the epoch
    QString topLevel;                    // entries go under this directory ("python")
    int compressionLevel = -1;           // -1: the format's default
    // writeEntries() only: symlinks may point at absolute paths. For system
    // packages (a deb's /usr/bin/<app-id> -> /opt/<app-id>/<app-id>), which
    // dpkg installs; never for archives an end user unpacks.
    bool allowAbsoluteLinks = false;
};

struct WriteSummary
{
    QString sha256; // of the archive written
    qint64 archiveSize = 0;
    qint64 entries = 0;
    qint64 contentBytes = 0; // regular file content, uncompressed
};

// Writes the tree under `sourceDir` as a deterministic archive: entries in
// byte order of their names (each directory before its contents), every mtime
// set to options.mtime, uid/gid 0 with no user or group names, permissions
// normalised to 0755/0644 (by the owner's execute bit), no atime/ctime, no
// gzip header timestamp. So the same tree gives the same bytes on any machine
// (zip: on any machine in the same time zone, since zip stores local DOS time).
// Symlinks are stored as symlinks and must stay inside the tree, as
// extractArchive() requires; fifos, sockets and devices are refused. The
// archive is written to a temporary file and renamed over `archivePath` only
// when complete.
Result<WriteSummary> writeArchive(const QString &sourceDir, const QString &archivePath,
                                  const WriteOptions &options);

// One entry of an archive composed from several sources (writeEntries()).
struct ArchiveEntry
{
    enum class Kind
    {
        Directory,
        File,
        Symlink
    };
    QString name; // '/'-separated; a leading "./" is kept as written (deb data)
    Kind kind = Kind::File;
    QString sourcePath; // File: content read from here when `data` is null
    QByteArray data;    // File: in-memory content
    QString linkTarget; // Symlink
    bool executable = false;
};

// The tree under `sourceDir` as entries named `prefix/<relative path>` (no
// entry for `prefix` itself), with the same rules as writeArchive(): symlinks
// kept as symlinks, fifos, sockets and devices refused.
Result<QList<ArchiveEntry>> listTree(const QString &sourceDir, const QString &prefix);

// Byte order of the names' UTF-8 components, so each directory comes before
// its contents and siblings are in byte order (GNU tar's --sort=name);
// a leading "./" is ignored.
bool entryNameLess(const QString &a, const QString &b);

// Writes `entries` deterministically, as writeArchive() does (sorted by
// entryNameLess(), options.mtime, uid/gid 0, modes 0755/0644); two entries of
// the same name are refused. options.topLevel is ignored: names are complete.
Result<WriteSummary> writeEntries(QList<ArchiveEntry> entries, const QString &archivePath,
                                  const WriteOptions &options);

} // namespace deskpack::archive
