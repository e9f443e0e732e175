// SPDX-License-Identifier: MIT
#include "extractor.h"
#include "base/fileio.h"

#include "archivehandles.h"
#include "archivelogging.h"
#include "base/filehash.h"
#include "entryguard.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QTemporaryDir>

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstdio>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::archive {

namespace {

constexpr int DiskFlags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                          ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS;
// No SECURE_NOABSOLUTEPATHS: every path we hand libarchive is absolute (the
// staging prefix), which that flag would reject; EntryGuard has already
// refused absolute entry names.

constexpr size_t ReadBlockSize = 1 << 20;

EntryKind kindOf(struct archive_entry *entry)
{
    if (archive_entry_hardlink(entry))
        return EntryKind::Hardlink;
    switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
        return EntryKind::File;
    case AE_IFDIR:
        return EntryKind::Directory;
    case AE_IFLNK:
        return EntryKind::Symlink;
    default:
        return EntryKind::Special;
    }
}

QString entryName(struct archive_entry *entry)
{
    if (const char *name = archive_entry_pathname(entry))
        return QString::fromUtf8(name);
    if (const char *name = archive_entry_pathname_utf8(entry))
        return QString::fromUtf8(name);
    return {};
}

// An OS errno means the machine failed us (disk full, permissions); anything
// else from the disk writer is libarchive refusing the entry.
ErrorKind diskErrorKind(struct archive *disk)
{
    return archive_errno(disk) > 0 ? ErrorKind::Environment : ErrorKind::Invalid;
}

class Extraction
{
public:
    Extraction(const QString &archivePath, const QString &staging)
        : m_archivePath(archivePath)
        , m_stagingPrefix(QFile::encodeName(staging) + '/')
    {
    }

    Result<void> run(int fd, ExtractSummary &summary);

private:
    Error fail(ErrorKind kind, const QString &what) const
    {
        return makeError(kind, u"%1: %2"_s.arg(m_archivePath, what));
    }
    Result<void> open(int fd);
    Result<void> extractEntry(struct archive_entry *entry, ExtractSummary &summary);
    void placeInStaging(struct archive_entry *entry, EntryKind kind, const QString &path,
                        const QString &linkTarget) const;
    Result<void> writeEntry(struct archive_entry *entry, EntryKind kind, const QString &name,
                            qint64 &bytes);
    Result<void> copyData(const QString &name, qint64 &bytes);
    Result<void> finish();

    QString m_archivePath;
    QByteArray m_stagingPrefix;
    EntryGuard m_guard;
    ReadArchivePtr m_reader;
    WriteArchivePtr m_disk;
    QString m_previous; // the last entry admitted, to say where a corrupt archive broke
};

Result<void> Extraction::open(int fd)
{
    m_reader = newReadArchive();
    m_disk = newDiskWriter();
    if (!m_reader || !m_disk)
        return fail(ErrorKind::Environment, u"out of memory"_s);
    // Exactly the formats we promise; "all" would widen the attack surface to
    // every parser libarchive has (ISO, RAR, cpio, ...).
    archive_read_support_format_tar(m_reader.get());
    archive_read_support_format_zip(m_reader.get());
    archive_read_support_filter_gzip(m_reader.get());
    archive_read_support_filter_xz(m_reader.get());
    archive_read_support_filter_zstd(m_reader.get());
    archive_write_disk_set_options(m_disk.get(), DiskFlags);
    if (archive_read_open_fd(m_reader.get(), fd, ReadBlockSize) != ARCHIVE_OK) {
        return fail(ErrorKind::Unreadable,
                    u"not a supported archive: %1"_s.arg(archiveErrorString(m_reader.get())));
    }
    return {};
}

Result<void> Extraction::run(int fd, ExtractSummary &summary)
{
    // Freeing the disk writer closes it, which applies deferred directory
    // modes: that must happen before the caller renames or removes the tree.
    const auto release = qScopeGuard([this] {
        m_disk.reset();
        m_reader.reset();
    });
    if (Result<void> opened = open(fd); !opened)
        return opened;
    for (;;) {
        struct archive_entry *entry = nullptr;
        const int status = archive_read_next_header(m_reader.get(), &entry);
        if (status == ARCHIVE_EOF)
            break;
        if (status < ARCHIVE_WARN) {
            const QString why = archiveErrorString(m_reader.get());
            return fail(ErrorKind::Unreadable,
                        summary.entries == 0
                            ? u"not a supported archive (tar.gz, tar.xz, tar.zst "
                              "or zip): %1"_s.arg(why)
                            : u"truncated or corrupt after entry '%1': %2"_s.arg(m_previous, why));
        }
        if (status == ARCHIVE_WARN)
            qCWarning(lcArchive) << m_archivePath << archiveErrorString(m_reader.get());
        if (Result<void> extracted = extractEntry(entry, summary); !extracted)
            return extracted;
    }
    return finish();
}

Result<void> Extraction::extractEntry(struct archive_entry *entry, ExtractSummary &summary)
{
    const QString name = entryName(entry);
    const EntryKind kind = kindOf(entry);
    QString linkTarget;
    if (kind == EntryKind::Symlink && archive_entry_symlink(entry))
        linkTarget = QString::fromUtf8(archive_entry_symlink(entry));
    if (kind == EntryKind::Hardlink)
        linkTarget = QString::fromUtf8(archive_entry_hardlink(entry));
    Result<QString> path = m_guard.admit(name, kind, linkTarget);
    if (!path)
        return fail(path.error().kind, u"refused: %1"_s.arg(path.error().message));
    m_previous = name;
    ++summary.entries;
    if (path->isEmpty())
        return {}; // "./": the staging directory itself
    placeInStaging(entry, kind, *path, linkTarget);
    return writeEntry(entry, kind, name, summary.bytes);
}

// Points the entry (and a hardlink's target) into the staging directory and
// sanitises its mode.
void Extraction::placeInStaging(struct archive_entry *entry, EntryKind kind, const QString &path,
                                const QString &linkTarget) const
{
    archive_entry_copy_pathname(entry,
                                QByteArray(m_stagingPrefix + QFile::encodeName(path)).constData());
    if (kind == EntryKind::Hardlink) {
        const QString target = EntryGuard::splitName(linkTarget)->join(u'/');
        archive_entry_copy_hardlink(
            entry, QByteArray(m_stagingPrefix + QFile::encodeName(target)).constData());
    }
    // Never set-id or sticky bits from an archive; always enough access
    // for us to finish writing and, later, to delete the tree.
    const mode_t perm = archive_entry_perm(entry) & 0777;
    if (kind == EntryKind::Directory)
        archive_entry_set_perm(entry, perm | 0700);
    else if (kind != EntryKind::Symlink)
        archive_entry_set_perm(entry, perm | 0600);
}

Result<void> Extraction::writeEntry(struct archive_entry *entry, EntryKind kind,
                                    const QString &name, qint64 &bytes)
{
    struct archive *disk = m_disk.get();
    const int written = archive_write_header(disk, entry);
    if (written < ARCHIVE_WARN) {
        return fail(diskErrorKind(disk),
                    u"refused: entry '%1': %2"_s.arg(name, archiveErrorString(disk)));
    }
    if (written == ARCHIVE_WARN)
        qCWarning(lcArchive) << m_archivePath << name << archiveErrorString(disk);
    if (archive_entry_size(entry) > 0 || kind == EntryKind::File) {
        if (Result<void> copied = copyData(name, bytes); !copied)
            return copied;
    }
    if (archive_write_finish_entry(disk) < ARCHIVE_WARN) {
        return fail(diskErrorKind(disk),
                    u"cannot finish entry '%1': %2"_s.arg(name, archiveErrorString(disk)));
    }
    return {};
}

Result<void> Extraction::copyData(const QString &name, qint64 &bytes)
{
    struct archive *reader = m_reader.get();
    struct archive *disk = m_disk.get();
    for (;;) {
        const void *buffer = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        const int status = archive_read_data_block(reader, &buffer, &size, &offset);
        if (status == ARCHIVE_EOF)
            return {};
        if (status < ARCHIVE_WARN) {
            return fail(ErrorKind::Unreadable, u"truncated or corrupt in entry "
                                               "'%1': %2"_s.arg(name, archiveErrorString(reader)));
        }
        if (archive_write_data_block(disk, buffer, size, offset) < ARCHIVE_OK) {
            return fail(diskErrorKind(disk),
                        u"cannot write entry '%1': %2"_s.arg(name, archiveErrorString(disk)));
        }
        bytes += qint64(size);
    }
}

Result<void> Extraction::finish()
{
    if (Result<void> links = m_guard.finalCheck(); !links)
        return fail(links.error().kind, u"refused: %1"_s.arg(links.error().message));
    // Closing applies the deferred directory permissions and times.
    if (archive_write_close(m_disk.get()) != ARCHIVE_OK) {
        return fail(ErrorKind::Environment,
                    u"cannot finish extraction: %1"_s.arg(archiveErrorString(m_disk.get())));
    }
    return {};
}

bool isEmptyDirectory(const QString &path)
{
    const QFileInfo info(path);
    return info.isDir() && !info.isSymLink() &&
           QDir(path).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::System |
                              QDir::NoDotAndDotDot);
}

