// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QString>

class QIODevice;

namespace deskpack {

// Lower-case hex SHA-256 of everything readable from `device`, streamed in
// 1 MiB blocks so runtime archives are never held in memory.
Result<QString> sha256OfDevice(QIODevice &device, const QString &nameForMessages);

// Lower-case hex SHA-256 of a file; a missing or unreadable file is
// ErrorKind::Unreadable naming it.
Result<QString> sha256OfFile(const QString &path);

// True when `text` is 64 hex digits (either case).
bool isSha256Hex(const QString &text);

// Checks `path` against `expectedHex` (case-insensitive). A mismatch is
// ErrorKind::Invalid and names the file, the expected and the actual hash; a
// malformed expectation is ErrorKind::Usage.
Result<void> verifySha256(const QString &path, const QString &expectedHex);

} // namespace deskpack
