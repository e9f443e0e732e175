// SPDX-License-Identifier: MIT
#pragma once

#include "delta.h"
#include "deltaformat.h"

#include "formats/bundlemanifest.h"

#include <QByteArrayView>
#include <QFile>

#include <memory>

namespace deskpack::delta {

// A delta file mapped into memory with its header parsed; the new bundle.json
// it carries is unpacked by unpackManifest (it is a patch against the old one).
struct OpenedDelta
{
    QString fileName;
    std::unique_ptr<QFile> file; // keeps the mapping alive
    QByteArrayView bytes;        // the whole file
    QByteArrayView payload;
    DeltaHeader header;
    QByteArray manifestText; // the new bundle.json, as it will be written (unpackManifest)
    formats::BundleManifest manifest;

    QByteArrayView frame(const Frame &f) const { return payload.sliced(f.offset, f.length); }
};

// Opens `deltaFile` and checks its header (digest, paths, frames). Damage of
// any kind is ErrorKind::Invalid naming the file and what is wrong; a file
// that cannot be read is ErrorKind::Unreadable.
Result<OpenedDelta> openDelta(const QString &deltaFile);

// Unpacks the new bundle.json against `oldManifest` (the old tree's
// bundle.json bytes, already checked against the header's fromSha256) and
// checks that it agrees with the header: app id and version, every operation
// a regular file of it with the same size and hash, the unchanged count.
Result<void> unpackManifest(OpenedDelta &delta, QByteArrayView oldManifest);

// The counts, size and SHA-256 of an opened delta.
DeltaSummary summaryOf(const OpenedDelta &delta);

} // namespace deskpack::delta
