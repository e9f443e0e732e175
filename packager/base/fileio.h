// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QByteArray>
#include <QString>

class QSaveFile;

#include <cstdio>

namespace deskpack {

// 1980-01-01T00:00:00Z, the earliest time a zip entry can hold: the default
// mtime of everything Deskpack writes reproducibly (bundles, runtime archives).
inline constexpr qint64 ZipEpochSeconds = 315532800;

// SOURCE_DATE_EPOCH when it holds a non-negative integer (surrounding blanks
// allowed), else `fallback`: the one reading of that variable for every
// reproducible output (archives, bundles, SBOMs, signatures' timestamps).
qint64 sourceDateEpoch(qint64 fallback);

// Writes `data` to `path` through QSaveFile, so readers see the old file or
// the whole new one, never half of it. The permissions of an existing file
// are kept. Failures are ErrorKind::Environment naming the file.
Result<void> writeFileAtomically(const QString &path, const QByteArray &data);

// Renames the finished tree `staging` to `destination` (same filesystem). An
// existing `destination` is first moved to `displaced` and moved back when the
// final rename fails, so a failure never loses what was there; deleting the
// displaced tree is the caller's choice. Without `displaced`, `destination`
// must not exist (or be an empty directory). Errors are ErrorKind::Environment
// naming the path and the system's reason.
Result<void> moveIntoPlace(const QString &staging, const QString &destination,
                           const QString &displaced = {});

// Reads an input file whole, by its real size. Refuses, naming the file: what
// is not a regular file (a fifo would block the open, a directory reads as
// nothing), what cannot be opened, and what is larger than `limit` bytes
// ("larger than 16 MiB; a KIND is never that large"), so a huge or endless
// input is never half-read and then misreported. Errors are
// ErrorKind::Unreadable.
Result<QByteArray> readInputFile(const QString &path, qint64 limit, const QString &kind);

// Commits `file` (open for writing) or cancels it. Qt 6.4's
// QSaveFile::commit() ignores a failed flush of its write buffer: on a full
// disk it returns true and renames an empty or short file over the old one.
// This flushes first and refuses then, so the old file stays. Every
// QSaveFile commits through here. Errors are ErrorKind::Environment naming
// `path` and the system's reason.
Result<void> commitSaveFile(QSaveFile &file, const QString &path);

// A symlink's own target text, not resolved ("" when `path` is no link).
// QFileInfo::readSymLink needs Qt 6.6.
QString readLinkTarget(const QString &path);

} // namespace deskpack
