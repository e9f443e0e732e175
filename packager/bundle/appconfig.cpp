// SPDX-License-Identifier: MIT
#include "appconfig.h"
#include "feed/channelfeed.h"
#include "formats/appid.h"

#include "base/filehash.h"
#include "base/fileio.h"
#include "base/jsonaccess.h"
#include "base/jsontext.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <nlohmann/json.hpp>

#include <algorithm>

using nlohmann::json;
using namespace Qt::Literals::StringLiterals;

namespace deskpack::bundle {

namespace {

const QStringList topKeys = {
    u"id"_s,           u"name"_s,    u"version"_s,     u"runtime"_s,         u"wheelhouse"_s,
    u"requirements"_s, u"app"_s,     u"readiness"_s,   u"lockEnv"_s,         u"env"_s,
    u"icon"_s,         u"prune"_s,   u"byteCompile"_s, u"sourceDateEpoch"_s, u"$schema"_s,
    u"pip"_s,          u"signing"_s, u"update"_s};
const QStringList signingKeys = {u"publicKey"_s};
const QStringList updateKeys = {u"feed"_s, u"channel"_s};
const QStringList runtimeKeys = {u"python"_s, u"archive"_s, u"sha256"_s};
const QStringList pipKeys = {u"wheel"_s, u"sha256"_s};
const QStringList appKeys = {u"source"_s, u"module"_s, u"script"_s, u"args"_s};
const QStringList readinessKeys = {u"http"_s, u"tcp"_s, u"heartbeat"_s, u"timeout"_s};
const QStringList prunable = {u"tests"_s,   u"tkinter"_s,    u"idlelib"_s,   u"ensurepip"_s,
                              u"lib2to3"_s, u"pydoc_data"_s, u"turtledemo"_s};

// Reads deskpack.json section by section, collecting every problem (all are
// reported at once). A new top-level key is one entry in `topKeys` and one
// read in read().
class ConfigReader
{
public:
    explicit ConfigReader(const QString &path)
        : m_base(QFileInfo(path).absolutePath())
    {
    }

    void checkKeys(const JsonNode &object, const QStringList &valid)
    {
        for (const auto &[key, member] : object.members()) {
            if (valid.contains(key))
                continue;
            const QString near = closestKey(key, valid);
            member.error(near.isEmpty() ? u"unknown key (valid keys: %1)"_s.arg(valid.join(u", "))
                                        : u"unknown key; did you mean \"%1\"?"_s.arg(near));
        }
    }

    QString path(const QString &value) const
    {
        return QDir::cleanPath(QDir(m_base).absoluteFilePath(QDir::fromNativeSeparators(value)));
    }

    std::optional<QString> existingPath(const JsonNode &node, Presence presence, bool directory)
    {
        const auto value = node.nonEmptyString(presence);
        if (!value)
            return std::nullopt;
        const QString resolved = path(*value);
        const QFileInfo info(resolved);
        if (!info.exists()) {
            node.error(u"%1 does not exist"_s.arg(resolved));
            return std::nullopt;
        }
        if (directory != info.isDir()) {
            node.error(u"%1 is not a %2"_s.arg(resolved, directory ? u"directory"_s : u"file"_s));
            return std::nullopt;
        }
        return resolved;
    }

    void readRuntime(const JsonNode &runtime, AppConfig &config)
    {
        if (!runtime.isObject()) {
            runtime.expected(u"{\"python\": PATH} or {\"archive\": PATH, "
                             "\"sha256\": HEX}"_s);
            return;
        }
        checkKeys(runtime, runtimeKeys);
        const bool hasPython = runtime.has("python");
        if (hasPython == runtime.has("archive")) {
            runtime.error(u"give exactly one of \"python\" (a host interpreter) or "
                          "\"archive\" (with \"sha256\")"_s);
            return;
        }
        if (hasPython) {
            if (const auto python = runtime["python"].nonEmptyString()) {
                const QString resolved = QFileInfo(*python).isAbsolute() ? *python : path(*python);
                if (!QFileInfo(resolved).isExecutable() || QFileInfo(resolved).isDir())
                    runtime["python"].error(u"%1 is not an executable interpreter"_s.arg(resolved));
                config.runtimePython = resolved;
            }
            if (runtime.has("sha256"))
                runtime["sha256"].error(u"only used with \"archive\""_s);
            return;
        }
        if (const auto archive = existingPath(runtime["archive"], Presence::Required, false))
            config.runtimeArchive = *archive;
        if (const auto sha = runtime["sha256"].nonEmptyString()) {
            if (!isSha256Hex(*sha))
                runtime["sha256"].error(u"expected 64 hexadecimal digits"_s);
            config.runtimeSha256 = sha->toLower();
        }
    }

