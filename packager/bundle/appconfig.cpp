// SPDX-License-Identifier: MIT
#include "appconfig.h"

#include "base/jsontext.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <nlohmann/json.hpp>

#include <algorithm>

using nlohmann::json;

namespace deskpack::bundle {

namespace {

const QStringList topKeys = {
    u"id"_qs,           u"name"_qs,  u"version"_qs,     u"runtime"_qs,         u"wheelhouse"_qs,
    u"requirements"_qs, u"app"_qs,   u"readiness"_qs,   u"lockEnv"_qs,         u"env"_qs,
    u"icon"_qs,         u"prune"_qs, u"byteCompile"_qs, u"sourceDateEpoch"_qs, u"$schema"_qs};
const QStringList runtimeKeys = {u"python"_qs, u"archive"_qs, u"sha256"_qs};
const QStringList appKeys = {u"source"_qs, u"module"_qs, u"script"_qs, u"args"_qs};
const QStringList readinessKeys = {u"http"_qs, u"tcp"_qs, u"heartbeat"_qs, u"timeout"_qs};
const QStringList prunable = {u"tests"_qs,   u"tkinter"_qs,    u"idlelib"_qs,   u"ensurepip"_qs,
                              u"lib2to3"_qs, u"pydoc_data"_qs, u"turtledemo"_qs};

class ConfigReader
{
public:
    explicit ConfigReader(QString path)
        : m_path(std::move(path))
        , m_base(QFileInfo(m_path).absolutePath())
    {
    }

    QStringList errors;

    void error(const QString &key, const QString &message)
    {
        errors.append(QStringLiteral("%1: %2: %3").arg(m_path, key, message));
    }

    void checkKeys(const json &object, const QString &prefix, const QStringList &valid)
    {
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString key = QString::fromStdString(it.key());
            if (valid.contains(key))
                continue;
            const QString near = closestKey(key, valid);
            error(prefix + key,
                  near.isEmpty()
                      ? QStringLiteral("unknown key (valid keys: %1)").arg(valid.join(u", "))
                      : QStringLiteral("unknown key; did you mean \"%1\"?").arg(prefix + near));
        }
    }

    std::optional<QString> string(const json &object, const char *key, const QString &prefix,
                                  bool required)
    {
        const QString name = prefix + QLatin1StringView(key);
        const auto it = object.find(key);
        if (it == object.end()) {
            if (required)
                error(name, QStringLiteral("missing (expected a string)"));
            return std::nullopt;
        }
        if (!it->is_string() || it->get_ref<const std::string &>().empty()) {
            error(name, QStringLiteral("expected a non-empty string, got %1")
                            .arg(QString::fromStdString(it->dump())));
            return std::nullopt;
        }
        return QString::fromStdString(it->get<std::string>());
    }

    QString path(const QString &value) const
    {
        return QDir::cleanPath(QDir(m_base).absoluteFilePath(QDir::fromNativeSeparators(value)));
    }

    std::optional<QString> existingPath(const json &object, const char *key, const QString &prefix,
                                        bool required, bool directory)
    {
        const auto value = string(object, key, prefix, required);
        if (!value)
            return std::nullopt;
        const QString resolved = path(*value);
        const QFileInfo info(resolved);
        if (!info.exists()) {
            error(prefix + QLatin1StringView(key),
                  QStringLiteral("%1 does not exist").arg(resolved));
            return std::nullopt;
        }
        if (directory != info.isDir()) {
            error(prefix + QLatin1StringView(key),
                  QStringLiteral("%1 is not a %2")
                      .arg(resolved, directory ? u"directory"_qs : u"file"_qs));
            return std::nullopt;
        }
        return resolved;
    }

    QStringList stringList(const json &value, const QString &name)
    {
        QStringList out;
        if (!value.is_array()) {
            error(name, QStringLiteral("expected a list of strings"));
            return out;
        }
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (!value[i].is_string()) {
                error(QStringLiteral("%1[%2]").arg(name).arg(i),
                      QStringLiteral("expected a string"));
                continue;
            }
            out.append(QString::fromStdString(value[i].get<std::string>()));
        }
        return out;
    }

