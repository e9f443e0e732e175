// SPDX-License-Identifier: MIT
#include "archivewriter.h"
#include "base/fileio.h"

#include "archivehandles.h"
#include "entryguard.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QThread>

#include <archive.h>
#include <archive_entry.h>
#include <cerrno>

#include <algorithm>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::archive {

namespace {

struct Sink
{
    QSaveFile *file = nullptr;
    QCryptographicHash *hash = nullptr;
    qint64 written = 0;
};

la_ssize_t writeCallback(struct archive *a, void *clientData, const void *buffer, size_t length)
{
    auto *sink = static_cast<Sink *>(clientData);
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

class TreeWriter
{
public:
    TreeWriter(struct archive *handle, const QString &archivePath, const QString &root,
               const WriteOptions &options)
        : m_archive(handle)
        , m_archivePath(archivePath)
        , m_root(root)
        , m_options(options)
    {
    }

    Result<void> writeTopLevel();
    Result<void> writeDirectory(const QString &relative);
    qint64 entries() const { return m_entries; }
    qint64 contentBytes() const { return m_contentBytes; }

private:
    Result<void> writeEntry(const QString &relative, const QFileInfo &info);
    Result<void> writeContent(const QString &path, const QString &name);
    Error archiveError(const QString &name) const
    {
        return makeError(
            ErrorKind::Environment,
            u"%1: cannot add '%2': %3"_s.arg(m_archivePath, name, archiveErrorString(m_archive)));
    }

    struct archive *m_archive;
    QString m_archivePath;
    QString m_root;
    WriteOptions m_options;
    EntryGuard m_guard; // the reader's rules, so we never write what we would refuse
    qint64 m_entries = 0;
    qint64 m_contentBytes = 0;
};

Result<void> TreeWriter::writeDirectory(const QString &relative)
{
    QDir dir(relative.isEmpty() ? m_root : m_root + u'/' + relative);
    QStringList names = dir.entryList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::NoSort);
    // Byte order of the UTF-8 names: independent of locale and of QDir's collation.
    std::sort(names.begin(), names.end(),
              [](const QString &a, const QString &b) { return a.toUtf8() < b.toUtf8(); });
    for (const QString &name : std::as_const(names)) {
        const QString child = relative.isEmpty() ? name : relative + u'/' + name;
        const QFileInfo info(m_root + u'/' + child);
        if (Result<void> done = writeEntry(child, info); !done)
            return done;
        if (info.isDir() && !info.isSymLink()) {
            if (Result<void> done = writeDirectory(child); !done)
                return done;
        }
    }
    return {};
}

Result<void> TreeWriter::writeTopLevel()
{
    EntryPtr entry = newEntry();
    archive_entry_set_pathname_utf8(entry.get(), m_options.topLevel.toUtf8().constData());
    archive_entry_set_mtime(entry.get(), time_t(m_options.mtime), 0);
    archive_entry_set_filetype(entry.get(), AE_IFDIR);
    archive_entry_set_perm(entry.get(), 0755);
    if (Result<QString> ok = m_guard.admit(m_options.topLevel, EntryKind::Directory); !ok)
        return makeError(ErrorKind::Usage, ok.error().message);
    if (archive_write_header(m_archive, entry.get()) < ARCHIVE_WARN)
        return archiveError(m_options.topLevel);
    ++m_entries;
    return {};
}

Result<void> TreeWriter::writeEntry(const QString &relative, const QFileInfo &info)
{
    const QString name =
        m_options.topLevel.isEmpty() ? relative : m_options.topLevel + u'/' + relative;
    EntryPtr entry = newEntry();
    archive_entry_set_pathname_utf8(entry.get(), name.toUtf8().constData());
    archive_entry_set_mtime(entry.get(), time_t(m_options.mtime), 0);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    const bool executable = info.permissions() & QFile::ExeOwner;
    EntryKind kind = EntryKind::Special;
    QString target;
    if (info.isSymLink()) {
        kind = EntryKind::Symlink;
        target = readLinkTarget(info.filePath());
        archive_entry_set_filetype(entry.get(), AE_IFLNK);
        archive_entry_set_perm(entry.get(), 0777);
        archive_entry_set_symlink_utf8(entry.get(), target.toUtf8().constData());
    } else if (info.isDir()) {
        kind = EntryKind::Directory;
        archive_entry_set_filetype(entry.get(), AE_IFDIR);
        archive_entry_set_perm(entry.get(), 0755);
    } else if (info.isFile()) {
        kind = EntryKind::File;
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), executable ? 0755 : 0644);
        archive_entry_set_size(entry.get(), info.size());
    }
    if (Result<QString> ok = m_guard.admit(name, kind, target); !ok) {
        return makeError(ErrorKind::Invalid,
                         u"%1: not archived: %2"_s.arg(m_root, ok.error().message));
    }
    if (archive_write_header(m_archive, entry.get()) < ARCHIVE_WARN)
        return archiveError(name);
    ++m_entries;
    if (kind == EntryKind::File)
        return writeContent(info.filePath(), name);
    return {};
}