    // "pip": "PATH.whl" or {"wheel": "PATH.whl", "sha256": HEX}.
    void readPip(const JsonNode &pip, AppConfig &config)
    {
        if (!pip.isPresent()) // an explicit null is a mistake, not "no pip"
            return;
        std::optional<QString> wheel;
        JsonNode where = pip;
        if (pip.isString()) {
            wheel = existingPath(pip, Presence::Required, false);
        } else if (pip.isObject()) {
            checkKeys(pip, pipKeys);
            where = pip["wheel"];
            wheel = existingPath(where, Presence::Required, false);
            if (const auto sha = pip["sha256"].nonEmptyString(Presence::Optional)) {
                if (!isSha256Hex(*sha))
                    pip["sha256"].error(u"expected 64 hexadecimal digits"_s);
                config.pipSha256 = sha->toLower();
            }
        } else {
            pip.expected(u"a pip wheel path or {\"wheel\": PATH, \"sha256\": HEX}"_s);
            return;
        }
        if (!wheel)
            return;
        static const QRegularExpression pipWheel(u"^pip-[^-]+-.+\\.whl\\z"_s);
        if (!pipWheel.match(QFileInfo(*wheel).fileName()).hasMatch())
            where.error(u"%1 is not a pip wheel (pip-VERSION-py3-none-any.whl)"_s.arg(*wheel));
        config.pipWheel = *wheel;
    }

    void readApp(const JsonNode &app, AppConfig &config)
    {
        if (!app.isObject()) {
            app.expected(u"{\"source\": DIR, \"module\" or \"script\": ..., "
                         "\"args\": [...]}"_s);
            return;
        }
        checkKeys(app, appKeys);
        if (const auto source = existingPath(app["source"], Presence::Required, true))
            config.appSource = *source;
        const auto module = app["module"].nonEmptyString(Presence::Optional);
        const auto script = app["script"].nonEmptyString(Presence::Optional);
        if (app["module"].isNull() == app["script"].isNull()) {
            app.error(u"give exactly one entry point: \"module\" (run as python -m) "
                      "or \"script\" (a file in app.source)"_s);
        } else if (module) {
            static const QRegularExpression dotted(
                u"^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$"_s);
            if (!dotted.match(*module).hasMatch())
                app["module"].error(u"\"%1\" is not a dotted module name"_s.arg(*module));
            config.entryModule = *module;
        } else if (script) {
            if (QDir::isAbsolutePath(*script) || script->split(u'/').contains(u".."_s))
                app["script"].error(u"must be a path inside app.source"_s);
            else if (!config.appSource.isEmpty() &&
                     !QFileInfo(QDir(config.appSource).filePath(*script)).isFile())
                app["script"].error(
                    u"%1 does not exist"_s.arg(QDir(config.appSource).filePath(*script)));
            config.entryScript = *script;
        }
        config.entryArgs = app["args"].stringList(Presence::Optional).value_or(QStringList());
    }

    void readReadiness(const JsonNode &r, AppConfig &config)
    {
        if (!r.isObject()) {
            r.expected(u"{\"http\": URL} or {\"tcp\": PORT} or "
                       "{\"heartbeat\": true}, with \"timeout\""_s);
            return;
        }
        checkKeys(r, readinessKeys);
        const int kinds = int(r.has("http")) + int(r.has("tcp")) + int(r.has("heartbeat"));
        if (kinds != 1) {
            r.error(u"give exactly one of \"http\", \"tcp\" or \"heartbeat\""_s);
            return;
        }
        if (r.has("http")) {
            config.readiness.kind = formats::Readiness::Kind::Http;
            if (const auto url = r["http"].nonEmptyString()) {
                if (!url->startsWith(u"http://"_s) && !url->startsWith(u"https://"_s))
                    r["http"].error(u"expected an http:// URL"_s);
                config.readiness.url = *url;
            }
        } else if (r.has("tcp")) {
            config.readiness.kind = formats::Readiness::Kind::Tcp;
            if (const auto port = r["tcp"].integer(1, 65535))
                config.readiness.port = int(*port);
        } else {
            config.readiness.kind = formats::Readiness::Kind::Heartbeat;
            if (const auto on = r["heartbeat"].boolean(); on && !*on)
                r["heartbeat"].error(u"expected true"_s);
        }
        if (const auto timeout = r["timeout"].integer(1, 3600, Presence::Optional))
            config.readiness.timeoutSeconds = int(*timeout);
    }

