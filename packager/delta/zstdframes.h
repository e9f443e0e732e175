// SPDX-License-Identifier: MIT
#pragma once

// One zstd frame per file of a delta: whole, or a patch whose prefix
// (ZSTD_CCtx_refPrefix, what `zstd --patch-from` uses) is the old file.

#include "base/result.h"

#include <QByteArray>
#include <QByteArrayView>

#include <functional>

namespace deskpack::delta {

// One frame with the content size and a checksum, against `prefix` when it is
// not empty (window large enough to reach all of it; long-distance matching
// for big files). The same inputs and level give the same bytes.
// Errors are ErrorKind::Environment (zstd refused: out of memory).
Result<QByteArray> compressFrame(QByteArrayView data, QByteArrayView prefix, int level);

// Decompresses `frame`, which must be exactly one frame declaring
// `expectedSize` bytes, against `prefix` when not empty, handing the output to
// `sink` in blocks of at most 1 MiB; never more than `expectedSize` bytes are
// produced and a window larger than the content needs is refused, so a
// hostile frame cannot make it allocate or write more. A damaged frame is
// ErrorKind::Invalid "what is wrong" (the caller names the file); the sink's
// errors are returned as they are.
Result<void> decompressFrame(QByteArrayView frame, QByteArrayView prefix, qint64 expectedSize,
                             const std::function<Result<void>(QByteArrayView)> &sink);

} // namespace deskpack::delta
