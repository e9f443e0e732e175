// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "sbom/inventory.h"

#include <QByteArrayView>
#include <QString>
#include <QStringList>

namespace deskpack::sbom {

// The core-metadata fields an SBOM needs, from the header block the lock
// reads too (lock::parseMetadataHeaders). Single fields keep their first
// occurrence; multiple-use fields keep all, in order.
struct DistMetadata
{
    QString name;
    QString version;
    QString summary;
    QString licenseExpression;
    QString license; // the License: field; continuation lines joined by '\n'
    QStringList classifiers;
    QStringList requiresDist;
    QStringList licenseFiles;   // PEP 639 License-File:
    QStringList malformedLines; // "line N: ...": no "Field:", or a name with a space
};

DistMetadata parseDistMetadata(QByteArrayView data);

// The distribution a Requires-Dist line names, or empty when the requirement
// is optional: its marker mentions `extra` ("foo>=1; extra == 'test'"). Other
// markers are not evaluated: pip installed the target, and an edge only
// counts between distributions the bundle holds.
QString requirementTarget(const QString &requiresDist);

// One distribution of the core site-packages: `metadataDir` is the
// .dist-info / .egg-info directory relative to the bundle root. Fills the
// component (ref "pypi:<PEP 503 name>", purl, licence, licence files, RECORD
// hash) and `requiresTargets` (the Requires-Dist targets, not yet filtered by
// presence). A missing RECORD or a malformed METADATA line is a warning; a
// missing METADATA, or one without Name/Version, is ErrorKind::Unreadable
// naming the file.
struct DistributionInfo
{
    Component component;
    QStringList requiresTargets;
    QStringList warnings;
};
Result<DistributionInfo> readDistribution(const QString &bundleDir, const QString &metadataDir);

// "pkg:pypi/<PEP 503 name>@<version>", the version percent-encoded as the
// purl spec asks ("1.0+local" -> "1.0%2Blocal").
QString pypiPurl(const QString &name, const QString &version);

} // namespace deskpack::sbom