    void readRequirements(const JsonNode &root, AppConfig &config)
    {
        const JsonNode req = root["requirements"];
        if (req.isArray())
            config.requirements = req.stringList().value_or(QStringList());
        else if (req.isString())
            config.requirementsFile =
                existingPath(req, Presence::Required, false).value_or(QString());
        else if (!req.isNull())
            req.expected(u"a requirements file or a list of requirement lines"_s);
        if ((!config.requirements.isEmpty() || !config.requirementsFile.isEmpty()) &&
            !root.has("wheelhouse"))
            root["wheelhouse"].error(u"missing: requirements are installed offline "
                                     "from a wheelhouse directory"_s);
    }

    void readEnv(const JsonNode &env, AppConfig &config)
    {
        if (!env.isPresent())
            return;
        if (!env.isObject()) {
            env.expected(u"an object of NAME: \"value\""_s);
            return;
        }
        static const QRegularExpression var(u"^[A-Za-z_][A-Za-z0-9_]*\\z"_s);
        for (const auto &[name, value] : env.members()) {
            if (!var.match(name).hasMatch()) {
                value.error(u"not an environment variable name"_s);
                continue;
            }
            if (const auto text = value.string())
                config.env.append({name, *text});
        }
    }

    void readSigning(const JsonNode &signing, AppConfig &config)
    {
        if (!signing.object(Presence::Optional))
            return;
        checkKeys(signing, signingKeys);
        const auto key = signing["publicKey"].nonEmptyString();
        if (key && !formats::isPublicKeyText(*key))
            signing["publicKey"].error(
                u"\"%1\" is not a minisign public key (the RW... line of KEY.pub, 56 "
                "characters; `deskpack keygen` makes one)"_s.arg(key->left(80)));
        else if (key)
            config.signingPublicKey = *key;
    }

    void readUpdate(const JsonNode &update, AppConfig &config)
    {
        if (!update.object(Presence::Optional))
            return;
        checkKeys(update, updateKeys);
        const auto feed = update["feed"].nonEmptyString();
        if (feed && !formats::isUpdateFeedUrl(*feed))
            update["feed"].error(u"\"%1\" is not an update feed URL (https://HOST/PATH, "
                                 "http://HOST/PATH or file:///PATH, without a query or "
                                 "user:password@)"_s.arg(feed->left(200)));
        const QString channel = update["channel"]
                                    .nonEmptyString(Presence::Optional)
                                    .value_or(QString::fromLatin1(formats::DefaultUpdateChannel));
        if (!formats::isUpdateChannelName(channel))
            update["channel"].error(u"\"%1\" is not a channel name (lower-case letters, "
                                    "digits, '.', '-', '_'; at most 64)"_s.arg(channel.left(80)));
        // Updates order versions: one they cannot order would never be offered.
        const QString version = config.version;
        if (feed && !version.isEmpty() && !deskpack::feed::isValidVersion(version))
            update["feed"].error(
                u"updates need a version they can order, and \"%1\" is not one "
                "(N.N..., optionally aN, bN or rcN, .postN, .devN)"_s.arg(version.left(80)));
        if (feed && formats::isUpdateFeedUrl(*feed) && formats::isUpdateChannelName(channel)) {
            config.updateFeed = *feed;
            config.updateChannel = channel;
        }
    }

