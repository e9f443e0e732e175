// SPDX-License-Identifier: MIT
#pragma once

#include "archivehandles.h"
#include "archivewriter.h"
#include "base/sha256.h"

#include <QByteArray>
#include <QFile>
#include <QSaveFile>
#include <QString>

namespace deskpack::archive {

// Where libarchive's write callback puts the bytes: the file and its hash.
struct OutputSink
{
    QSaveFile *file = nullptr;
    Sha256 *hash = nullptr;
    qint64 written = 0;
};

// The output side every archive writer shares: a QSaveFile (a failed write
// leaves no half archive behind), the SHA-256 of the bytes as they are
// written, and the libarchive handle, configured for deterministic output
// (no gzip timestamp, no padding of the last block), writing into them.
class ArchiveOutput
{
public:
    explicit ArchiveOutput(const QString &path);

    Result<void> open(ArchiveFormat format, int compressionLevel);
    const WriteArchivePtr &handle() const { return m_handle; }
    // Closes the archive, commits the file and records its hash and size.
    Result<void> finish(WriteSummary &summary);

private:
    QString m_path;
    QSaveFile m_file;
    Sha256 m_hash;
    OutputSink m_sink{&m_file, &m_hash, 0};
    WriteArchivePtr m_handle;
};

// options.format, else the format the archive's file name names.
Result<ArchiveFormat> chosenFormat(const WriteOptions &options, const QString &archivePath);

// "<archive>: cannot add '<name>': <libarchive's reason>".
Error addEntryError(const QString &archivePath, const QString &name, struct archive *handle);

// Copies the open `file` into the current entry of `handle` through `block`,
// and returns the bytes copied. A file whose size is no longer `expected`
// (it changed while being archived) fails: its header already promised that size.
Result<qint64> writeFileData(struct archive *handle, QFile &file, qint64 expected,
                             QByteArray &block, const QString &archivePath, const QString &name);

} // namespace deskpack::archive
