// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "formats/installerformat.h"

#include <QString>

#include <atomic>
#include <functional>

namespace deskpack::installer {

// Progress of a long step: fraction in [0, 1]. Return false to cancel.
using ByteProgress = std::function<bool(double fraction)>;

// One installer file opened for reading: its header (app id, name, version,
// licence, icon) and where its payload lies.
class InstallerFile
{
public:
    // Reads the trailer and the header; the payload is not read yet.
    static Result<InstallerFile> open(const QString &path);

    const QString &path() const { return m_path; }
    const formats::InstallerHeader &header() const { return m_contents.header; }
    const formats::InstallerTrailer &trailer() const { return m_contents.trailer; }
    QString payloadSha256Hex() const;

    // Hashes the payload in place and compares it with the trailer: the
    // first thing an install does, before anything is written. A mismatch is
    // ErrorKind::Invalid; a cancel is ErrorKind::Environment ("cancelled").
    Result<void> checkPayload(const ByteProgress &progress = {}) const;
    // Copies the payload to `destination` (a new file), hashing the copy: the
    // extraction reads the copy and checks this hash again.
    Result<void> copyPayload(const QString &destination, const ByteProgress &progress = {}) const;

private:
    QString m_path;
    formats::InstallerContents m_contents;
};

} // namespace deskpack::installer
