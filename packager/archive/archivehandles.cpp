// SPDX-License-Identifier: MIT
#include "archivehandles.h"

#include <archive.h>
#include <archive_entry.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::archive {

void ReadArchiveDeleter::operator()(struct archive *handle) const
{
    archive_read_free(handle);
}

void WriteArchiveDeleter::operator()(struct archive *handle) const
{
    archive_write_free(handle);
}

void EntryDeleter::operator()(struct archive_entry *entry) const
{
    archive_entry_free(entry);
}

ReadArchivePtr newReadArchive()
{
    return ReadArchivePtr(archive_read_new());
}

WriteArchivePtr newWriteArchive()
{
    return WriteArchivePtr(archive_write_new());
}

WriteArchivePtr newDiskWriter()
{
    return WriteArchivePtr(archive_write_disk_new());
}

EntryPtr newEntry()
{
    return EntryPtr(archive_entry_new());
}

QString archiveErrorString(struct archive *handle)
{
    const char *message = handle ? archive_error_string(handle) : nullptr;
    return message ? QString::fromLocal8Bit(message) : u"unknown libarchive error"_s;
}

} // namespace deskpack::archive
