// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QSet>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace deskpack {

// Whether a value must be there. An Optional value may be absent or JSON null.
enum class Presence
{
    Required,
    Optional
};

// The problems found while reading one JSON document (a file, or one frame of
// a stream). Each is "FILE: $.json.path: what was wrong", recorded once.
class JsonProblems
{
public:
    explicit JsonProblems(QString fileName);

    struct Entry
    {
        QString path;
        QString message;
    };

    const QString &fileName() const { return m_fileName; }
    // Records "FILE: PATH: message"; the same message twice is kept once, so a
    // wrong parent read through several children is reported a single time.
    void add(const QString &path, const QString &message);
    const QStringList &messages() const { return m_messages; }
    // The same problems as path and message, for callers with their own format.
    const QList<Entry> &entries() const { return m_entries; }
    bool isEmpty() const { return m_messages.isEmpty(); }
    // Every message, one per line.
    Error toError(ErrorKind kind) const;

private:
    QString m_fileName;
    QStringList m_messages;
    QList<Entry> m_entries;
    QSet<QString> m_seen;
};

// A never-throwing view of one value of an untrusted JSON document, with its
// JSON path ($.files["app/a.py"].sha256). Typed reads return the value or
// std::nullopt after recording what was expected and what was found; reading
// below a value of the wrong type, or below a missing one, reports that value
// instead of the child. The document and the JsonProblems must outlive the
// nodes.
class JsonNode
{
public:
    // The document root, path "$" unless a caller with its own path format
    // names it otherwise.
    JsonNode(const nlohmann::json &root, JsonProblems &problems, QString path = u"$"_s);

    const QString &path() const { return m_path; }
    JsonProblems &problems() const { return *m_problems; }
    // The raw value, nullptr when absent. Inspect its type before using it.
    const nlohmann::json *value() const { return m_value; }
    bool isPresent() const { return m_value != nullptr; }
    bool isNull() const { return !m_value || m_value->is_null(); }
    bool isObject() const { return m_value && m_value->is_object(); }
    bool isArray() const { return m_value && m_value->is_array(); }
    bool isString() const { return m_value && m_value->is_string(); }
    // Present in an object (not a wrong type's child); the value may be null.
    bool has(std::string_view key) const;

    // Children. Never fail: an absent child reads as missing.
    JsonNode operator[](std::string_view key) const;
    JsonNode operator[](std::size_t index) const;

    // Records "message" at this node's path.
    void error(const QString &message) const;
    // Records "expected WHAT, got ..." (or "missing (expected WHAT)").
    void expected(const QString &what) const;

    std::optional<QString> string(Presence presence = Presence::Required) const;
    std::optional<QString> nonEmptyString(Presence presence = Presence::Required) const;
    std::optional<bool> boolean(Presence presence = Presence::Required) const;
    // Whole numbers in [min, max] only: floats (1e30), 2^64 and beyond are refused.
    std::optional<qint64> integer(qint64 min, qint64 max,
                                  Presence presence = Presence::Required) const;
    // The string elements; each other element is reported by its index.
    std::optional<QStringList> stringList(Presence presence = Presence::Required) const;
    // True for an object (an array); anything else present is reported, and
    // an absent value too when Required.
    bool object(Presence presence = Presence::Required) const;
    bool array(Presence presence = Presence::Required) const;

    // An object's members in key order, an array's elements in order; empty
    // for anything else (call object() / array() first to report that).
    std::vector<std::pair<QString, JsonNode>> members() const;
    std::vector<JsonNode> elements() const;

    // The value for a message: `number 5`, `string "abc"`, `object`, `null`, `nothing`.
    QString describe() const;

private:
    JsonNode() = default;
    JsonNode child(const nlohmann::json *value, QString path) const;
    // Handles an absent or null value; returns true when the caller should stop.
    bool absent(Presence presence, const QString &what) const;

    const nlohmann::json *m_value = nullptr;
    JsonProblems *m_problems = nullptr;
    QString m_path;
    // Set when an ancestor is missing or of the wrong type: where and what.
    QString m_blockedPath;
    QString m_blockedMessage;
    bool m_blockedAlways = false; // a wrong type is reported even for Optional reads
};

// `parent` extended by one member: `.name` for identifiers (`name` when
// `parent` is empty), `["a/b.py"]` otherwise.
QString jsonMemberPath(const QString &parent, std::string_view key);

} // namespace deskpack
