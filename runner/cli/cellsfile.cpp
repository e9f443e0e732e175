// SPDX-License-Identifier: MIT
#include "cellsfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <set>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner::cli {

namespace {

// Reads the typed fields of one JSON object; every error names the line.
class JsonFields
{
public:
    JsonFields(const nlohmann::json &object, const QString &where)
        : m_object(object)
        , m_where(where)
    {
    }

    Error bad(const QString &what) const
    {
        return makeError(ErrorKind::Unreadable, u"%1: %2"_s.arg(m_where, what));
    }

    Result<void> string(const char *key, QString *out) const
    {
        const auto it = m_object.find(key);
        if (it == m_object.end())
            return {};
        if (!it->is_string())
            return bad(u"$.%1: expected a string"_s.arg(QLatin1StringView(key)));
        *out = QString::fromStdString(it->get_ref<const std::string &>());
        return {};
    }

    Result<void> strings(const char *key, QStringList *out) const
    {
        const auto it = m_object.find(key);
        if (it == m_object.end())
            return {};
        if (!it->is_array())
            return bad(u"$.%1: expected an array of strings"_s.arg(QLatin1StringView(key)));
        for (const auto &item : *it) {
            if (!item.is_string())
                return bad(u"$.%1: expected an array of strings"_s.arg(QLatin1StringView(key)));
            out->append(QString::fromStdString(item.get_ref<const std::string &>()));
        }
        return {};
    }

    Result<void> boolean(const char *key, bool *out) const
    {
        const auto it = m_object.find(key);
        if (it == m_object.end())
            return {};
        if (!it->is_boolean())
            return bad(u"$.%1: expected true or false"_s.arg(QLatin1StringView(key)));
        *out = it->get<bool>();
        return {};
    }

private:
    const nlohmann::json &m_object;
    QString m_where;
};

Result<void> checkDepsKeys(const nlohmann::json &object, const JsonFields &fields)
{
    const std::set<std::string> known{"deps",      "plugin",   "requirements", "requirementsFile",
                                      "findLinks", "indexUrl", "noIndex",      "restart"};
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.count(it.key()))
            return fields.bad(
                u"unknown key \"%1\" in a deps request (known: deps, plugin, requirements, "
                "requirementsFile, findLinks, indexUrl, noIndex, restart)"_s.arg(
                    QString::fromStdString(it.key())));
    }
    return {};
}

// What the operation `op` needs and refuses of the request's plugin and requirements.
Result<void> checkDepsShape(const nlohmann::json &object, const JsonFields &fields,
                            const DepsRequest &request, const QString &op,
                            const QString &requirementsFile)
{
    const bool needsPlugin = request.operation != DepsOperation::List;
    if (needsPlugin && request.plugin.isEmpty())
        return fields.bad(u"$.plugin: a deps %1 request needs the plugin's name"_s.arg(op));
    const bool takesRequirements =
        request.operation == DepsOperation::Install || request.operation == DepsOperation::Sync;
    if (!takesRequirements &&
        (object.contains("requirements") || object.contains("requirementsFile")))
        return fields.bad(u"a deps %1 request takes no requirements"_s.arg(op));
    if (takesRequirements && !object.contains("requirements") && requirementsFile.isEmpty())
        return fields.bad(
            u"a deps %1 request needs \"requirements\" or \"requirementsFile\""_s.arg(op));
    return {};
}

// A "deps" line of a cells file: {"deps": "install", "plugin": "weather",
// "requirements": [...], "requirementsFile": "...", "findLinks": [...],
// "indexUrl": "...", "noIndex": true, "restart": true}. Relative paths are
// relative to the cells file.
Result<DepsRequest> depsFromJson(const nlohmann::json &object, const QString &where,
                                 const QDir &base, const DefaultSources &defaults)
{
    const JsonFields fields(object, where);
    if (auto r = checkDepsKeys(object, fields); !r)
        return r.error();
    QString op;
    if (auto r = fields.string("deps", &op); !r)
        return r.error();
    const std::optional<DepsOperation> operation = depsOperationFromName(op);
    if (!operation)
        return fields.bad(
            u"$.deps: expected \"install\", \"uninstall\", \"list\" or \"sync\", got \"%1\""_s.arg(
                op));
    DepsRequest request;
    request.operation = *operation;
    QString requirementsFile;
    for (Result<void> r :
         {fields.string("plugin", &request.plugin),
          fields.strings("requirements", &request.requirements),
          fields.string("requirementsFile", &requirementsFile),
          fields.strings("findLinks", &request.findLinks),
          fields.string("indexUrl", &request.indexUrl), fields.boolean("noIndex", &request.noIndex),
          fields.boolean("restart", &request.restart)}) {
        if (!r)
            return r.error();
    }
    if (auto r = checkDepsShape(object, fields, request, op, requirementsFile); !r)
        return r.error();
    if (!requirementsFile.isEmpty())
        request.requirementsFile = base.absoluteFilePath(requirementsFile);
    for (QString &dir : request.findLinks)
        dir = base.absoluteFilePath(dir);
    if (!object.contains("findLinks") && !object.contains("indexUrl") &&
        !object.contains("noIndex")) {
        request.findLinks = defaults.findLinks;
        request.indexUrl = defaults.indexUrl;
        request.noIndex = defaults.noIndex;
    }
    return request;
}

} // namespace

// One {"code": "..."} or {"deps": ...} object per line; blank lines are skipped.
Result<QList<CellRunner::Step>> readSteps(const QString &path, const DefaultSources &defaults)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    }
    const QDir base = QFileInfo(path).absoluteDir();
    QList<CellRunner::Step> steps;
    int lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        ++lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        const QString where = u"%1:%2"_s.arg(path).arg(lineNumber);
        const auto object =
            nlohmann::json::parse(line.constData(), line.constData() + line.size(), nullptr, false);
        if (object.is_object() && object.contains("deps")) {
            Result<DepsRequest> request = depsFromJson(object, where, base, defaults);
            if (!request)
                return request.error();
            steps.append({{}, std::move(*request)});
            continue;
        }
        const auto code = object.is_object() ? object.find("code") : object.end();
        if (object.is_discarded() || !object.is_object() || code == object.end() ||
            !code->is_string()) {
            return makeError(ErrorKind::Unreadable,
                             u"%1: expected a JSON object with a string \"code\", like "
                             "{\"code\": \"print(1)\"}, or a deps request, like {\"deps\": "
                             "\"list\"}"_s.arg(where));
        }
        steps.append({QString::fromStdString(code->get_ref<const std::string &>()), {}});
    }
    return steps;
}

} // namespace deskpack::runner::cli
