// SPDX-License-Identifier: MIT
#include "lockfile.h"
#include "base/fileio.h"
#include "base/terminal.h"

#include "base/jsonaccess.h"
#include "base/jsontext.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

using nlohmann::json;

namespace deskpack::lock {

QString pythonLower(QStringView text)
{
    // Names are nearly always ASCII; QString::toLower's full Unicode path costs
    // more than the rest of lock generation, so take it only when needed.
    QString out(text.size(), Qt::Uninitialized);
    QChar *dst = out.data();
    for (QChar c : text) {
        const char16_t u = c.unicode();
        if (u >= 0x80)
            return text.toString().toLower();
        *dst++ = (u >= u'A' && u <= u'Z') ? QChar(char16_t(u + 32)) : c;
    }
    return out;
}

QString canonicalName(QStringView name)
{
    QString out;
    out.reserve(name.size());
    bool inRun = false;
    for (QChar c : name) {
        if (c == u'-' || c == u'_' || c == u'.') {
            if (!inRun)
                out.append(u'-');
            inRun = true;
        } else {
            out.append(c);
            inRun = false;
        }
    }
    return pythonLower(out);
}

bool codePointLess(const QString &a, const QString &b)
{
    // UTF-16 order differs from code point order only for surrogate pairs
    // against U+E000..U+FFFF; comparing code points keeps Python's order.
    const qsizetype n = std::min(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t x = a.at(i).unicode();
        const char16_t y = b.at(i).unicode();
        if (x == y)
            continue;
        const bool xs = QChar::isSurrogate(x);
        const bool ys = QChar::isSurrogate(y);
        if (xs != ys)
            return ys; // a surrogate half belongs to a code point above U+FFFF
        return x < y;
    }
    return a.size() < b.size();
}

QString Problem::toString() const
{
    const QString prefix = severity == Severity::Warning ? u"warning: "_s : u"error: "_s;
    if (where.isEmpty())
        return prefix + message;
    return where + u": "_s + prefix + message;
}

int errorCount(const QList<Problem> &problems)
{
    return int(std::count_if(problems.begin(), problems.end(),
                             [](const Problem &p) { return p.severity == Severity::Error; }));
}

json problemToJson(const Problem &problem)
{
    return json{{"severity", problem.severity == Severity::Error ? "error" : "warning"},
                {"code", problem.code.toStdString()},
                {"where", problem.where.toStdString()},
                {"message", problem.message.toStdString()}};
}

namespace {

const char *typeName(const json &value)
{
    return value.type_name();
}

// Reads the schema through JsonNode (never throwing), in the lock's own
// vocabulary: `where` is "FILE: distributions[3] (name).version", which
// `lock validate --json` reports and scripts match on.
class SchemaReader
{
public:
    explicit SchemaReader(const QString &fileName)
        : m_fileName(fileName)
        , m_nodes(fileName)
    {
    }

    void error(const QString &path, const QString &message, const char *code = "schema")
    {
        m_problems.append(Problem{Severity::Error, QString::fromLatin1(code),
                                  m_fileName + u": "_s + (path.isEmpty() ? u"$"_s : path),
                                  message});
    }

    bool readString(const JsonNode &object, const char *key, QString &out)
    {
        const JsonNode value = object[key];
        if (!value.isPresent()) {
            error(object.path(),
                  u"missing key \"%1\" (expected a string)"_s.arg(QLatin1StringView(key)));
            return false;
        }
        if (!value.isString()) {
            error(value.path(),
                  u"expected a string, got %1"_s.arg(QLatin1StringView(typeName(*value.value()))));
            return false;
        }
        out = value.string().value_or(QString());
        if (out.isEmpty()) {
            error(value.path(), u"must not be empty"_s);
            return false;
        }
        return true;
    }

    void readDistribution(const JsonNode &node, Lock &lock)
    {
        if (!node.isObject()) {
            error(node.path(),
                  u"expected an object with name, version and "
                  "top_level_modules, got %1"_s.arg(QLatin1StringView(typeName(*node.value()))));
            return;
        }
        Distribution dist;
        bool good = readString(node, "name", dist.name);
        // Later messages name the distribution too: "distributions[3] (Jinja2).version".
        const JsonNode entry(*node.value(), m_nodes,
                             dist.name.isEmpty() ? node.path()
                                                 : u"%1 (%2)"_s.arg(node.path(), dist.name));
        good = readString(entry, "version", dist.version) && good;

        const JsonNode modules = entry["top_level_modules"];
        if (!modules.isPresent()) {
            error(entry.path(), u"missing key \"top_level_modules\" (expected a "
                                "list of module names)"_s);
            good = false;
        } else if (!modules.isArray()) {
            error(modules.path(), u"expected a list of strings, got %1"_s.arg(
                                      QLatin1StringView(typeName(*modules.value()))));
            good = false;
        } else {
            for (const JsonNode &m : modules.elements()) {
                const auto name = m.isString() ? m.string() : std::nullopt;
                if (!name || name->isEmpty()) {
                    error(m.path(), name ? u"must not be empty"_s
                                         : u"expected a string, got %1"_s.arg(
                                               QLatin1StringView(typeName(*m.value()))));
                    good = false;
                    continue;
                }
                dist.topLevelModules.append(*name);
            }
        }
        const json &raw = *entry.value();
        for (auto it = raw.begin(); it != raw.end(); ++it) {
            if (it.key() != "name" && it.key() != "version" && it.key() != "top_level_modules")
                dist.extra[it.key()] = it.value();
        }
        if (good)
            lock.distributions.push_back(std::move(dist));
    }

