// SPDX-License-Identifier: MIT
#pragma once

// The delta file, version 1. All integers little-endian; offsets relative to
// the payload (the byte after the header):
//
//   "DPKDELTA1\n"        10 bytes, the magic
//   header length N      8 bytes, at most MaxHeaderSize
//   SHA-256 of header    32 bytes, so any damage to it is refused before parsing
//   header               N bytes of JSON (jsonDocumentText: sorted keys, no time stamps)
//   payload              zstd frames (content size and checksum set), tiled
//                        without gaps: bundle.json's first, then one per
//                        "patch"/"whole" operation in path order
//
// The header:
//   {"format": "deskpack-delta", "schema": 1, "appId", "fromVersion", "toVersion",
//    "manifest": {"offset", "length", "size", "sha256"},   the new bundle.json
//    "files": {"<new path>": {"op": "same",  "from", "size", "sha256"}
//                          | {"op": "patch", "from", "fromSha256", "offset", "length",
//                             "size", "sha256"}
//                          | {"op": "whole", "offset", "length", "size", "sha256"}},
//    "removed": ["<old path>", ...]}
// A regular file of the new bundle.json without an entry in "files" is the
// old tree's file of the same path and hash, stored nowhere. Links, empty
// directories and executable bits come from the new bundle.json. "same" is a
// file found in the old tree by its hash under another path; "patch" a zstd
// frame whose prefix (ZSTD_CCtx_refPrefix) is the old file "from".

#include "base/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <vector>

namespace deskpack::delta {

inline constexpr char Magic[] = "DPKDELTA1\n";
inline constexpr qint64 MagicSize = 10;
inline constexpr qint64 PrefixSize = MagicSize + 8 + 32; // magic, length, digest
// A header lists only the files that changed; 64 MiB is far beyond any bundle.
inline constexpr qint64 MaxHeaderSize = 64 << 20;
inline constexpr int SchemaVersion = 1;

// A zstd frame in the payload.
struct Frame
{
    qint64 offset = 0;
    qint64 length = 0;
};

struct Operation
{
    enum class Kind
    {
        Same,
        Patch,
        Whole
    };
    Kind kind = Kind::Whole;
    QString path;       // in the new tree
    QString from;       // Same, Patch: in the old tree
    QString fromSha256; // Same, Patch: what the old file must hash to
    Frame frame;        // Patch, Whole
    qint64 size = 0;    // of the new file
    QString sha256;     // of the new file
};

struct DeltaHeader
{
    QString appId, fromVersion, toVersion;
    Frame manifest; // the new bundle.json
    qint64 manifestSize = 0;
    QString manifestSha256;
    std::vector<Operation> operations; // sorted by the UTF-8 bytes of the path (JSON key order)
    QStringList removed;               // sorted
};

// The header's JSON text (deterministic).
QByteArray serializeHeader(const DeltaHeader &header);
// The whole prefix for `headerText`: magic, length, digest.
QByteArray encodePrefix(const QByteArray &headerText);
// Parses untrusted header JSON: every path relative and clean, every frame
// inside `payloadSize` and the frames tiled in order from 0 to payloadSize.
// Errors (ErrorKind::Invalid) name `fileName`.
Result<DeltaHeader> parseHeader(QByteArrayView text, qint64 payloadSize, const QString &fileName);

// A clean relative path inside a tree: not absolute, no "..", ".", empty
// components, backslashes or NUL, and not bundle.json.
bool isTreePath(const QString &path);

} // namespace deskpack::delta
