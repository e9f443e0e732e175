// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <memory>

struct archive;
struct archive_entry;

namespace deskpack::archive {

// RAII owners for libarchive handles, so every early return (a refused entry,
// a read error) frees the reader, the disk writer and the entry. Freeing a
// writer also closes it; callers that need the close result (deferred
// directory permissions, the archive trailer) call archive_write_close first.
struct ReadArchiveDeleter
{
    void operator()(struct archive *handle) const;
};
struct WriteArchiveDeleter
{
    void operator()(struct archive *handle) const;
};
struct EntryDeleter
{
    void operator()(struct archive_entry *entry) const;
};

using ReadArchivePtr = std::unique_ptr<struct archive, ReadArchiveDeleter>;
using WriteArchivePtr = std::unique_ptr<struct archive, WriteArchiveDeleter>;
using EntryPtr = std::unique_ptr<struct archive_entry, EntryDeleter>;

ReadArchivePtr newReadArchive();
WriteArchivePtr newWriteArchive();
WriteArchivePtr newDiskWriter();
EntryPtr newEntry();

// libarchive's message for the last error on `handle`, or a generic one.
QString archiveErrorString(struct archive *handle);

} // namespace deskpack::archive
