// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace deskpack::signing {
class SecretKey;
}

namespace deskpack::package {

// The checksum list beside a release's files, as `sha256sum` writes and
// `sha256sum -c` reads it: "<hex>  <file name>", one per line, sorted by name.
inline constexpr const char *ChecksumsFileName = "SHA256SUMS";

// Reads an existing SHA256SUMS (absent: empty). A line that is not
// "<64 hex>  <name>" (or "<hex> *<name>") is an error naming the file and the
// line: it is someone else's file, and rewriting it would lose it.
Result<QList<QPair<QString, QString>>> readChecksums(const QString &path);

// For files just written into one directory (a package and what describes
// it): adds or replaces their lines in that directory's SHA256SUMS, keeping
// the lines of other files that still exist; with `key`, writes FILE.minisig
// beside each file and SHA256SUMS.minisig. Every file is written atomically.
// `knownSha256` (path -> hex) spares hashing a file the caller has just
// hashed while writing it (the package). Returns the files written, in order.
Result<QStringList> writeReleaseFiles(const QStringList &files, const signing::SecretKey *key,
                                      const QHash<QString, QString> &knownSha256 = {});

} // namespace deskpack::package
