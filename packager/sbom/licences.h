// SPDX-License-Identifier: MIT
#pragma once

#include "sbom/inventory.h"

#include <QString>
#include <QStringList>

namespace deskpack::sbom {

// The SPDX identifier a trove classifier names ("License :: OSI Approved ::
// MIT License" -> "MIT"), or empty when it names none exactly (the GPL
// classifiers without "v2"/"v3", "OSI Approved" alone, "Other/Proprietary").
QString spdxFromClassifier(const QString &classifier);

// The SPDX expression a core-metadata License: field says when it is a known
// short name or an SPDX identifier written loosely ("MIT", "MIT License",
// "BSD", "Apache 2.0", "Apache License, Version 2.0", "GPLv3+", "PSF"),
// or empty for anything else (a licence's whole text, "Dual License", ...).
// A field that is already a valid SPDX expression is returned as it is.
QString spdxFromLicenseText(const QString &text);

// Whether `expression` is a well-formed SPDX licence expression: identifiers
// ([A-Za-z0-9.+-], or LicenseRef-/DocumentRef-), AND, OR, WITH and parentheses.
// The identifiers are not checked against the SPDX list (new ones appear).
bool isSpdxExpression(const QString &expression);

// A distribution's licence by PEP 639's order: License-Expression when valid;
// else the License field when it maps; else the classifiers (several joined
// with " OR ": by the classifiers' convention a distribution listing two
// licences lets the user choose); else the License field's or classifiers'
// text as written.
License licenseFromMetadata(const QString &licenseExpression, const QString &licenseField,
                            const QStringList &classifiers);

} // namespace deskpack::sbom
