// SPDX-License-Identifier: MIT
#include "licences.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <functional>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::sbom {

namespace {

// The classifier's last segment -> SPDX identifier. Only exact statements:
// "GNU General Public License (GPL)" says no version, so it maps to nothing.
const QHash<QString, QString> &classifierTable()
{
    static const QHash<QString, QString> table = {
        {u"MIT License"_s, u"MIT"_s},
        {u"MIT No Attribution License (MIT-0)"_s, u"MIT-0"_s},
        {u"BSD License"_s, QString()}, // which BSD is not said
        {u"Apache Software License"_s, QString()},
        {u"ISC License (ISCL)"_s, u"ISC"_s},
        {u"Python Software Foundation License"_s, u"PSF-2.0"_s},
        {u"Mozilla Public License 2.0 (MPL 2.0)"_s, u"MPL-2.0"_s},
        {u"Mozilla Public License 1.1 (MPL 1.1)"_s, u"MPL-1.1"_s},
        {u"The Unlicense (Unlicense)"_s, u"Unlicense"_s},
        {u"Zope Public License"_s, u"ZPL-2.1"_s},
        {u"zlib/libpng License"_s, u"Zlib"_s},
        {u"Boost Software License 1.0 (BSL-1.0)"_s, u"BSL-1.0"_s},
        {u"Academic Free License (AFL)"_s, QString()},
        {u"Eclipse Public License 2.0 (EPL-2.0)"_s, u"EPL-2.0"_s},
        {u"GNU General Public License v2 (GPLv2)"_s, u"GPL-2.0-only"_s},
        {u"GNU General Public License v2 or later (GPLv2+)"_s, u"GPL-2.0-or-later"_s},
        {u"GNU General Public License v3 (GPLv3)"_s, u"GPL-3.0-only"_s},
        {u"GNU General Public License v3 or later (GPLv3+)"_s, u"GPL-3.0-or-later"_s},
        {u"GNU Lesser General Public License v2 (LGPLv2)"_s, u"LGPL-2.0-only"_s},
        {u"GNU Lesser General Public License v2 or later (LGPLv2+)"_s, u"LGPL-2.0-or-later"_s},
        {u"GNU Lesser General Public License v3 (LGPLv3)"_s, u"LGPL-3.0-only"_s},
        {u"GNU Lesser General Public License v3 or later (LGPLv3+)"_s, u"LGPL-3.0-or-later"_s},
        {u"GNU Affero General Public License v3"_s, u"AGPL-3.0-only"_s},
        {u"GNU Affero General Public License v3 or later (AGPLv3+)"_s, u"AGPL-3.0-or-later"_s},
        {u"CC0 1.0 Universal (CC0 1.0) Public Domain Dedication"_s, u"CC0-1.0"_s},
        {u"European Union Public Licence 1.2 (EUPL 1.2)"_s, u"EUPL-1.2"_s},
        {u"Historical Permission Notice and Disclaimer (HPND)"_s, u"HPND"_s},
        {u"Universal Permissive License (UPL)"_s, u"UPL-1.0"_s},
    };
    return table;
}

// License: field texts, compared case-insensitively without punctuation noise.
const QHash<QString, QString> &textTable()
{
    static const QHash<QString, QString> table = {
        {u"mit"_s, u"MIT"_s},
        {u"mit license"_s, u"MIT"_s},
        {u"the mit license"_s, u"MIT"_s},
        {u"expat"_s, u"MIT"_s},
        {u"bsd"_s, u"BSD-3-Clause"_s}, // setuptools' "BSD" has meant the 3-clause text
        {u"bsd license"_s, u"BSD-3-Clause"_s},
        {u"new bsd"_s, u"BSD-3-Clause"_s},
        {u"new bsd license"_s, u"BSD-3-Clause"_s},
        {u"modified bsd"_s, u"BSD-3-Clause"_s},
        {u"3-clause bsd"_s, u"BSD-3-Clause"_s},
        {u"bsd 3-clause"_s, u"BSD-3-Clause"_s},
        {u"bsd-3"_s, u"BSD-3-Clause"_s},
        {u"simplified bsd"_s, u"BSD-2-Clause"_s},
        {u"2-clause bsd"_s, u"BSD-2-Clause"_s},
        {u"bsd 2-clause"_s, u"BSD-2-Clause"_s},
        {u"bsd-2"_s, u"BSD-2-Clause"_s},
        {u"apache"_s, u"Apache-2.0"_s},
        {u"apache 2"_s, u"Apache-2.0"_s},
        {u"apache 2.0"_s, u"Apache-2.0"_s},
        {u"apache-2"_s, u"Apache-2.0"_s},
        {u"apache license 2.0"_s, u"Apache-2.0"_s},
        {u"apache license, version 2.0"_s, u"Apache-2.0"_s},
        {u"apache software license"_s, u"Apache-2.0"_s},
        {u"apache software license 2.0"_s, u"Apache-2.0"_s},
        {u"isc"_s, u"ISC"_s},
        {u"isc license"_s, u"ISC"_s},
        {u"psf"_s, u"PSF-2.0"_s},
        {u"psfl"_s, u"PSF-2.0"_s},
        {u"psf license"_s, u"PSF-2.0"_s},
        {u"python software foundation license"_s, u"PSF-2.0"_s},
        {u"mpl 2.0"_s, u"MPL-2.0"_s},
        {u"mpl-2"_s, u"MPL-2.0"_s},
        {u"mozilla public license 2.0"_s, u"MPL-2.0"_s},
        {u"unlicense"_s, u"Unlicense"_s},
        {u"the unlicense"_s, u"Unlicense"_s},
        {u"public domain"_s, QString()}, // not a licence SPDX can name
        {u"gpl"_s, QString()},
        {u"gplv2"_s, u"GPL-2.0-only"_s},
        {u"gplv2+"_s, u"GPL-2.0-or-later"_s},
        {u"gpl-2"_s, u"GPL-2.0-only"_s},
        {u"gplv3"_s, u"GPL-3.0-only"_s},
        {u"gplv3+"_s, u"GPL-3.0-or-later"_s},
        {u"gpl-3"_s, u"GPL-3.0-only"_s},
        {u"lgpl"_s, QString()},
        {u"lgplv2+"_s, u"LGPL-2.0-or-later"_s},
        {u"lgplv2.1"_s, u"LGPL-2.1-only"_s},
        {u"lgplv2.1+"_s, u"LGPL-2.1-or-later"_s},
        {u"lgplv3"_s, u"LGPL-3.0-only"_s},
        {u"lgplv3+"_s, u"LGPL-3.0-or-later"_s},
        {u"zlib"_s, u"Zlib"_s},
        {u"zpl 2.1"_s, u"ZPL-2.1"_s},
    };
    return table;
}

QString textKey(const QString &text)
{
    QString key = text.simplified().toLower();
    while (key.endsWith(u'.'))
        key.chop(1);
    return key;
}

} // namespace

