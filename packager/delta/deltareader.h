// SPDX-License-Identifier: MIT
#pragma once

#include "delta.h"
#include "deltaformat.h"

#include "formats/bundlemanifest.h"

#include <QByteArrayView>
#include <QFile>

#include <memory>

namespace deskpack::delta {

// A delta file mapped into memory with its header parsed and checked against
// the new bundle.json it carries: app id and version, and every operation a
// regular file of that bundle.json with the same size and hash.
struct OpenedDelta
{
    QString fileName;
    std::unique_ptr<QFile> file; // keeps the mapping alive
    QByteArrayView bytes;        // the whole file
    QByteArrayView payload;
    DeltaHeader header;
    QByteArray manifestText; // the new bundle.json, as it will be written
    formats::BundleManifest manifest;

    QByteArrayView frame(const Frame &f) const { return payload.sliced(f.offset, f.length); }
};

// Opens and checks `deltaFile`. Damage of any kind is ErrorKind::Invalid
// naming the file and what is wrong; a file that cannot be read is
// ErrorKind::Unreadable.
Result<OpenedDelta> openDelta(const QString &deltaFile);

// The counts, size and SHA-256 of an opened delta.
DeltaSummary summaryOf(const OpenedDelta &delta);

} // namespace deskpack::delta
