// SPDX-License-Identifier: MIT
#include "base/sha256.h"
#include "sbom.h"

#include "base/terminal.h"

#include <QHash>
#include <QRegularExpression>

#include <map>

#include <nlohmann/json.hpp>

using nlohmann::json;
using namespace Qt::Literals::StringLiterals;

namespace deskpack::sbom {

namespace {

std::string s(const QString &text)
{
    return text.toStdString();
}

const char *purpose(Component::Kind kind)
{
    switch (kind) {
    case Component::Kind::Application:
        return "APPLICATION";
    case Component::Kind::Runtime:
        return "FRAMEWORK";
    case Component::Kind::Distribution:
    case Component::Kind::NativeLibrary:
        break;
    }
    return "LIBRARY";
}

// SPDX ids allow letters, digits, '.' and '-' only.
QString spdxId(const QString &ref)
{
    static const QRegularExpression other(u"[^A-Za-z0-9.-]+"_s);
    return u"SPDXRef-"_s + QString(ref).replace(other, u"-"_s);
}

// Texts that are no SPDX expression, each once, by a name made from its hash.
class ExtractedLicenses
{
public:
    QString idFor(const QString &text)
    {
        const QString id =
            u"LicenseRef-"_s + QString::fromLatin1(Sha256::hash(text.toUtf8()).toHex().left(16));
        m_texts.emplace(id, text);
        return id;
    }
    json toJson() const
    {
        json out = json::array();
        for (const auto &[id, text] : m_texts)
            out.push_back({{"licenseId", s(id)},
                           {"name", s(text.section(u'\n', 0, 0).left(120))},
                           {"extractedText", s(text)}});
        return out;
    }

private:
    std::map<QString, QString> m_texts;
};

QString comment(const Component &c)
{
    QStringList lines;
    for (const auto &[name, value] : c.properties)
        lines.append(name + u": "_s + value);
    if (!c.path.isEmpty())
        lines.append(u"deskpack:path: "_s + c.path);
    if (!c.recordSha256.isEmpty())
        lines.append(u"deskpack:record-sha256: "_s + c.recordSha256);
    if (!c.license.source.isEmpty())
        lines.append(u"deskpack:license-source: "_s + c.license.source);
    for (const QString &file : c.licenseFiles)
        lines.append(u"deskpack:license-file: "_s + file);
    return lines.join(u'\n');
}

json package(const Component &c, const QString &id, ExtractedLicenses &extracted)
{
    QString declared = u"NOASSERTION"_s;
    if (!c.license.expression.isEmpty())
        declared = c.license.expression;
    else if (!c.license.text.isEmpty())
        declared = extracted.idFor(c.license.text);
    json out{{"SPDXID", s(id)},
             {"name", s(c.name)},
             {"downloadLocation", "NOASSERTION"},
             {"filesAnalyzed", false},
             {"licenseConcluded", "NOASSERTION"},
             {"licenseDeclared", s(declared)},
             {"copyrightText", "NOASSERTION"},
             {"primaryPackagePurpose", purpose(c.kind)}};
    if (!c.version.isEmpty())
        out["versionInfo"] = s(c.version);
    if (!c.summary.isEmpty())
        out["summary"] = s(c.summary);
    if (!c.purl.isEmpty())
        out["externalRefs"] = json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                            {"referenceType", "purl"},
                                            {"referenceLocator", s(c.purl)}}});
    if (!c.sha256.isEmpty())
        out["checksums"] = json::array({{{"algorithm", "SHA256"}, {"checksumValue", s(c.sha256)}}});
    if (const QString text = comment(c); !text.isEmpty())
        out["comment"] = s(text);
    return out;
}

json relationship(const QString &from, const char *type, const QString &to)
{
    return {{"spdxElementId", s(from)}, {"relationshipType", type}, {"relatedSpdxElement", s(to)}};
}

} // namespace

QByteArray toSpdx(const Inventory &inv, const SbomOptions &options)
{
    const QString appId = spdxId(u"app:"_s + inv.appId);
    QHash<QString, QString> ids; // ref -> SPDXID, unique even if two refs sanitise alike
    QSet<QString> used{appId};
    for (const Component &c : inv.components) {
        QString id = spdxId(c.ref);
        for (int n = 2; used.contains(id); ++n)
            id = spdxId(c.ref) + u"-"_s + QString::number(n);
        used.insert(id);
        ids.insert(c.ref, id);
    }
    ExtractedLicenses extracted;
    json packages = json::array();
    packages.push_back({{"SPDXID", s(appId)},
                        {"name", s(inv.appName)},
                        {"versionInfo", s(inv.appVersion)},
                        {"downloadLocation", "NOASSERTION"},
                        {"filesAnalyzed", false},
                        {"licenseConcluded", "NOASSERTION"},
                        {"licenseDeclared", "NOASSERTION"},
                        {"copyrightText", "NOASSERTION"},
                        {"primaryPackagePurpose", "APPLICATION"},
                        {"comment", s(u"deskpack:app-id: "_s + inv.appId)}});
    json relationships = json::array({relationship(u"SPDXRef-DOCUMENT"_s, "DESCRIBES", appId)});
    for (const Component &c : inv.components) {
        packages.push_back(package(c, ids.value(c.ref), extracted));
        relationships.push_back(relationship(appId, "CONTAINS", ids.value(c.ref)));
    }
    for (const auto &[from, to] : inv.dependencies)
        relationships.push_back(relationship(ids.value(from), "DEPENDS_ON", ids.value(to)));
    json doc{{"spdxVersion", "SPDX-2.3"},
             {"dataLicense", "CC0-1.0"},
             {"SPDXID", "SPDXRef-DOCUMENT"},
             {"name", s(u"%1 %2"_s.arg(inv.appName, inv.appVersion))},
             {"creationInfo",
              {{"creators", json::array({s(u"Tool: deskpack-"_s + inv.deskpackVersion)})}}},
             {"packages", packages},
             {"relationships", relationships}};
    if (const json texts = extracted.toJson(); !texts.empty())
        doc["hasExtractedLicensingInfos"] = texts;
    // Like CycloneDX's serial: the namespace is the content's, time excluded.
    doc["documentNamespace"] = s(u"https://spdx.org/spdxdocs/%1-%2-%3"_s.arg(
        inv.appId, inv.appVersion, contentUuid(jsonDocumentText(doc))));
    doc["creationInfo"]["created"] = s(documentTime(options));
    return jsonDocumentText(doc);
}

} // namespace deskpack::sbom