QString spdxFromClassifier(const QString &classifier)
{
    const QStringList parts = classifier.split(u"::"_s);
    if (parts.size() < 2 || parts.first().trimmed() != u"License")
        return {};
    return classifierTable().value(parts.last().trimmed());
}

bool isSpdxExpression(const QString &expression)
{
    static const QRegularExpression token(
        u"\\(|\\)|[A-Za-z0-9.+:-]+"_s); // ids, LicenseRef-x, DocumentRef-a:LicenseRef-b, operators
    static const QRegularExpression id(u"^(?:(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-"
                                       "[A-Za-z0-9.-]+|[A-Za-z0-9.-]+\\+?)$"_s);
    // A tiny recursive-descent check: term (op term)*, term = id [WITH id] | ( expr ).
    QStringList tokens;
    const QString text = expression.trimmed();
    qsizetype at = 0;
    for (auto it = token.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        if (!text.mid(at, m.capturedStart() - at).trimmed().isEmpty())
            return false; // a character no token covers
        tokens.append(m.captured());
        at = m.capturedEnd();
    }
    if (tokens.isEmpty() || !text.mid(at).trimmed().isEmpty())
        return false;
    qsizetype i = 0;
    std::function<bool()> expr;
    const auto isOperator = [](const QString &t) {
        return t == u"AND" || t == u"OR" || t == u"WITH";
    };
    const auto term = [&]() -> bool {
        if (i >= tokens.size())
            return false;
        if (tokens[i] == u"(") {
            ++i;
            if (!expr() || i >= tokens.size() || tokens[i] != u")")
                return false;
            ++i;
            return true;
        }
        if (isOperator(tokens[i]) || !id.match(tokens[i]).hasMatch())
            return false;
        ++i;
        if (i < tokens.size() && tokens[i] == u"WITH") {
            ++i;
            if (i >= tokens.size() || isOperator(tokens[i]) || !id.match(tokens[i]).hasMatch())
                return false;
            ++i;
        }
        return true;
    };
    expr = [&]() -> bool {
        if (!term())
            return false;
        while (i < tokens.size() && (tokens[i] == u"AND" || tokens[i] == u"OR")) {
            ++i;
            if (!term())
                return false;
        }
        return true;
    };
    return expr() && i == tokens.size();
}

