// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "sbom/inventory.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace deskpack::sbom {

struct SbomOptions
{
    // Seconds since 1970 for the document's time (CycloneDX metadata.timestamp,
    // SPDX creationInfo.created). Unset: 1980-01-01T00:00:00Z, the epoch
    // Deskpack uses wherever no SOURCE_DATE_EPOCH is given, so the same bundle
    // always gives the same bytes.
    std::optional<qint64> sourceDateEpoch;
};

// SOURCE_DATE_EPOCH when it holds a non-negative integer; anything else is
// ignored, as `deskpack build` and `deskpack package` ignore it.
SbomOptions sbomOptionsFromEnvironment();

// CycloneDX 1.6 JSON. serialNumber is urn:uuid: of a UUID (version 8, RFC
// 9562) made from the SHA-256 of the document written without serialNumber
// and timestamp: the same inventory always has the same serial, another time
// alone does not change it.
QByteArray toCycloneDx(const Inventory &inventory, const SbomOptions &options);

// SPDX 2.3 JSON. documentNamespace ends in a UUID made the same way. Licence
// texts that are no SPDX expression become LicenseRef-<hash> entries of
// hasExtractedLicensingInfos.
QByteArray toSpdx(const Inventory &inventory, const SbomOptions &options);

// For `deskpack package`: collects the inventory of `bundleDir` once and
// writes OUT/<baseName>.cdx.json and OUT/<baseName>.spdx.json, each
// atomically. Returns the two paths.
Result<QStringList> writeSboms(const QString &bundleDir, const QString &outDir,
                               const QString &baseName, const SbomOptions &options);

// A UUID (RFC 9562 version 8: the first 128 bits of SHA-256(data) with the
// version and variant bits set), lower-case 8-4-4-4-12.
QString contentUuid(const QByteArray &data);

// "YYYY-MM-DDThh:mm:ssZ" for the options' time.
QString documentTime(const SbomOptions &options);

} // namespace deskpack::sbom