Result<void> commit(const QString &staging, const QString &destination, bool replaceExisting)
{
    const QFileInfo existing(destination);
    QString displaced;
    if (existing.exists() || existing.isSymLink()) {
        if (isEmptyDirectory(destination))
            QDir().rmdir(destination);
        else if (replaceExisting)
            displaced = staging + u".old"_s;
        else
            return makeError(ErrorKind::Environment,
                             u"%1: already exists and is not empty"_s.arg(destination));
    }
    if (Result<void> moved = moveIntoPlace(staging, destination, displaced); !moved)
        return moved.error();
    if (!displaced.isEmpty() && !QDir(displaced).removeRecursively())
        qCWarning(lcArchive) << "could not remove the replaced tree" << displaced;
    return {};
}

// Hashes the open archive and rewinds it, so extraction reads the very bytes
// that were checked. Returns the hash.
Result<QString> verifySha256(QFile &file, const QString &archivePath, const QString &expected)
{
    Result<QString> actual = sha256OfDevice(file, archivePath);
    if (!actual)
        return actual.error();
    if (actual->compare(expected, Qt::CaseInsensitive) != 0) {
        return makeError(ErrorKind::Invalid,
                         u"%1: SHA-256 mismatch: expected %2, got %3; nothing "
                         "extracted"_s.arg(archivePath, expected.toLower(), *actual));
    }
    if (::lseek(file.handle(), 0, SEEK_SET) != 0)
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot rewind the archive"_s.arg(archivePath));
    return actual;
}