QString spdxFromLicenseText(const QString &text)
{
    const QString key = textKey(text);
    if (key.isEmpty() || key.contains(u'\n'))
        return {};
    if (const auto found = textTable().constFind(key); found != textTable().constEnd())
        return *found;
    // "MIT" or "Apache-2.0 OR MIT" written as SPDX: keep it when every
    // identifier is one we know as SPDX's spelling (guards "Dual License").
    const QString trimmed = text.simplified();
    if (!isSpdxExpression(trimmed))
        return {};
    static const QRegularExpression idPattern(u"[A-Za-z0-9.+-]+"_s);
    QSet<QString> known;
    for (const QString &v : classifierTable())
        known.insert(v);
    for (const QString &v : textTable())
        known.insert(v);
    known.insert(u"BSD-3-Clause"_s);
    for (auto it = idPattern.globalMatch(trimmed); it.hasNext();) {
        QString t = it.next().captured();
        if (t.endsWith(u'+'))
            t.chop(1);
        if (t != u"AND" && t != u"OR" && t != u"WITH" && !known.contains(t))
            return {};
    }
    return trimmed;
}

License licenseFromMetadata(const QString &licenseExpression, const QString &licenseField,
                            const QStringList &classifiers)
{
    License out;
    if (const QString e = licenseExpression.simplified(); !e.isEmpty() && isSpdxExpression(e))
        return {e, QString(), u"License-Expression"_s};
    if (const QString mapped = spdxFromLicenseText(licenseField); !mapped.isEmpty())
        return {mapped, QString(), u"License"_s};
    // Every licence classifier must map: "MIT" beside an unversioned "GPL" is
    // not "MIT", so such a set stays text.
    QStringList ids, texts;
    bool unmapped = false;
    for (const QString &c : classifiers) {
        const QString trimmed = c.simplified();
        if (!trimmed.startsWith(u"License ::") || trimmed == u"License :: OSI Approved")
            continue;
        texts.append(trimmed);
        const QString id = spdxFromClassifier(trimmed);
        unmapped = unmapped || id.isEmpty();
        if (!id.isEmpty() && !ids.contains(id))
            ids.append(id);
    }
    if (!ids.isEmpty() && !unmapped)
        return {ids.join(u" OR "_s), QString(), u"classifier"_s};
    if (!licenseExpression.trimmed().isEmpty())
        return {QString(), licenseExpression.trimmed(), u"License-Expression"_s};
    if (!licenseField.trimmed().isEmpty())
        return {QString(), licenseField.trimmed(), u"License"_s};
    if (!texts.isEmpty())
        return {QString(), texts.join(u"; "_s), u"classifier"_s};
    return out;
}

} // namespace deskpack::sbom
