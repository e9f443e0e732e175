// SPDX-License-Identifier: MIT
#include "sbom.h"

#include "base/terminal.h"

#include <QSet>

#include <nlohmann/json.hpp>

#include <map>

using nlohmann::json;
using namespace Qt::Literals::StringLiterals;

namespace deskpack::sbom {

namespace {

std::string s(const QString &text)
{
    return text.toStdString();
}

const char *componentType(Component::Kind kind)
{
    switch (kind) {
    case Component::Kind::Application:
        return "application";
    case Component::Kind::Runtime:
        return "framework";
    case Component::Kind::Distribution:
    case Component::Kind::NativeLibrary:
        break;
    }
    return "library";
}

// An expression, or the text as a named licence (long texts as its content).
json licenses(const License &license)
{
    if (!license.expression.isEmpty())
        return json::array({{{"expression", s(license.expression)}}});
    const QString first = license.text.section(u'\n', 0, 0).left(120);
    json named{{"name", s(first)}};
    if (first != license.text)
        named["text"] = {{"content", s(license.text)}, {"contentType", "text/plain"}};
    return json::array({{{"license", named}}});
}

json component(const Component &c)
{
    json out{{"type", componentType(c.kind)}, {"bom-ref", s(c.ref)}, {"name", s(c.name)}};
    if (!c.version.isEmpty())
        out["version"] = s(c.version);
    if (!c.purl.isEmpty())
        out["purl"] = s(c.purl);
    if (!c.summary.isEmpty())
        out["description"] = s(c.summary);
    if (!c.license.isEmpty())
        out["licenses"] = licenses(c.license);
    if (!c.sha256.isEmpty())
        out["hashes"] = json::array({{{"alg", "SHA-256"}, {"content", s(c.sha256)}}});
    json properties = json::array();
    const auto add = [&properties](const QString &name, const QString &value) {
        properties.push_back({{"name", s(name)}, {"value", s(value)}});
    };
    for (const auto &[name, value] : c.properties)
        add(name, value);
    if (!c.path.isEmpty())
        add(u"deskpack:path"_s, c.path);
    if (!c.recordSha256.isEmpty())
        add(u"deskpack:record-sha256"_s, c.recordSha256);
    if (!c.license.source.isEmpty())
        add(u"deskpack:license-source"_s, c.license.source);
    for (const QString &file : c.licenseFiles)
        add(u"deskpack:license-file"_s, file);
    out["properties"] = properties;
    return out;
}

json dependencies(const Inventory &inv, const QString &appRef)
{
    std::map<QString, QStringList> edges;
    QSet<QString> targets;
    for (const Component &c : inv.components)
        edges[c.ref];
    for (const auto &[from, to] : inv.dependencies) {
        edges[from].append(to);
        targets.insert(to);
    }
    // The app depends on every component nothing else pulls in, so the graph
    // has one root and every component is reachable from the subject.
    QStringList roots;
    for (const Component &c : inv.components)
        if (!targets.contains(c.ref))
            roots.append(c.ref);
    edges[appRef] = roots;
    json out = json::array();
    for (auto &[from, to] : edges) {
        to.sort();
        to.removeDuplicates();
        json list = json::array();
        for (const QString &t : std::as_const(to))
            list.push_back(s(t));
        out.push_back({{"ref", s(from)}, {"dependsOn", list}});
    }
    return out;
}

} // namespace

QByteArray toCycloneDx(const Inventory &inv, const SbomOptions &options)
{
    const QString appRef = u"app:"_s + inv.appId;
    json app{{"type", "application"},
             {"bom-ref", s(appRef)},
             {"name", s(inv.appName)},
             {"version", s(inv.appVersion)},
             {"properties", json::array({{{"name", "deskpack:app-id"}, {"value", s(inv.appId)}}})}};
    json tool{{"type", "application"},
              {"name", "deskpack"},
              {"version", s(inv.deskpackVersion)},
              {"bom-ref", "tool:deskpack"}};
    json bom{{"bomFormat", "CycloneDX"},
             {"specVersion", "1.6"},
             {"version", 1},
             {"metadata", {{"component", app}, {"tools", {{"components", json::array({tool})}}}}}};
    json components = json::array();
    for (const Component &c : inv.components)
        components.push_back(component(c));
    bom["components"] = components;
    bom["dependencies"] = dependencies(inv, appRef);
    // The serial is the content's: computed before the serial and the time exist.
    bom["serialNumber"] = "urn:uuid:" + s(contentUuid(jsonDocumentText(bom)));
    bom["metadata"]["timestamp"] = s(documentTime(options));
    return jsonDocumentText(bom);
}

} // namespace deskpack::sbom