struct Placement
{
    QString parent; // canonical
    QString name;   // the destination's file name
    QString target; // parent/name
};

// Stage under the canonical parent: libarchive's SECURE_SYMLINKS check
// would refuse a destination reached through a symlink (/tmp -> /private/tmp).
Result<Placement> placeDestination(const QString &destination, bool replaceExisting)
{
    const QFileInfo destInfo(QDir::cleanPath(QFileInfo(destination).absoluteFilePath()));
    if (destInfo.fileName().isEmpty())
        return makeError(ErrorKind::Usage, u"'%1': not a directory name"_s.arg(destination));
    if (!QDir().mkpath(destInfo.absolutePath())) {
        return makeError(ErrorKind::Environment,
                         u"%1: cannot create the parent directory"_s.arg(destination));
    }
    Placement place;
    place.parent = QFileInfo(destInfo.absolutePath()).canonicalFilePath();
    place.name = destInfo.fileName();
    place.target = place.parent + u'/' + place.name;
    if (!replaceExisting && QFileInfo::exists(place.target) && !isEmptyDirectory(place.target)) {
        return makeError(ErrorKind::Environment,
                         u"%1: already exists and is not empty"_s.arg(place.target));
    }
    return place;
}

} // namespace

Result<ExtractSummary> extractArchive(const QString &archivePath, const QString &destination,
                                      const ExtractOptions &options)
{
    if (!options.expectedSha256.isEmpty() && !isSha256Hex(options.expectedSha256)) {
        return makeError(ErrorKind::Usage, u"'%1' is not a SHA-256 (expected 64 hex digits)"_s.arg(
                                               options.expectedSha256));
    }
    QFile file(archivePath);
    if (!QFileInfo(archivePath).isFile() ||
        !file.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot open archive: %2"_s.arg(
                             archivePath, file.exists() ? file.errorString() : u"no such file"_s));
    }
    ExtractSummary summary;
    if (!options.expectedSha256.isEmpty()) {
        Result<QString> hash = verifySha256(file, archivePath, options.expectedSha256);
        if (!hash)
            return hash.error();
        summary.sha256 = *hash;
    }
    Result<Placement> place = placeDestination(destination, options.replaceExisting);
    if (!place)
        return place.error();
    QTemporaryDir staging(place->parent + u"/."_s + place->name + u".partial-XXXXXX"_s);
    if (!staging.isValid()) {
        return makeError(ErrorKind::Environment, u"%1: cannot create a staging directory: %2"_s.arg(
                                                     place->parent, staging.errorString()));
    }

    Extraction extraction(archivePath, staging.path());
    if (Result<void> done = extraction.run(file.handle(), summary); !done)
        return done.error();
    QFile::setPermissions(staging.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                              QFile::ReadGroup | QFile::ExeGroup |
                                              QFile::ReadOther | QFile::ExeOther);
    if (options.beforeCommit) {
        if (Result<void> hook = options.beforeCommit(staging.path()); !hook)
            return hook.error();
    }
    if (Result<void> moved = commit(staging.path(), place->target, options.replaceExisting); !moved)
        return moved.error();
    staging.setAutoRemove(false);
    summary.destination = place->target;
    return summary;
}

} // namespace deskpack::archive
