// SPDX-License-Identifier: MIT
// channels/NAME.history.json: which versions this channel released, with
// their packages, so the next release knows what to make deltas from and
// what to prune. Only `deskpack release` reads it; clients never do.
#include "releasesteps.h"

#include "base/filehash.h"
#include "base/fileio.h"
#include "base/jsonaccess.h"
#include "base/jsontext.h"
#include "base/terminal.h"

#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

using nlohmann::json;
using namespace Qt::Literals::StringLiterals;

namespace deskpack::release::detail {

namespace {

constexpr int HistorySchema = 1;

std::optional<HistoryEntry> readEntry(const JsonNode &node)
{
    if (!node.object())
        return std::nullopt;
    HistoryEntry entry;
    entry.version = node["version"].string().value_or(QString());
    entry.package.path = node["path"].string().value_or(QString());
    entry.package.size = node["size"].integer(0, std::numeric_limits<qint64>::max()).value_or(0);
    entry.package.sha256 = node["sha256"].string().value_or(QString());
    entry.packageRoot = node["packageRoot"].string().value_or(QString());
    if (!feed::isValidVersion(entry.version))
        node["version"].expected(u"a version"_s);
    // The same rules as a channel file's package entry: only packages/NAME.
    const QString name = entry.package.path.section(u'/', 1);
    if (!entry.package.path.startsWith(u"packages/"_s) || name.isEmpty() || name.contains(u'/') ||
        name.startsWith(u'.'))
        node["path"].expected(u"packages/NAME"_s);
    if (!isSha256Hex(entry.package.sha256))
        node["sha256"].expected(u"64 hexadecimal digits"_s);
    if (entry.packageRoot.isEmpty() || entry.packageRoot.contains(u'/') ||
        entry.packageRoot == u".." || entry.packageRoot == u".")
        node["packageRoot"].expected(u"one directory name"_s);
    return entry;
}

} // namespace

QByteArray serializeHistory(const ChannelHistory &history)
{
    json root{{"schema", HistorySchema},
              {"appId", history.appId.toStdString()},
              {"channel", history.channel.toStdString()},
              {"versions", json::array()}};
    for (const HistoryEntry &e : history.versions)
        root["versions"].push_back({{"version", e.version.toStdString()},
                                    {"path", e.package.path.toStdString()},
                                    {"size", e.package.size},
                                    {"sha256", e.package.sha256.toStdString()},
                                    {"packageRoot", e.packageRoot.toStdString()}});
    return jsonDocumentText(root);
}

Result<ChannelHistory> readHistory(const QString &path, const QString &appId,
                                   const QString &channel)
{
    ChannelHistory history{appId, channel, {}};
    if (!QFileInfo::exists(path))
        return history;
    Result<QByteArray> bytes = readInputFile(path, 4 << 20, u"channel history"_s);
    if (!bytes)
        return bytes.error();
    Result<json> parsed = parseJsonText(*bytes, path, 8);
    if (!parsed)
        return parsed.error();
    JsonProblems problems(path);
    const JsonNode root(*parsed, problems);
    if (root.object()) {
        if (root["schema"].integer(HistorySchema, HistorySchema) && root["appId"].string() != appId)
            root["appId"].error(u"the history of another app, not %1"_s.arg(appId));
        if (root["versions"].array())
            for (const JsonNode &node : root["versions"].elements())
                if (std::optional<HistoryEntry> entry = readEntry(node))
                    recordVersion(history, *entry);
    }
    if (!problems.isEmpty())
        return problems.toError(ErrorKind::Unreadable);
    return history;
}

void recordVersion(ChannelHistory &history, const HistoryEntry &entry)
{
    auto &v = history.versions;
    v.erase(std::remove_if(v.begin(), v.end(),
                           [&](const HistoryEntry &e) { return e.version == entry.version; }),
            v.end());
    v.push_back(entry);
    std::sort(v.begin(), v.end(), [](const HistoryEntry &a, const HistoryEntry &b) {
        return feed::compareVersions(a.version, b.version) < 0;
    });
}

} // namespace deskpack::release::detail
