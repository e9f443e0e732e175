// SPDX-License-Identifier: MIT
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
        return addEntryError(m_archivePath, name, m_archive);
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
    QByteArray block(1 << 20, Qt::Uninitialized);
    Result<qint64> written =
        writeFileData(m_archive, file, file.size(), block, m_archivePath, name);
    if (!written)
        return written.error();
    m_contentBytes += *written;
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

Result<WriteSummary> writeArchive(const QString &sourceDir, const QString &archivePath,
                                  const WriteOptions &options)
{
    const QFileInfo source(sourceDir);
    if (!source.isDir()) {
        return makeError(ErrorKind::Unreadable, u"%1: not a directory"_s.arg(sourceDir));
    }
    const Result<ArchiveFormat> format = chosenFormat(options, archivePath);
    if (!format)
        return format.error();
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

} // namespace deskpack::archive