Result<void> TreeWriter::writeContent(const QString &path, const QString &name)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot open: %2"_s.arg(path, file.errorString()));
    }
    const qint64 expected = file.size();
    QByteArray block(1 << 20, Qt::Uninitialized);
    qint64 total = 0;
    for (;;) {
        const qint64 n = file.read(block.data(), block.size());
        if (n < 0) {
            return makeError(ErrorKind::Unreadable,
                             u"%1: read error: %2"_s.arg(path, file.errorString()));
        }
        if (n == 0)
            break;
        if (archive_write_data(m_archive, block.constData(), size_t(n)) != n)
            return archiveError(name);
        total += n;
    }
    if (total != expected) {
        return makeError(ErrorKind::Environment,
                         u"%1: changed size while being archived"_s.arg(path));
    }
    m_contentBytes += total;
    return {};
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

std::optional<ArchiveFormat> formatForFileName(const QString &fileName)
{
    const QString name = QFileInfo(fileName).fileName().toLower();
    if (name.endsWith(u".tar.gz") || name.endsWith(u".tgz"))
        return ArchiveFormat::TarGz;
    if (name.endsWith(u".tar.xz") || name.endsWith(u".txz"))
        return ArchiveFormat::TarXz;
    if (name.endsWith(u".tar.zst") || name.endsWith(u".tzst"))
        return ArchiveFormat::TarZst;
    if (name.endsWith(u".zip"))
        return ArchiveFormat::Zip;
    return std::nullopt;
}

QString formatName(ArchiveFormat format)
{
    switch (format) {
    case ArchiveFormat::TarGz:
        return u"tar.gz"_s;
    case ArchiveFormat::TarXz:
        return u"tar.xz"_s;
    case ArchiveFormat::TarZst:
        return u"tar.zst"_s;
    case ArchiveFormat::Zip:
        return u"zip"_s;
    }
    return {};
}

qint64 sourceDateEpoch(qint64 fallback)
{
    bool ok = false;
    const qint64 value = qEnvironmentVariable("SOURCE_DATE_EPOCH").trimmed().toLongLong(&ok);
    return ok && value >= 0 ? value : fallback;
}

namespace {

// The output side every archive writer shares: a QSaveFile (a failed write
// leaves no half archive behind), the SHA-256 of the bytes as they are
// written, and the libarchive handle writing into them.
class ArchiveOutput
{
public:
    explicit ArchiveOutput(const QString &path)
        : m_path(path)
        , m_file(path)
    {
    }

    Result<void> open(ArchiveFormat format, int compressionLevel)
    {
        QDir().mkpath(QFileInfo(m_path).absolutePath());
        if (!m_file.open(QIODevice::WriteOnly))
            return makeError(ErrorKind::Environment,
                             u"%1: cannot write: %2"_s.arg(m_path, m_file.errorString()));
        m_handle = newWriteArchive();
        if (Result<void> configured = configureFormat(m_handle.get(), format, compressionLevel);
            !configured)
            return configured.error();
        if (archive_write_open2(m_handle.get(), &m_sink, nullptr, writeCallback, nullptr,
                                nullptr) != ARCHIVE_OK)
            return makeError(ErrorKind::Environment,
                             u"%1: %2"_s.arg(m_path, archiveErrorString(m_handle.get())));
        return {};
    }

    const WriteArchivePtr &handle() const { return m_handle; }

    // Closes the archive, commits the file and records its hash and size.
    Result<void> finish(WriteSummary &summary)
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

private:
    QString m_path;
    QSaveFile m_file;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
    Sink m_sink{&m_file, &m_hash, 0};
    WriteArchivePtr m_handle;
};

} // namespace

