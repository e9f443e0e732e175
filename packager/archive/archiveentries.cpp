// SPDX-License-Identifier: MIT
// Archives composed from several sources (a deb's data, an installer's
// payload): entries listed from trees or made in memory, put in a
// deterministic order and written by writeEntries().
#include "archivewriter.h"
#include "base/fileio.h"

#include "archiveoutput.h"
#include "entryguard.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::archive {

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

// Puts the entries in entryNameLess() order; two of the same name are refused,
// since an archive holding both would be extracted as whichever came last.
Result<void> sortEntries(QList<ArchiveEntry> &entries, const QString &archivePath)
{
    std::stable_sort(
        entries.begin(), entries.end(),
        [](const ArchiveEntry &a, const ArchiveEntry &b) { return entryNameLess(a.name, b.name); });
    for (qsizetype i = 1; i < entries.size(); ++i) {
        if (nameComponents(entries[i - 1].name) == nameComponents(entries[i].name)) {
            return makeError(ErrorKind::Invalid,
                             u"%1: two entries named '%2'"_s.arg(archivePath, entries[i].name));
        }
    }
    return {};
}

EntryKind guardKind(ArchiveEntry::Kind kind)
{
    switch (kind) {
    case ArchiveEntry::Kind::Directory:
        return EntryKind::Directory;
    case ArchiveEntry::Kind::Symlink:
        return EntryKind::Symlink;
    case ArchiveEntry::Kind::File:
        break;
    }
    return EntryKind::File;
}

// The normalised header: options.mtime, uid/gid 0, mode 0755/0644 (0777 for
// links). A file's size is set once its content is known.
EntryPtr entryHeader(const ArchiveEntry &e, qint64 mtime)
{
    EntryPtr entry = newEntry();
    archive_entry_set_pathname_utf8(entry.get(), e.name.toUtf8().constData());
    archive_entry_set_mtime(entry.get(), time_t(mtime), 0);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    switch (e.kind) {
    case ArchiveEntry::Kind::Directory:
        archive_entry_set_filetype(entry.get(), AE_IFDIR);
        archive_entry_set_perm(entry.get(), 0755);
        break;
    case ArchiveEntry::Kind::Symlink:
        archive_entry_set_filetype(entry.get(), AE_IFLNK);
        archive_entry_set_perm(entry.get(), 0777);
        archive_entry_set_symlink_utf8(entry.get(), e.linkTarget.toUtf8().constData());
        break;
    case ArchiveEntry::Kind::File:
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), e.executable ? 0755 : 0644);
        break;
    }
    return entry;
}

// Writes sorted entries one by one into an open archive.
class EntryListWriter
{
public:
    EntryListWriter(struct archive *handle, const QString &archivePath, const WriteOptions &options)
        : m_archive(handle)
        , m_archivePath(archivePath)
        , m_options(options)
    {
    }

    Result<void> write(const ArchiveEntry &e, WriteSummary &summary);

private:
    Result<void> admit(const ArchiveEntry &e);
    Result<qint64> writeContent(const ArchiveEntry &e, QFile &content, qint64 size);

    struct archive *m_archive;
    QString m_archivePath;
    const WriteOptions &m_options;
    EntryGuard m_guard; // the reader's rules, so we never write what we would refuse
    QByteArray m_block{1 << 20, Qt::Uninitialized};
};

Result<void> EntryListWriter::write(const ArchiveEntry &e, WriteSummary &summary)
{
    EntryPtr entry = entryHeader(e, m_options.mtime);
    QFile content;
    qint64 size = 0;
    if (e.kind == ArchiveEntry::Kind::File) {
        if (e.data.isNull()) {
            content.setFileName(e.sourcePath);
            if (!content.open(QIODevice::ReadOnly)) {
                return makeError(ErrorKind::Unreadable,
                                 u"%1: cannot open: %2"_s.arg(e.sourcePath, content.errorString()));
            }
            size = content.size();
        } else {
            size = e.data.size();
        }
        archive_entry_set_size(entry.get(), size);
    }
    if (Result<void> admitted = admit(e); !admitted)
        return admitted;
    if (archive_write_header(m_archive, entry.get()) < ARCHIVE_WARN)
        return addEntryError(m_archivePath, e.name, m_archive);
    ++summary.entries;
    if (e.kind != ArchiveEntry::Kind::File)
        return {};
    Result<qint64> written = writeContent(e, content, size);
    if (!written)
        return written.error();
    summary.contentBytes += *written;
    return {};
}

Result<void> EntryListWriter::admit(const ArchiveEntry &e)
{
    const EntryKind kind = guardKind(e.kind);
    const bool absoluteLink = kind == EntryKind::Symlink && e.linkTarget.startsWith(u'/');
    if (absoluteLink && m_options.allowAbsoluteLinks)
        return {};
    if (Result<QString> ok = m_guard.admit(e.name, kind, e.linkTarget); !ok) {
        return makeError(ErrorKind::Invalid,
                         u"%1: not archived: %2"_s.arg(m_archivePath, ok.error().message));
    }
    return {};
}

Result<qint64> EntryListWriter::writeContent(const ArchiveEntry &e, QFile &content, qint64 size)
{
    if (e.data.isNull())
        return writeFileData(m_archive, content, size, m_block, m_archivePath, e.name);
    if (archive_write_data(m_archive, e.data.constData(), size_t(size)) != size)
        return addEntryError(m_archivePath, e.name, m_archive);
    return size;
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
    const Result<ArchiveFormat> format = chosenFormat(options, archivePath);
    if (!format)
        return format.error();
    if (Result<void> sorted = sortEntries(entries, archivePath); !sorted)
        return sorted.error();

    ArchiveOutput output(archivePath);
    if (Result<void> opened = output.open(*format, options.compressionLevel); !opened)
        return opened.error();
    EntryListWriter writer(output.handle().get(), archivePath, options);
    WriteSummary summary;
    for (const ArchiveEntry &e : std::as_const(entries)) {
        if (Result<void> written = writer.write(e, summary); !written)
            return written.error();
    }
    if (Result<void> finished = output.finish(summary); !finished)
        return finished.error();
    return summary;
}

} // namespace deskpack::archive
