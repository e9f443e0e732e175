// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QByteArray>
#include <QString>

class QIODevice;

namespace deskpack::archive {

// Lower-case hex SHA-256 of everything readable from `device` (streamed in
// 1 MiB blocks, so runtime archives are never held in memory).
Result<QString> sha256OfDevice(QIODevice &device, const QString &nameForMessages);

// Lower-case hex SHA-256 of a file. A missing or unreadable file is
// ErrorKind::Unreadable.
Result<QString> sha256OfFile(const QString &path);

// True when `text` is 64 hex digits (either case).
bool isSha256Hex(const QString &text);

// Checks `path` against `expectedHex` (case-insensitive). A mismatch is
// ErrorKind::Invalid and names the file, the expected and the actual hash;
// a malformed expectation is ErrorKind::Usage.
Result<void> verifySha256(const QString &path, const QString &expectedHex);

} // namespace deskpack::archive