Result<WriteSummary> writeArchive(const QString &sourceDir, const QString &archivePath,
                                  const WriteOptions &options)
{
    const QFileInfo source(sourceDir);
    if (!source.isDir()) {
        return makeError(ErrorKind::Unreadable, u"%1: not a directory"_s.arg(sourceDir));
    }
    const std::optional<ArchiveFormat> format =
        options.format ? options.format : formatForFileName(archivePath);
    if (!format) {
        return makeError(ErrorKind::Usage, u"%1: unknown archive type (use .tar.gz, .tar.xz, "
                                           ".tar.zst or .zip)"_s.arg(archivePath));
    }
    if (!options.topLevel.isEmpty()) {
        Result<QStringList> top = EntryGuard::splitName(options.topLevel);
        if (!top || top->isEmpty())
            return makeError(ErrorKind::Usage,
                             u"'%1': not a valid top-level directory name"_s.arg(options.topLevel));
    }

    ArchiveOutput output(archivePath);
    if (Result<void> opened = output.open(*format, options.compressionLevel); !opened)
        return opened.error();
    const WriteArchivePtr &handle = output.handle();
    const QString root = QDir::cleanPath(source.absoluteFilePath());
    TreeWriter writer(handle.get(), archivePath, root, options);
    if (!options.topLevel.isEmpty()) {
        if (Result<void> top = writer.writeTopLevel(); !top)
            return top.error();
    }
    if (Result<void> tree = writer.writeDirectory(QString()); !tree)
        return tree.error();
    WriteSummary summary;
    if (Result<void> finished = output.finish(summary); !finished)
        return finished.error();
    summary.entries = writer.entries();
    summary.contentBytes = writer.contentBytes();
    return summary;
}

namespace {

QList<QByteArray> nameComponents(const QString &name)
{
    QList<QByteArray> out;
    for (const QString &part : name.split(u'/', Qt::SkipEmptyParts)) {
        if (part != u".")
            out.append(part.toUtf8());
    }
    return out;
}

Result<void> listDirectory(const QString &root, const QString &relative, const QString &prefix,
                           QList<ArchiveEntry> &out)
{
    QDir dir(relative.isEmpty() ? root : root + u'/' + relative);
    const QStringList names = dir.entryList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::NoSort);
    for (const QString &name : names) {
        const QString child = relative.isEmpty() ? name : relative + u'/' + name;
        const QFileInfo info(root + u'/' + child);
        ArchiveEntry entry;
        entry.name = prefix.isEmpty() ? child : prefix + u'/' + child;
        if (info.isSymLink()) {
            entry.kind = ArchiveEntry::Kind::Symlink;
            entry.linkTarget = readLinkTarget(info.filePath());
        } else if (info.isDir()) {
            entry.kind = ArchiveEntry::Kind::Directory;
        } else if (info.isFile()) {
            entry.kind = ArchiveEntry::Kind::File;
            entry.sourcePath = info.filePath();
            entry.executable = info.permissions() & QFile::ExeOwner;
        } else {
            return makeError(
                ErrorKind::Invalid,
                u"%1: not archived: '%2' is a fifo, socket or device"_s.arg(root, child));
        }
        out.append(entry);
        if (entry.kind == ArchiveEntry::Kind::Directory) {
            if (Result<void> done = listDirectory(root, child, prefix, out); !done)
                return done;
        }
    }
    return {};
}

} // namespace

bool entryNameLess(const QString &a, const QString &b)
{
    return nameComponents(a) < nameComponents(b);
}

Result<QList<ArchiveEntry>> listTree(const QString &sourceDir, const QString &prefix)
{
    const QFileInfo source(sourceDir);
    if (!source.isDir())
        return makeError(ErrorKind::Unreadable, u"%1: not a directory"_s.arg(sourceDir));
    QList<ArchiveEntry> out;
    if (Result<void> done =
            listDirectory(QDir::cleanPath(source.absoluteFilePath()), QString(), prefix, out);
        !done)
        return done.error();
    return out;
}

