// SPDX-License-Identifier: MIT
#include "runtimeorigin.h"

#include "base/filehash.h"
#include "base/jsonaccess.h"

#include <nlohmann/json.hpp>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::formats {

nlohmann::json runtimeOriginToJson(const RuntimeOrigin &origin)
{
    nlohmann::json out{{"kind", origin.kind.toStdString()},
                       {"source", origin.source.toStdString()}};
    const auto optional = [&out](const char *key, const QString &value) {
        if (!value.isEmpty())
            out[key] = value.toStdString();
    };
    optional("package", origin.package);
    optional("packageVersion", origin.packageVersion);
    optional("sha256", origin.sha256);
    return out;
}

std::optional<RuntimeOrigin> readRuntimeOrigin(const JsonNode &node)
{
    if (node.isNull() || !node.object())
        return std::nullopt;
    RuntimeOrigin origin;
    origin.kind = node["kind"].string().value_or(QString());
    static const QStringList kinds = {u"debian"_s, u"pyenv"_s, u"prefix"_s, u"archive"_s};
    if (node["kind"].isString() && !kinds.contains(origin.kind))
        node["kind"].expected(u"\"debian\", \"pyenv\", \"prefix\" or \"archive\""_s);
    origin.source = node["source"].string().value_or(QString());
    origin.package = node["package"].string(Presence::Optional).value_or(QString());
    origin.packageVersion = node["packageVersion"].string(Presence::Optional).value_or(QString());
    origin.sha256 = node["sha256"].string(Presence::Optional).value_or(QString()).toLower();
    if (!origin.sha256.isEmpty() && !isSha256Hex(origin.sha256))
        node["sha256"].expected(u"64 hexadecimal digits"_s);
    return origin;
}

} // namespace deskpack::formats