    ParsedLock read(const json &document)
    {
        ParsedLock parsed;
        // The root's path is empty so members read "distributions[0]", as before.
        const JsonNode root(document, m_nodes, QString());
        if (!root.isObject()) {
            error(QString(),
                  u"expected an object with \"version\" and "
                  "\"distributions\", got %1"_s.arg(QLatin1StringView(typeName(document))));
            parsed.problems = m_problems;
            return parsed;
        }
        const JsonNode version = root["version"];
        if (!version.isPresent()) {
            error(QString(), u"missing key \"version\" (expected 1)"_s);
        } else if (!version.value()->is_number_integer()) {
            error(version.path(), u"expected the integer 1, got %1"_s.arg(
                                      QString::fromStdString(version.value()->dump())));
        } else if (version.integer(Lock::SchemaVersion, Lock::SchemaVersion) !=
                   Lock::SchemaVersion) {
            // The number as written: 2^64 - 1 is not "-1".
            error(version.path(),
                  u"unsupported schema version %1; this deskpack reads version %2"_s
                      .arg(QString::fromStdString(version.value()->dump()))
                      .arg(Lock::SchemaVersion),
                  "unsupported-version");
        }
        const JsonNode dists = root["distributions"];
        if (!dists.isPresent()) {
            error(QString(), u"missing key \"distributions\" (expected a list)"_s);
        } else if (!dists.isArray()) {
            error(dists.path(),
                  u"expected a list, got %1"_s.arg(QLatin1StringView(typeName(*dists.value()))));
        } else {
            const std::vector<JsonNode> entries = dists.elements();
            parsed.lock.distributions.reserve(entries.size());
            for (const JsonNode &entry : entries)
                readDistribution(entry, parsed.lock);
        }
        for (auto it = document.begin(); it != document.end(); ++it) {
            if (it.key() != "version" && it.key() != "distributions")
                parsed.lock.extra[it.key()] = it.value();
        }
        parsed.problems = m_problems;
        return parsed;
    }

private:
    QString m_fileName;
    // JsonNode needs a sink; the lock reports in its own words above, and
    // the only typed read that can fail (version.integer) is reported there.
    JsonProblems m_nodes;
    QList<Problem> m_problems;
};

Error tooLarge(const QString &fileName, qint64 size)
{
    return makeError(ErrorKind::Unreadable,
                     u"%1: file is %2 bytes; a runtime core lock is at most %3 bytes, "
                     "so this is not one"_s.arg(fileName)
                         .arg(size)
                         .arg(MaxLockFileSize));
}

} // namespace

Result<ParsedLock> parseLock(QByteArrayView data, const QString &fileName)
{
    if (data.size() > MaxLockFileSize)
        return tooLarge(fileName, data.size());
    if (data.trimmed().isEmpty())
        return makeError(ErrorKind::Unreadable,
                         u"%1: file is empty (expected a JSON object)"_s.arg(fileName));
    Result<json> root = parseJsonText(data, fileName, MaxJsonDepth);
    if (!root)
        return root.error();
    SchemaReader reader(fileName);
    return reader.read(*root);
}

Result<ParsedLock> readLockFile(const QString &path)
{
    Result<QByteArray> data = readInputFile(path, MaxLockFileSize, u"runtime core lock"_s);
    if (!data)
        return data.error();
    return parseLock(*data, path);
}

bool distributionLess(const Distribution &a, const Distribution &b)
{
    return DistributionSortKey(a) < DistributionSortKey(b);
}

DistributionSortKey::DistributionSortKey(const Distribution &d)
    : lowerName(pythonLower(d.name))
    , name(&d.name)
    , version(&d.version)
{
}

bool DistributionSortKey::operator<(const DistributionSortKey &other) const
{
    if (lowerName != other.lowerName)
        return codePointLess(lowerName, other.lowerName);
    if (*name != *other.name)
        return codePointLess(*name, *other.name);
    return codePointLess(*version, *other.version);
}

void normalizeLock(Lock &lock)
{
    for (Distribution &d : lock.distributions) {
        std::sort(d.topLevelModules.begin(), d.topLevelModules.end(), codePointLess);
        d.topLevelModules.erase(std::unique(d.topLevelModules.begin(), d.topLevelModules.end()),
                                d.topLevelModules.end());
    }
    // Lower-casing is the expensive part of the key: do it once per entry.
    std::vector<std::pair<DistributionSortKey, std::size_t>> keys;
    keys.reserve(lock.distributions.size());
    for (std::size_t i = 0; i < lock.distributions.size(); ++i)
        keys.emplace_back(DistributionSortKey(lock.distributions[i]), i);
    std::stable_sort(keys.begin(), keys.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    std::vector<Distribution> sorted;
    sorted.reserve(lock.distributions.size());
    for (const auto &key : keys)
        sorted.push_back(std::move(lock.distributions[key.second]));
    lock.distributions = std::move(sorted);
}

namespace {

// json.dumps(ensure_ascii=False) string escaping: quote, backslash, and the
// C0 controls (short forms where JSON has them, else \u00xx in lower case).
void appendJsonString(QByteArray &out, const QString &text)
{
    static const char hex[] = "0123456789abcdef";
    out.append('"');
    const QByteArray utf8 = text.toUtf8();
    if (std::none_of(utf8.begin(), utf8.end(),
                     [](char c) { return uchar(c) < 0x20 || c == '"' || c == '\\'; })) {
        out.append(utf8); // the usual case: nothing to escape
        out.append('"');
        return;
    }
    for (const char c : utf8) {
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default:
            if (uchar(c) < 0x20) {
                out.append("\\u00");
                out.append(hex[uchar(c) >> 4]);
                out.append(hex[uchar(c) & 0xF]);
            } else {
                out.append(c);
            }
        }
    }
    out.append('"');
}

// The common case, no extra keys anywhere: written directly, which is several
// times faster than building a JSON tree for thousands of entries.
QByteArray serializePlainLock(const Lock &lock)
{
    QByteArray out;
    out.reserve(qsizetype(lock.distributions.size()) * 160 + 64);
    if (lock.distributions.empty()) {
        out.append("{\n  \"distributions\": [],\n  \"version\": 1\n}\n");
        return out;
    }
    out.append("{\n  \"distributions\": [\n");
    for (std::size_t i = 0; i < lock.distributions.size(); ++i) {
        const Distribution &d = lock.distributions[i];
        out.append("    {\n      \"name\": ");
        appendJsonString(out, d.name);
        if (d.topLevelModules.isEmpty()) {
            out.append(",\n      \"top_level_modules\": [],\n");
        } else {
            out.append(",\n      \"top_level_modules\": [\n");
            for (qsizetype m = 0; m < d.topLevelModules.size(); ++m) {
                out.append("        ");
                appendJsonString(out, d.topLevelModules[m]);
                out.append(m + 1 < d.topLevelModules.size() ? ",\n" : "\n");
            }
            out.append("      ],\n");
        }
        out.append("      \"version\": ");
        appendJsonString(out, d.version);
        out.append(i + 1 < lock.distributions.size() ? "\n    },\n" : "\n    }\n");
    }
    out.append("  ],\n  \"version\": 1\n}\n");
    return out;
}

bool hasExtraKeys(const Lock &lock)
{
    if (lock.extra.is_object() && !lock.extra.empty())
        return true;
    return std::any_of(
        lock.distributions.begin(), lock.distributions.end(),
        [](const Distribution &d) { return d.extra.is_object() && !d.extra.empty(); });
}

} // namespace

QByteArray serializeLock(const Lock &lock)
{
    if (!hasExtraKeys(lock))
        return serializePlainLock(lock);
    json root = lock.extra.is_object() ? lock.extra : json::object();
    json dists = json::array();
    for (const Distribution &d : lock.distributions) {
        json entry = d.extra.is_object() ? d.extra : json::object();
        entry["name"] = d.name.toStdString();
        entry["version"] = d.version.toStdString();
        json modules = json::array();
        for (const QString &m : d.topLevelModules)
            modules.push_back(m.toStdString());
        entry["top_level_modules"] = std::move(modules);
        dists.push_back(std::move(entry));
    }
    root["distributions"] = std::move(dists);
    root["version"] = Lock::SchemaVersion;
    return jsonDocumentText(root);
}

Result<void> writeLockFile(const QString &path, const Lock &lock)
{
    return writeFileAtomically(path, serializeLock(lock));
}

} // namespace deskpack::lock