Result<WriteSummary> writeEntries(QList<ArchiveEntry> entries, const QString &archivePath,
                                  const WriteOptions &options)
{
    const std::optional<ArchiveFormat> format =
        options.format ? options.format : formatForFileName(archivePath);
    if (!format) {
        return makeError(ErrorKind::Usage, u"%1: unknown archive type (use .tar.gz, .tar.xz, "
                                           ".tar.zst or .zip)"_s.arg(archivePath));
    }
    std::stable_sort(
        entries.begin(), entries.end(),
        [](const ArchiveEntry &a, const ArchiveEntry &b) { return entryNameLess(a.name, b.name); });
    for (qsizetype i = 1; i < entries.size(); ++i) {
        if (nameComponents(entries[i - 1].name) == nameComponents(entries[i].name)) {
            return makeError(ErrorKind::Invalid,
                             u"%1: two entries named '%2'"_s.arg(archivePath, entries[i].name));
        }
    }

    ArchiveOutput output(archivePath);
    if (Result<void> opened = output.open(*format, options.compressionLevel); !opened)
        return opened.error();
    const WriteArchivePtr &handle = output.handle();
    auto archiveError = [&](const QString &name) {
        return makeError(
            ErrorKind::Environment,
            u"%1: cannot add '%2': %3"_s.arg(archivePath, name, archiveErrorString(handle.get())));
    };
    EntryGuard guard;
    WriteSummary summary;
    QByteArray block(1 << 20, Qt::Uninitialized);
    for (const ArchiveEntry &e : std::as_const(entries)) {
        EntryPtr entry = newEntry();
        archive_entry_set_pathname_utf8(entry.get(), e.name.toUtf8().constData());
        archive_entry_set_mtime(entry.get(), time_t(options.mtime), 0);
        archive_entry_set_uid(entry.get(), 0);
        archive_entry_set_gid(entry.get(), 0);
        EntryKind kind = EntryKind::File;
        QFile content;
        qint64 size = 0;
        switch (e.kind) {
        case ArchiveEntry::Kind::Directory:
            kind = EntryKind::Directory;
            archive_entry_set_filetype(entry.get(), AE_IFDIR);
            archive_entry_set_perm(entry.get(), 0755);
            break;
        case ArchiveEntry::Kind::Symlink:
            kind = EntryKind::Symlink;
            archive_entry_set_filetype(entry.get(), AE_IFLNK);
            archive_entry_set_perm(entry.get(), 0777);
            archive_entry_set_symlink_utf8(entry.get(), e.linkTarget.toUtf8().constData());
            break;
        case ArchiveEntry::Kind::File:
            archive_entry_set_filetype(entry.get(), AE_IFREG);
            archive_entry_set_perm(entry.get(), e.executable ? 0755 : 0644);
            if (e.data.isNull()) {
                content.setFileName(e.sourcePath);
                if (!content.open(QIODevice::ReadOnly)) {
                    return makeError(
                        ErrorKind::Unreadable,
                        u"%1: cannot open: %2"_s.arg(e.sourcePath, content.errorString()));
                }
                size = content.size();
            } else {
                size = e.data.size();
            }
            archive_entry_set_size(entry.get(), size);
            break;
        }
        const bool absoluteLink = kind == EntryKind::Symlink && e.linkTarget.startsWith(u'/');
        if (!(absoluteLink && options.allowAbsoluteLinks)) {
            if (Result<QString> ok = guard.admit(e.name, kind, e.linkTarget); !ok) {
                return makeError(ErrorKind::Invalid,
                                 u"%1: not archived: %2"_s.arg(archivePath, ok.error().message));
            }
        }
        if (archive_write_header(handle.get(), entry.get()) < ARCHIVE_WARN)
            return archiveError(e.name);
        ++summary.entries;
        if (kind != EntryKind::File)
            continue;
        if (!e.data.isNull()) {
            if (archive_write_data(handle.get(), e.data.constData(), size_t(size)) != size)
                return archiveError(e.name);
            summary.contentBytes += size;
            continue;
        }
        qint64 total = 0;
        for (;;) {
            const qint64 n = content.read(block.data(), block.size());
            if (n < 0) {
                return makeError(ErrorKind::Unreadable,
                                 u"%1: read error: %2"_s.arg(e.sourcePath, content.errorString()));
            }
            if (n == 0)
                break;
            if (archive_write_data(handle.get(), block.constData(), size_t(n)) != n)
                return archiveError(e.name);
            total += n;
        }
        if (total != size) {
            return makeError(ErrorKind::Environment,
                             u"%1: changed size while being archived"_s.arg(e.sourcePath));
        }
        summary.contentBytes += total;
    }
    if (Result<void> finished = output.finish(summary); !finished)
        return finished.error();
    return summary;
}

} // namespace deskpack::archive
