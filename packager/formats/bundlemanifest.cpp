// SPDX-License-Identifier: MIT
#include "bundlemanifest.h"
#include "appid.h"
#include "base/filehash.h"
#include "base/fileio.h"
#include "base/fspath.h"
#include "base/terminal.h"

#include "base/jsonaccess.h"
#include "base/jsontext.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <optional>

using nlohmann::json;
using namespace Qt::Literals::StringLiterals;

namespace deskpack::formats {

namespace {

std::string s(const QString &value)
{
    return value.toStdString();
}

const char *kindName(Readiness::Kind kind)
{
    switch (kind) {
    case Readiness::Kind::Http:
        return "http";
    case Readiness::Kind::Tcp:
        return "tcp";
    case Readiness::Kind::Heartbeat:
        return "heartbeat";
    }
    return "heartbeat";
}

const QRegularExpression &variablePattern()
{
    static const QRegularExpression pattern(u"^[A-Za-z_][A-Za-z0-9_]*\\z"_s);
    return pattern;
}

// A clean '/'-separated path inside the bundle: not absolute, no "..", ".",
// empty components or NUL, as scanBundleTree writes them.
bool isBundlePath(const QString &path)
{
    return !path.isEmpty() && !QDir::isAbsolutePath(path) && QDir::cleanPath(path) == path &&
           path != u"." && path != u".." && !path.startsWith(u"../") && !path.contains(QChar(0));
}

std::optional<QString> bundlePath(const JsonNode &node, Presence presence)
{
    const auto value = node.string(presence);
    if (!value || (presence == Presence::Optional && value->isEmpty()))
        return value;
    if (!isBundlePath(*value)) {
        node.error(u"expected a relative path inside the bundle, got %1"_s.arg(node.describe()));
        return std::nullopt;
    }
    return value;
}

void readEntry(const JsonNode &entry, BundleManifest &m)
{
    if (!entry.object())
        return;
    const bool module = !entry["module"].isNull();
    const bool script = !entry["script"].isNull();
    if (module == script)
        entry.error(u"needs exactly one of \"module\" or \"script\""_s);
    else if (module) {
        static const QRegularExpression dotted(
            u"^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$"_s);
        const auto name = entry["module"].nonEmptyString();
        if (name && !dotted.match(*name).hasMatch())
            entry["module"].expected(u"a dotted module name"_s);
        else
            m.entryModule = name.value_or(QString());
    } else
        m.entryScript = bundlePath(entry["script"], Presence::Required).value_or(QString());
    m.entryArgs = entry["args"].stringList(Presence::Optional).value_or(QStringList());
}

void readReadiness(const JsonNode &node, Readiness &readiness)
{
    if (!node.object())
        return;
    const auto kind = node["kind"].string();
    if (kind == u"http") {
        readiness.kind = Readiness::Kind::Http;
        const auto url = node["url"].nonEmptyString();
        if (url && !url->startsWith(u"http://") && !url->startsWith(u"https://"))
            node["url"].expected(u"an http:// or https:// URL"_s);
        readiness.url = url.value_or(QString());
    } else if (kind == u"tcp") {
        readiness.kind = Readiness::Kind::Tcp;
        readiness.port = int(node["port"].integer(1, 65535).value_or(0));
    } else if (kind == u"heartbeat") {
        readiness.kind = Readiness::Kind::Heartbeat;
    } else if (kind) {
        node["kind"].expected(u"\"http\", \"tcp\" or \"heartbeat\""_s);
    }
    readiness.timeoutSeconds =
        int(node["timeout"].integer(1, 86400, Presence::Optional).value_or(30));
}

void readFiles(const JsonNode &files, BundleManifest &m)
{
    if (!files.object())
        return;
    m.files.reserve(files.value()->size());
    for (const auto &[path, entry] : files.members()) {
        if (!isBundlePath(path)) {
            entry.error(u"not a relative path inside the bundle"_s);
            continue;
        }
        if (!entry.object())
            continue;
        BundleFile f;
        f.path = path;
        if (entry.has("link")) {
            const auto link = entry["link"].nonEmptyString();
            if (!link)
                continue;
            // As scanBundleTree records them: relative, and inside the bundle.
            const QString parent = path.section(u'/', 0, -2);
            const QString lexical =
                QDir::cleanPath(parent.isEmpty() ? *link : parent + u'/' + *link);
            if (QDir::isAbsolutePath(*link) || lexical == u".." || lexical.startsWith(u"../") ||
                link->contains(QChar(0))) {
                entry["link"].expected(u"a relative link inside the bundle"_s);
                continue;
            }
            f.linkTarget = *link;
        } else {
            const auto sha = entry["sha256"].string();
            const auto size = entry["size"].integer(0, std::numeric_limits<qint64>::max());
            const auto executable = entry["executable"].boolean(Presence::Optional);
            if (sha && !isSha256Hex(*sha))
                entry["sha256"].expected(u"64 hexadecimal digits"_s);
            if (!sha || !isSha256Hex(*sha) || !size)
                continue;
            f.sha256 = sha->toLower();
            f.size = *size;
            f.executable = executable.value_or(false);
        }
        m.files.push_back(std::move(f));
    }
}

json filesJson(const std::vector<BundleFile> &list)
{
    json files = json::object();
    for (const BundleFile &f : list) {
        json e;
        if (!f.linkTarget.isEmpty()) {
            e["link"] = s(f.linkTarget);
        } else {
            e["sha256"] = s(f.sha256);
            e["size"] = f.size;
            if (f.executable)
                e["executable"] = true;
        }
        files[s(f.path)] = e;
    }
    return files;
}

} // namespace

QByteArray serializeManifest(const BundleManifest &m)
{
    json root;
    root["schema"] = BundleManifest::SchemaVersion;
    root["id"] = s(m.id);
    root["name"] = s(m.name);
    root["version"] = s(m.version);
    json entry;
    if (!m.entryModule.isEmpty())
        entry["module"] = s(m.entryModule);
    else
        entry["script"] = s(m.entryScript);
    entry["args"] = json::array();
    for (const QString &a : m.entryArgs)
        entry["args"].push_back(s(a));
    root["entry"] = entry;
    json readiness{{"kind", kindName(m.readiness.kind)}, {"timeout", m.readiness.timeoutSeconds}};
    if (m.readiness.kind == Readiness::Kind::Http)
        readiness["url"] = s(m.readiness.url);
    if (m.readiness.kind == Readiness::Kind::Tcp)
        readiness["port"] = m.readiness.port;
    root["readiness"] = readiness;
    root["python"] = s(m.python);
    root["pythonVersion"] = s(m.pythonVersion);
    root["coreSitePackages"] = s(m.coreSitePackages);
    root["lock"] = s(m.lock);
    root["lockEnv"] = BundleManifest::LockEnvironmentVariable;
    root["lockEnvAlias"] = m.lockEnvAlias.isEmpty() ? json(nullptr) : json(s(m.lockEnvAlias));
    root["env"] = json::object();
    for (const auto &[k, v] : m.env)
        root["env"][s(k)] = s(v);
    root["launcher"] = m.launcher.isEmpty() ? json(nullptr) : json(s(m.launcher));
    root["icon"] = m.icon.isEmpty() ? json(nullptr) : json(s(m.icon));
    root["signing"] =
        m.signingPublicKey.isEmpty() ? json(nullptr) : json{{"publicKey", s(m.signingPublicKey)}};
    root["update"] = m.updateFeed.isEmpty()
                         ? json(nullptr)
                         : json{{"feed", s(m.updateFeed)}, {"channel", s(m.updateChannel)}};
    if (m.runtimeOrigin)
        root["runtimeOrigin"] = runtimeOriginToJson(*m.runtimeOrigin);
    root["files"] = filesJson(m.files);
    QStringList dirs = m.dirs;
    std::sort(dirs.begin(), dirs.end());
    root["dirs"] = json::array();
    for (const QString &dir : std::as_const(dirs))
        root["dirs"].push_back(s(dir));
    return jsonDocumentText(root);
}

namespace {

// Another schema may mean anything: stop before misreading it.
bool supportedSchema(const JsonNode &schema)
{
    const json *version = schema.value();
    if (!version || !version->is_number_integer()) {
        schema.expected(u"the schema number %1"_s.arg(BundleManifest::SchemaVersion));
        return false;
    }
    const bool supported = version->is_number_unsigned()
                               ? version->get<std::uint64_t>() == BundleManifest::SchemaVersion
                               : version->get<std::int64_t>() == BundleManifest::SchemaVersion;
    if (!supported) {
        schema.error(u"unsupported schema %1 (this Deskpack reads %2)"_s
                         .arg(QString::fromStdString(version->dump()))
                         .arg(BundleManifest::SchemaVersion));
    }
    return supported;
}

void readIdentity(const JsonNode &root, BundleManifest &m)
{
    if (const auto id = root["id"].nonEmptyString()) {
        // The id names the user's data directory: it must not walk out of it.
        if (!isValidAppId(*id))
            root["id"].expected(u"an app id (lower-case letters, digits, '.', '-', "
                                "'_')"_s);
        else
            m.id = *id;
    }
    m.name = root["name"].nonEmptyString().value_or(QString());
    m.version = root["version"].nonEmptyString().value_or(QString());
}

void readEnvironment(const JsonNode &root, BundleManifest &m)
{
    (void)root["lockEnv"].string(Presence::Optional); // always LockEnvironmentVariable
    m.lockEnvAlias = root["lockEnvAlias"].string(Presence::Optional).value_or(QString());
    if (!m.lockEnvAlias.isEmpty() && !variablePattern().match(m.lockEnvAlias).hasMatch()) {
        root["lockEnvAlias"].expected(u"an environment variable name"_s);
        m.lockEnvAlias.clear();
    }
    const JsonNode env = root["env"];
    if (!env.object(Presence::Optional))
        return;
    for (const auto &[name, value] : env.members()) {
        if (!variablePattern().match(name).hasMatch()) {
            value.error(u"not an environment variable name"_s);
            continue;
        }
        if (const auto text = value.string())
            m.env.append({name, *text});
    }
}

void readSigning(const JsonNode &signing, BundleManifest &m)
{
    if (!signing.object(Presence::Optional))
        return;
    const auto key = signing["publicKey"].string();
    if (!key)
        return;
    if (!isPublicKeyText(*key))
        signing["publicKey"].expected(u"a minisign public key (RW..., 56 characters)"_s);
    else
        m.signingPublicKey = *key;
}

void readUpdate(const JsonNode &update, BundleManifest &m)
{
    if (!update.object(Presence::Optional))
        return;
    const auto feed = update["feed"].string();
    const auto channel = update["channel"].string();
    if (feed && !isUpdateFeedUrl(*feed))
        update["feed"].expected(u"an https://, http:// or file:/// URL"_s);
    if (channel && !isUpdateChannelName(*channel))
        update["channel"].expected(u"a channel name ([a-z0-9][a-z0-9._-]{0,63})"_s);
    if (feed && channel && isUpdateFeedUrl(*feed) && isUpdateChannelName(*channel)) {
        m.updateFeed = *feed;
        m.updateChannel = *channel;
    }
}

void readDirs(const JsonNode &dirs, BundleManifest &m)
{
    if (!dirs.array(Presence::Optional))
        return;
    for (const JsonNode &dir : dirs.elements()) {
        if (const auto path = bundlePath(dir, Presence::Required))
            m.dirs.append(*path);
    }
}

} // namespace

bool isPublicKeyText(const QString &text)
{
    static const QRegularExpression pattern(u"^RW[A-Za-z0-9+/]{54}\\z"_s);
    return pattern.match(text).hasMatch();
}

bool isUpdateChannelName(const QString &name)
{
    static const QRegularExpression pattern(u"^[a-z0-9][a-z0-9._-]{0,63}\\z"_s);
    return pattern.match(name).hasMatch();
}

bool isUpdateFeedUrl(const QString &url)
{
    // Parsed by hand rather than with QUrl, which accepts and "repairs" far
    // more than a feed address should be (spaces, backslashes, user:password@).
    static const QRegularExpression pattern(
        u"^(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|file://)(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?\\z"_s);
    if (url.size() > 2048 || !pattern.match(url).hasMatch())
        return false;
    // file:// needs a path (file:///srv/feed); a host in a file URL is another machine.
    return !url.startsWith(u"file://"_s) || url.startsWith(u"file:///"_s);
}

Result<BundleManifest> parseManifest(QByteArrayView data, const QString &fileName)
{
    Result<json> parsed = parseJsonText(data, fileName, 16);
    if (!parsed)
        return parsed.error();
    JsonProblems problems(fileName);
    const JsonNode root(*parsed, problems);
    if (!root.object() || !supportedSchema(root["schema"]))
        return problems.toError(ErrorKind::Unreadable);
    BundleManifest m;
    readIdentity(root, m);
    readEntry(root["entry"], m);
    readReadiness(root["readiness"], m.readiness);
    m.python = bundlePath(root["python"], Presence::Required).value_or(QString());
    m.pythonVersion = root["pythonVersion"].string(Presence::Optional).value_or(QString());
    m.coreSitePackages =
        bundlePath(root["coreSitePackages"], Presence::Required).value_or(QString());
    m.lock = bundlePath(root["lock"], Presence::Required).value_or(QString());
    readEnvironment(root, m);
    m.launcher = bundlePath(root["launcher"], Presence::Optional).value_or(QString());
    m.icon = bundlePath(root["icon"], Presence::Optional).value_or(QString());
    readSigning(root["signing"], m);
    readUpdate(root["update"], m);
    m.runtimeOrigin = readRuntimeOrigin(root["runtimeOrigin"]);
    readFiles(root["files"], m);
    readDirs(root["dirs"], m);
    if (!problems.isEmpty())
        return problems.toError(ErrorKind::Unreadable);
    return m;
}

Result<BundleManifest> readManifest(const QString &bundleDir)
{
    const QString path = QDir(bundleDir).filePath(QLatin1StringView(BundleManifest::FileName));
    // A fifo would block the open; a huge file is refused before it is read.
    // Reading by the real size matters: the launcher reads this at every start,
    // and read(limit) reserves the whole limit.
    if (!QFileInfo::exists(path))
        return makeError(
            ErrorKind::Unreadable,
            u"%1: cannot read: no such file (is %2 a Deskpack bundle?)"_s.arg(path, bundleDir));
    Result<QByteArray> data = readInputFile(path, 256 << 20, u"bundle manifest"_s);
    if (!data)
        return data.error();
    return parseManifest(*data, path);
}

} // namespace deskpack::formats
