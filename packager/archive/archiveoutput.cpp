// SPDX-License-Identifier: MIT
#include "archiveoutput.h"
#include "base/fileio.h"

#include <QDir>
#include <QFileInfo>
#include <QThread>

#include <archive.h>
#include <cerrno>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::archive {

namespace {

la_ssize_t writeCallback(struct archive *a, void *clientData, const void *buffer, size_t length)
{
    auto *sink = static_cast<OutputSink *>(clientData);
    const qint64 n = sink->file->write(static_cast<const char *>(buffer), qint64(length));
    if (n != qint64(length)) {
        // The reason (a full disk, mostly) instead of "unknown libarchive error".
        archive_set_error(a, EIO, "%s", sink->file->errorString().toLocal8Bit().constData());
        return -1;
    }
    sink->hash->addData(QByteArrayView(static_cast<const char *>(buffer), n));
    sink->written += n;
    return la_ssize_t(n);
}

Result<void> configureFormat(struct archive *handle, ArchiveFormat format, int level)
{
    const QByteArray levelText = QByteArray::number(level);
    const char *levelValue = level >= 0 ? levelText.constData() : nullptr;
    int status = ARCHIVE_OK;
    switch (format) {
    case ArchiveFormat::TarGz:
        archive_write_set_format_pax_restricted(handle);
        status = archive_write_add_filter_gzip(handle);
        // A NULL value unsets the option: no timestamp in the gzip header.
        if (status == ARCHIVE_OK)
            status = archive_write_set_filter_option(handle, "gzip", "timestamp", nullptr);
        if (status == ARCHIVE_OK && levelValue)
            status =
                archive_write_set_filter_option(handle, "gzip", "compression-level", levelValue);
        break;
    case ArchiveFormat::TarXz:
        archive_write_set_format_pax_restricted(handle);
        status = archive_write_add_filter_xz(handle);
        if (status == ARCHIVE_OK && levelValue)
            status = archive_write_set_filter_option(handle, "xz", "compression-level", levelValue);
        // liblzma's multi-threaded encoder (fixed blocks of 3x the dictionary)
        // writes the same bytes for any thread count from 2 up, but other
        // bytes than the single-threaded one: never fewer than 2 threads, so
        // every machine writes the same archive, on all its cores.
        if (status == ARCHIVE_OK) {
            const QByteArray threads = QByteArray::number(std::max(2, QThread::idealThreadCount()));
            status = archive_write_set_filter_option(handle, "xz", "threads", threads.constData());
        }
        break;
    case ArchiveFormat::TarZst:
        archive_write_set_format_pax_restricted(handle);
        status = archive_write_add_filter_zstd(handle);
        if (status == ARCHIVE_OK && levelValue)
            status =
                archive_write_set_filter_option(handle, "zstd", "compression-level", levelValue);
        break;
    case ArchiveFormat::Zip:
        status = archive_write_set_format_zip(handle);
        if (status == ARCHIVE_OK)
            status = archive_write_set_format_option(handle, "zip", "compression", "deflate");
        if (status == ARCHIVE_OK && levelValue)
            status =
                archive_write_set_format_option(handle, "zip", "compression-level", levelValue);
        break;
    }
    if (status != ARCHIVE_OK) {
        return makeError(ErrorKind::Environment,
                         u"libarchive cannot write %1: %2"_s.arg(formatName(format),
                                                                 archiveErrorString(handle)));
    }
    // No padding of the last block: the archive ends where its data ends.
    archive_write_set_bytes_in_last_block(handle, 1);
    return {};
}

} // namespace

ArchiveOutput::ArchiveOutput(const QString &path)
    : m_path(path)
    , m_file(path)
{
}

Result<void> ArchiveOutput::open(ArchiveFormat format, int compressionLevel)
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    if (!m_file.open(QIODevice::WriteOnly))
        return makeError(ErrorKind::Environment,
                         u"%1: cannot write: %2"_s.arg(m_path, m_file.errorString()));
    m_handle = newWriteArchive();
    if (Result<void> configured = configureFormat(m_handle.get(), format, compressionLevel);
        !configured)
        return configured.error();
    if (archive_write_open2(m_handle.get(), &m_sink, nullptr, writeCallback, nullptr, nullptr) !=
        ARCHIVE_OK)
        return makeError(ErrorKind::Environment,
                         u"%1: %2"_s.arg(m_path, archiveErrorString(m_handle.get())));
    return {};
}

Result<void> ArchiveOutput::finish(WriteSummary &summary)
{
    if (archive_write_close(m_handle.get()) != ARCHIVE_OK)
        return makeError(ErrorKind::Environment,
                         u"%1: %2"_s.arg(m_path, archiveErrorString(m_handle.get())));
    if (Result<void> committed = commitSaveFile(m_file, m_path); !committed)
        return committed.error();
    summary.sha256 = QString::fromLatin1(m_hash.result().toHex());
    summary.archiveSize = m_sink.written;
    return {};
}

Result<ArchiveFormat> chosenFormat(const WriteOptions &options, const QString &archivePath)
{
    const std::optional<ArchiveFormat> format =
        options.format ? options.format : formatForFileName(archivePath);
    if (!format) {
        return makeError(ErrorKind::Usage, u"%1: unknown archive type (use .tar.gz, .tar.xz, "
                                           ".tar.zst or .zip)"_s.arg(archivePath));
    }
    return *format;
}

Error addEntryError(const QString &archivePath, const QString &name, struct archive *handle)
{
    return makeError(ErrorKind::Environment, u"%1: cannot add '%2': %3"_s.arg(
                                                 archivePath, name, archiveErrorString(handle)));
}

Result<qint64> writeFileData(struct archive *handle, QFile &file, qint64 expected,
                             QByteArray &block, const QString &archivePath, const QString &name)
{
    qint64 total = 0;
    for (;;) {
        const qint64 n = file.read(block.data(), block.size());
        if (n < 0) {
            return makeError(ErrorKind::Unreadable,
                             u"%1: read error: %2"_s.arg(file.fileName(), file.errorString()));
        }
        if (n == 0)
            break;
        if (archive_write_data(handle, block.constData(), size_t(n)) != n)
            return addEntryError(archivePath, name, handle);
        total += n;
    }
    if (total != expected) {
        return makeError(ErrorKind::Environment,
                         u"%1: changed size while being archived"_s.arg(file.fileName()));
    }
    return total;
}

} // namespace deskpack::archive