    void readRuntime(const json &runtime, AppConfig &config)
    {
        if (!runtime.is_object()) {
            error(u"runtime"_qs,
                  QStringLiteral("expected {\"python\": PATH} or {\"archive\": PATH, "
                                 "\"sha256\": HEX}"));
            return;
        }
        checkKeys(runtime, u"runtime."_qs, runtimeKeys);
        const bool hasPython = runtime.contains("python");
        const bool hasArchive = runtime.contains("archive");
        if (hasPython == hasArchive) {
            error(u"runtime"_qs, QStringLiteral("give exactly one of \"python\" (a host "
                                                "interpreter) or \"archive\" (with \"sha256\")"));
            return;
        }
        if (hasPython) {
            if (const auto python = string(runtime, "python", u"runtime."_qs, true)) {
                const QString resolved = QFileInfo(*python).isAbsolute() ? *python : path(*python);
                if (!QFileInfo(resolved).isExecutable() || QFileInfo(resolved).isDir())
                    error(u"runtime.python"_qs,
                          QStringLiteral("%1 is not an executable interpreter").arg(resolved));
                config.runtimePython = resolved;
            }
            if (runtime.contains("sha256"))
                error(u"runtime.sha256"_qs, QStringLiteral("only used with \"archive\""));
            return;
        }
        if (const auto archive = existingPath(runtime, "archive", u"runtime."_qs, true, false))
            config.runtimeArchive = *archive;
        if (const auto sha = string(runtime, "sha256", u"runtime."_qs, true)) {
            static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F]{64}$"));
            if (!hex.match(*sha).hasMatch())
                error(u"runtime.sha256"_qs, QStringLiteral("expected 64 hexadecimal digits"));
            config.runtimeSha256 = sha->toLower();
        }
    }

    void readApp(const json &app, AppConfig &config)
    {
        if (!app.is_object()) {
            error(u"app"_qs, QStringLiteral("expected {\"source\": DIR, \"module\" or \"script\": "
                                            "..., \"args\": [...]}"));
            return;
        }
        checkKeys(app, u"app."_qs, appKeys);
        if (const auto source = existingPath(app, "source", u"app."_qs, true, true))
            config.appSource = *source;
        const auto module = string(app, "module", u"app."_qs, false);
        const auto script = string(app, "script", u"app."_qs, false);
        if (bool(module) == bool(script)) {
            error(u"app"_qs, QStringLiteral("give exactly one entry point: \"module\" (run as "
                                            "python -m) or \"script\" (a file in app.source)"));
        } else if (module) {
            static const QRegularExpression dotted(
                QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$"));
            if (!dotted.match(*module).hasMatch())
                error(u"app.module"_qs,
                      QStringLiteral("\"%1\" is not a dotted module name").arg(*module));
            config.entryModule = *module;
        } else {
            if (QDir::isAbsolutePath(*script) || script->split(u'/').contains(u".."_qs))
                error(u"app.script"_qs, QStringLiteral("must be a path inside app.source"));
            else if (!config.appSource.isEmpty() &&
                     !QFileInfo(QDir(config.appSource).filePath(*script)).isFile())
                error(u"app.script"_qs, QStringLiteral("%1 does not exist")
                                            .arg(QDir(config.appSource).filePath(*script)));
            config.entryScript = *script;
        }
        if (app.contains("args"))
            config.entryArgs = stringList(app["args"], u"app.args"_qs);
    }

    void readReadiness(const json &r, AppConfig &config)
    {
        if (!r.is_object()) {
            error(u"readiness"_qs, QStringLiteral("expected {\"http\": URL} or {\"tcp\": PORT} or "
                                                  "{\"heartbeat\": true}, with \"timeout\""));
            return;
        }
        checkKeys(r, u"readiness."_qs, readinessKeys);
        const int kinds =
            int(r.contains("http")) + int(r.contains("tcp")) + int(r.contains("heartbeat"));
        if (kinds != 1) {
            error(u"readiness"_qs,
                  QStringLiteral("give exactly one of \"http\", \"tcp\" or \"heartbeat\""));
            return;
        }
        if (r.contains("http")) {
            config.readiness.kind = Readiness::Kind::Http;
            if (const auto url = string(r, "http", u"readiness."_qs, true)) {
                if (!url->startsWith(u"http://"_qs) && !url->startsWith(u"https://"_qs))
                    error(u"readiness.http"_qs, QStringLiteral("expected an http:// URL"));
                config.readiness.url = *url;
            }
        } else if (r.contains("tcp")) {
            config.readiness.kind = Readiness::Kind::Tcp;
            const json &port = r["tcp"];
            if (!port.is_number_integer() || port.get<int>() < 1 || port.get<int>() > 65535)
                error(u"readiness.tcp"_qs, QStringLiteral("expected a port number 1-65535"));
            else
                config.readiness.port = port.get<int>();
        } else {
            config.readiness.kind = Readiness::Kind::Heartbeat;
            if (!r["heartbeat"].is_boolean() || !r["heartbeat"].get<bool>())
                error(u"readiness.heartbeat"_qs, QStringLiteral("expected true"));
        }
        if (r.contains("timeout")) {
            const json &t = r["timeout"];
            if (!t.is_number_integer() || t.get<int>() < 1 || t.get<int>() > 3600)
                error(u"readiness.timeout"_qs, QStringLiteral("expected whole seconds, 1-3600"));
            else
                config.readiness.timeoutSeconds = t.get<int>();
        }
    }

    void read(const json &root, AppConfig &config)
    {
        if (!root.is_object()) {
            errors.append(QStringLiteral("%1: expected a JSON object").arg(m_path));
            return;
        }
        checkKeys(root, QString(), topKeys);
        if (const auto id = string(root, "id", QString(), true)) {
            if (!isValidAppId(*id))
                error(u"id"_qs, QStringLiteral("\"%1\" is not a valid app id (lower-case letters, "
                                               "digits, '.', '-', '_'; it names the launcher)")
                                    .arg(*id));
            config.id = *id;
        }
        if (const auto name = string(root, "name", QString(), true))
            config.name = *name;
        if (const auto version = string(root, "version", QString(), true))
            config.version = *version;
        if (root.contains("runtime"))
            readRuntime(root["runtime"], config);
        else
            error(u"runtime"_qs, QStringLiteral("missing (expected {\"python\": PATH} or "
                                                "{\"archive\": PATH, \"sha256\": HEX})"));
        if (const auto wheelhouse = existingPath(root, "wheelhouse", QString(), false, true))
            config.wheelhouse = *wheelhouse;
        if (root.contains("requirements")) {
            const json &req = root["requirements"];
            if (req.is_array())
                config.requirements = stringList(req, u"requirements"_qs);
            else if (const auto file = existingPath(root, "requirements", QString(), true, false))
                config.requirementsFile = *file;
        }
        if ((!config.requirements.isEmpty() || !config.requirementsFile.isEmpty()) &&
            config.wheelhouse.isEmpty() && !root.contains("wheelhouse"))
            error(u"wheelhouse"_qs, QStringLiteral("missing: requirements are installed offline "
                                                   "from a wheelhouse directory"));
        if (root.contains("app"))
            readApp(root["app"], config);
        else
            error(u"app"_qs,
                  QStringLiteral("missing (expected {\"source\": DIR, \"module\": NAME})"));
        if (root.contains("readiness"))
            readReadiness(root["readiness"], config);
        if (root.contains("lockEnv")) {
            if (const auto lockEnv = string(root, "lockEnv", QString(), true)) {
                static const QRegularExpression var(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
                if (!var.match(*lockEnv).hasMatch())
                    error(u"lockEnv"_qs, QStringLiteral("not an environment variable name"));
                config.lockEnv = *lockEnv;
            }
        }
        if (root.contains("env")) {
            const json &env = root["env"];
            if (!env.is_object()) {
                error(u"env"_qs, QStringLiteral("expected an object of NAME: \"value\""));
            } else {
                for (auto it = env.begin(); it != env.end(); ++it) {
                    if (!it->is_string())
                        error(u"env."_qs + QString::fromStdString(it.key()),
                              QStringLiteral("expected a string value"));
                    else
                        config.env.append({QString::fromStdString(it.key()),
                                           QString::fromStdString(it->get<std::string>())});
                }
            }
        }
        if (const auto icon = existingPath(root, "icon", QString(), false, false))
            config.icon = *icon;
        if (root.contains("prune")) {
            config.prune = stringList(root["prune"], u"prune"_qs);
            for (const QString &p : std::as_const(config.prune)) {
                if (!prunable.contains(p))
                    error(u"prune"_qs, QStringLiteral("cannot prune \"%1\" (choose from %2)")
                                           .arg(p, prunable.join(u", ")));
            }
        }
        if (root.contains("byteCompile")) {
            if (!root["byteCompile"].is_boolean())
                error(u"byteCompile"_qs, QStringLiteral("expected true or false"));
            else
                config.byteCompile = root["byteCompile"].get<bool>();
        }
        if (root.contains("sourceDateEpoch")) {
            if (!root["sourceDateEpoch"].is_number_integer() ||
                root["sourceDateEpoch"].get<qint64>() < 0)
                error(u"sourceDateEpoch"_qs, QStringLiteral("expected seconds since 1970"));
            else
                config.sourceDateEpoch = root["sourceDateEpoch"].get<qint64>();
        }
    }

private:
    QString m_path;
    QString m_base;
};

} // namespace

bool isValidAppId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z0-9][a-z0-9._-]{0,63}$"));
    return pattern.match(id).hasMatch() && !id.contains(u".."_qs);
}

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
    QFile file(absolute);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
    const QByteArray data = file.read(16 << 20);
    Result<json> root = parseJsonText(data, path);
    if (!root)
        return root.error();
    AppConfig config;
    config.configPath = absolute;
    ConfigReader reader(absolute);
    reader.read(*root, config);
    std::sort(config.env.begin(), config.env.end());
    if (!reader.errors.isEmpty())
        return makeError(ErrorKind::Unreadable, reader.errors.join(u'\n'));
    return config;
}

} // namespace deskpack::bundle
