// SPDX-License-Identifier: MIT
#include "channelfeed.h"

#include "base/filehash.h"
#include "base/jsonaccess.h"
#include "base/jsontext.h"
#include "base/terminal.h"
#include "formats/appid.h"
#include "formats/bundlemanifest.h"

#include <QRegularExpression>
#include <QSet>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

using nlohmann::json;
using namespace Qt::Literals::StringLiterals;

namespace deskpack::feed {

namespace {

// Bounds: a channel file is small and names a few files; anything beyond is hostile.
constexpr qsizetype MaxNotesChars = 64 * 1024;
constexpr std::size_t MaxDeltas = 64;
constexpr qsizetype MaxEndorsementChars = 16 * 1024;
// The last second a date in this century's formats can hold (9999-12-31).
constexpr qint64 MaxTime = 253402300799;

std::string s(const QString &value)
{
    return value.toStdString();
}

json fileJson(const FeedFile &file)
{
    return json{{"path", s(file.path)}, {"size", file.size}, {"sha256", s(file.sha256)}};
}

// packages/NAME or deltas/NAME: one plain file name below a known folder, so
// no client can be sent outside the feed (no "..", no absolute path, no
// hidden file, no backslash).
bool isFeedPath(const QString &path, QStringView folder)
{
    static const QRegularExpression name(u"^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}\\z"_s);
    return path.startsWith(folder) && path.at(folder.size()) == u'/' &&
           name.match(QStringView(path).sliced(folder.size() + 1)).hasMatch();
}

// One directory name: what the package archive holds at its top.
bool isRootName(const QString &name)
{
    if (name.isEmpty() || name.size() > 255 || name == u"." || name == u"..")
        return false;
    return std::none_of(name.begin(), name.end(),
                        [](QChar c) { return c == u'/' || c == u'\\' || c.unicode() < 0x20; });
}

std::optional<FeedFile> readFile(const JsonNode &node, QStringView folder)
{
    if (!node.object())
        return std::nullopt;
    FeedFile file;
    const auto path = node["path"].string();
    const auto size = node["size"].integer(0, std::numeric_limits<qint64>::max());
    const auto sha = node["sha256"].string();
    if (path && !isFeedPath(*path, folder))
        node["path"].expected(u"a file name in %1/ (no \"..\", no subfolder)"_s.arg(folder));
    if (sha && !isSha256Hex(*sha))
        node["sha256"].expected(u"64 hexadecimal digits"_s);
    if (!path || !isFeedPath(*path, folder) || !size || !sha || !isSha256Hex(*sha))
        return std::nullopt;
    return FeedFile{*path, *size, sha->toLower()};
}

QString versionAt(const JsonNode &node, Presence presence)
{
    const auto version = node.string(presence);
    if (!version || (presence == Presence::Optional && version->isEmpty()))
        return {};
    if (!isValidVersion(*version)) {
        node.expected(u"a version (N.N..., optional aN/bN/rcN, .postN, .devN)"_s);
        return {};
    }
    return *version;
}

void readIdentity(const JsonNode &root, ChannelFeed &feed)
{
    if (const auto id = root["appId"].string()) {
        if (!isValidAppId(*id))
            root["appId"].expected(u"an app id (lower-case letters, digits, '.', '-', '_')"_s);
        else
            feed.appId = *id;
    }
    if (const auto channel = root["channel"].string()) {
        if (!formats::isUpdateChannelName(*channel))
            root["channel"].expected(u"a channel name ([a-z0-9][a-z0-9._-]{0,63})"_s);
        else
            feed.channel = *channel;
    }
    feed.version = versionAt(root["version"], Presence::Required);
    const auto notes = root["notes"].string(Presence::Optional).value_or(QString());
    if (notes.size() > MaxNotesChars)
        root["notes"].error(u"longer than %1 characters"_s.arg(MaxNotesChars));
    else
        feed.notes = notes;
    feed.issued = root["issued"].integer(0, MaxTime).value_or(0);
    feed.expires = root["expires"].integer(0, MaxTime).value_or(0);
    if (feed.expires && feed.issued && feed.expires <= feed.issued)
        root["expires"].error(u"not after \"issued\""_s);
}

void readDeltas(const JsonNode &deltas, ChannelFeed &feed)
{
    if (!deltas.array(Presence::Optional))
        return;
    if (deltas.value()->size() > MaxDeltas) {
        deltas.error(u"more than %1 deltas"_s.arg(MaxDeltas));
        return;
    }
    QSet<QString> seen;
    for (const JsonNode &entry : deltas.elements()) {
        const QString from = versionAt(entry["from"], Presence::Required);
        std::optional<FeedFile> file = readFile(entry, u"deltas");
        if (from.isEmpty() || !file)
            continue;
        if (seen.contains(from)) {
            entry["from"].error(u"a second delta from %1"_s.arg(from));
            continue;
        }
        seen.insert(from);
        feed.deltas.push_back(FeedDelta{from, *file});
    }
}

void readRotation(const JsonNode &node, ChannelFeed &feed)
{
    if (!node.object(Presence::Optional))
        return;
    const auto key = node["publicKey"].string();
    const auto endorsement = node["endorsement"].nonEmptyString();
    if (key && !formats::isPublicKeyText(*key))
        node["publicKey"].expected(u"a minisign public key (RW..., 56 characters)"_s);
    if (endorsement && endorsement->size() > MaxEndorsementChars)
        node["endorsement"].error(u"longer than %1 characters"_s.arg(MaxEndorsementChars));
    if (key && formats::isPublicKeyText(*key) && endorsement &&
        endorsement->size() <= MaxEndorsementChars)
        feed.rotation = KeyRotation{*key, *endorsement};
}

// Another schema may mean anything: stop before misreading it.
bool supportedSchema(const JsonNode &schema)
{
    const auto version = schema.integer(0, std::numeric_limits<qint64>::max());
    if (version && *version != ChannelFeed::SchemaVersion)
        schema.error(u"unsupported schema %1 (this Deskpack reads %2)"_s.arg(*version).arg(
            ChannelFeed::SchemaVersion));
    return version == ChannelFeed::SchemaVersion;
}

} // namespace

QByteArray serializeChannel(const ChannelFeed &feed)
{
    json root;
    root["schema"] = ChannelFeed::SchemaVersion;
    root["appId"] = s(feed.appId);
    root["channel"] = s(feed.channel);
    root["version"] = s(feed.version);
    root["notes"] = s(feed.notes);
    root["issued"] = feed.issued;
    root["expires"] = feed.expires;
    root["package"] = fileJson(feed.package);
    root["packageRoot"] = s(feed.packageRoot);
    std::vector<FeedDelta> deltas = feed.deltas;
    std::sort(deltas.begin(), deltas.end(), [](const FeedDelta &a, const FeedDelta &b) {
        return compareVersions(a.fromVersion, b.fromVersion) < 0;
    });
    root["deltas"] = json::array();
    for (const FeedDelta &delta : deltas) {
        json entry = fileJson(delta.file);
        entry["from"] = s(delta.fromVersion);
        root["deltas"].push_back(entry);
    }
    root["minimumDeltaVersion"] =
        feed.minimumDeltaVersion.isEmpty() ? json(nullptr) : json(s(feed.minimumDeltaVersion));
    root["rotation"] = feed.rotation ? json{{"publicKey", s(feed.rotation->publicKey)},
                                            {"endorsement", s(feed.rotation->endorsement)}}
                                     : json(nullptr);
    return jsonDocumentText(root);
}

Result<ChannelFeed> parseChannel(QByteArrayView data, const QString &fileName)
{
    if (data.size() > MaxChannelBytes)
        return makeError(
            ErrorKind::Unreadable,
            u"%1: larger than %2 bytes (not a channel file)"_s.arg(fileName).arg(MaxChannelBytes));
    Result<json> parsed = parseJsonText(data, fileName, 8);
    if (!parsed)
        return parsed.error();
    JsonProblems problems(fileName);
    const JsonNode root(*parsed, problems);
    if (!root.object() || !supportedSchema(root["schema"]))
        return problems.toError(ErrorKind::Unreadable);
    ChannelFeed feed;
    readIdentity(root, feed);
    feed.package = readFile(root["package"], u"packages").value_or(FeedFile());
    if (const auto top = root["packageRoot"].string()) {
        if (!isRootName(*top))
            root["packageRoot"].expected(u"one directory name"_s);
        else
            feed.packageRoot = *top;
    }
    readDeltas(root["deltas"], feed);
    feed.minimumDeltaVersion = versionAt(root["minimumDeltaVersion"], Presence::Optional);
    readRotation(root["rotation"], feed);
    if (!problems.isEmpty())
        return problems.toError(ErrorKind::Unreadable);
    std::sort(feed.deltas.begin(), feed.deltas.end(), [](const FeedDelta &a, const FeedDelta &b) {
        return compareVersions(a.fromVersion, b.fromVersion) < 0;
    });
    return feed;
}

QString channelTrustedComment(const ChannelFeed &feed)
{
    return u"timestamp:%1\tfile:%2.json\tchannel:%2\tversion:%3"_s.arg(feed.issued)
        .arg(feed.channel, feed.version);
}

} // namespace deskpack::feed
