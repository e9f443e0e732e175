// SPDX-License-Identifier: MIT
#pragma once

// Inside deskpack::signing: the text pieces every minisign file shares
// (strict base64 fields, lines with a length bound, key ids) and libsodium's
// one-time start. Not part of the API (signing.h is).

#include "base/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace deskpack::signing::detail {

inline constexpr char CommentPrefix[] = "untrusted comment: ";
inline constexpr char TrustedCommentPrefix[] = "trusted comment: ";
// Longer lines are refused before anything is decoded: minisign's own
// buffers are 1 KiB (untrusted) and 8 KiB (trusted comment).
inline constexpr qsizetype MaxLineBytes = 8192;

// sodium_init(), once per process; aborts when libsodium cannot start (no
// entropy source), since no key or signature could then be trusted.
void ensureSodium();

// sodium_malloc that never returns null (qFatal on exhaustion).
unsigned char *secureAlloc(qsizetype size);

QByteArray toBase64(const unsigned char *data, qsizetype size);

// The lines of a minisign file: split at '\n', a trailing '\r' dropped, the
// empty piece after a final '\n' dropped.
QList<QByteArrayView> splitLines(QByteArrayView text);

// `line` as base64 of exactly `expected` bytes, canonical (padded, as
// minisign writes it). Messages: "<source>, line <n>: <what> is not base64",
// "... is N bytes, expected M (truncated?)". Kind as given.
Result<QByteArray> decodeField(QByteArrayView line, qsizetype expected, const QString &source,
                               int lineNumber, const QString &what, ErrorKind kind);

// The comment after `prefix` on line `lineNumber`, or an error of `kind`
// saying what the line should start with.
Result<QByteArrayView> commentAfter(QByteArrayView line, const char *prefix, const QString &source,
                                    int lineNumber, ErrorKind kind);

// Upper-case hex of the little-endian u64, no leading zeros (minisign's PRIX64).
QString keyIdHex(const unsigned char *keyId);

// "`Ed`" for printable algorithm bytes, else their hex: for messages.
QString algorithmName(QByteArrayView bytes);

// BLAKE2b-512, minisign's prehash. The file is read in 1 MiB blocks, never
// whole; a missing or unreadable file is ErrorKind::Unreadable naming it.
QByteArray blake2b512(QByteArrayView data);
Result<QByteArray> blake2b512OfFile(const QString &path, qint64 *size = nullptr);

// A regular file's whole content for legacy signatures (ErrorKind::Unreadable).
Result<QByteArray> readWholeFile(const QString &path);

// A little-endian u64, as minisign stores scrypt's limits.
quint64 loadLe64(const unsigned char *bytes);
void storeLe64(unsigned char *bytes, quint64 value);

} // namespace deskpack::signing::detail