    void read(const JsonNode &root, AppConfig &config)
    {
        if (!root.isObject()) {
            root.expected(u"an object"_s);
            return;
        }
        checkKeys(root, topKeys);
        if (const auto id = root["id"].nonEmptyString()) {
            if (!isValidAppId(*id))
                root["id"].error(u"\"%1\" is not a valid app id (lower-case "
                                 "letters, digits, '.', '-', '_'; it names the "
                                 "launcher)"_s.arg(*id));
            config.id = *id;
        }
        config.name = root["name"].nonEmptyString().value_or(QString());
        config.version = root["version"].nonEmptyString().value_or(QString());
        if (root.has("runtime"))
            readRuntime(root["runtime"], config);
        else
            root["runtime"].error(u"missing (expected {\"python\": PATH} or "
                                  "{\"archive\": PATH, \"sha256\": HEX})"_s);
        readPip(root["pip"], config);
        if (const auto wheelhouse = existingPath(root["wheelhouse"], Presence::Optional, true))
            config.wheelhouse = *wheelhouse;
        readRequirements(root, config);
        if (root.has("app"))
            readApp(root["app"], config);
        else
            root["app"].error(u"missing (expected {\"source\": DIR, \"module\": NAME})"_s);
        if (root.has("readiness"))
            readReadiness(root["readiness"], config);
        if (const auto lockEnv = root["lockEnv"].nonEmptyString(Presence::Optional)) {
            static const QRegularExpression var(u"^[A-Za-z_][A-Za-z0-9_]*\\z"_s);
            if (!var.match(*lockEnv).hasMatch())
                root["lockEnv"].error(u"not an environment variable name"_s);
            config.lockEnv = *lockEnv;
        }
        readEnv(root["env"], config);
        readSigning(root["signing"], config);
        readUpdate(root["update"], config);
        if (const auto icon = existingPath(root["icon"], Presence::Optional, false))
            config.icon = *icon;
        if (const auto prune = root["prune"].stringList(Presence::Optional)) {
            config.prune = *prune;
            for (const QString &p : std::as_const(config.prune)) {
                if (!prunable.contains(p))
                    root["prune"].error(
                        u"cannot prune \"%1\" (choose from %2)"_s.arg(p, prunable.join(u", ")));
            }
        }
        if (const auto byteCompile = root["byteCompile"].boolean(Presence::Optional))
            config.byteCompile = *byteCompile;
        // Up to the last second a zip or tar header can hold.
        if (const auto epoch = root["sourceDateEpoch"].integer(0, 253402300799, Presence::Optional))
            config.sourceDateEpoch = *epoch;
    }

private:
    QString m_base;
};

} // namespace

QString closestKey(const QString &key, const QStringList &candidates)
{
    QString best;
    qsizetype bestDistance = std::numeric_limits<qsizetype>::max();
    const QString k = key.toLower();
    for (const QString &candidate : candidates) {
        const QString c = candidate.toLower();
        std::vector<qsizetype> row(std::size_t(c.size() + 1));
        for (qsizetype j = 0; j <= c.size(); ++j)
            row[std::size_t(j)] = j;
        for (qsizetype i = 1; i <= k.size(); ++i) {
            qsizetype diagonal = row[0];
            row[0] = i;
            for (qsizetype j = 1; j <= c.size(); ++j) {
                const qsizetype above = row[std::size_t(j)];
                row[std::size_t(j)] = std::min({above + 1, row[std::size_t(j - 1)] + 1,
                                                diagonal + (k[i - 1] == c[j - 1] ? 0 : 1)});
                diagonal = above;
            }
        }
        const qsizetype distance = row.back();
        if (distance < bestDistance) {
            bestDistance = distance;
            best = candidate;
        }
    }
    // Only a plausible typo: at most a third of the key's letters differ.
    return bestDistance <= std::max<qsizetype>(2, key.size() / 3) ? best : QString();
}

Result<AppConfig> loadAppConfig(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    Result<QByteArray> data = readInputFile(absolute, 16 << 20, u"deskpack.json app config"_s);
    if (!data)
        return data.error();
    Result<json> root = parseJsonText(*data, absolute);
    if (!root)
        return root.error();
    AppConfig config;
    config.configPath = absolute;
    JsonProblems problems(absolute);
    ConfigReader(absolute).read(JsonNode(*root, problems), config);
    std::sort(config.env.begin(), config.env.end());
    if (!problems.isEmpty())
        return problems.toError(ErrorKind::Unreadable);
    return config;
}

} // namespace deskpack::bundle
