// SPDX-License-Identifier: MIT
#pragma once

// The type-mutation corpus of a JSON document: every value replaced by each
// other JSON type (and by numbers no reader should accept), every key deleted
// and duplicated, deep nesting, and a few broken texts. Each mutation knows
// which JSON paths a reader may name when it refuses it.

#include "base/jsonaccess.h"

#include <QByteArray>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <vector>

namespace deskpack::test {

struct JsonMutation
{
    QString description; // "$.files[\"a\"].size = null"
    QByteArray text;
    // The JSON paths a refusal may name: the mutated value and its ancestors
    // ("$" only for the root and its members), or anything below them. Empty
    // for texts that are not JSON at all, where a line:column position is
    // expected instead.
    QStringList paths;
    int depth = 0; // of the mutated value: 0 the root, 1 a top-level member, ...
};

namespace detail {

inline const char *mutationMarker()
{
    return "@@deskpack-mutation@@";
}

inline const QStringList &replacementTexts()
{
    static const QStringList texts = {
        QStringLiteral("null"),
        QStringLiteral("true"),
        QStringLiteral("false"),
        QStringLiteral("0"),
        QStringLiteral("-1"),
        QStringLiteral("7"),
        QStringLiteral("9223372036854775807"),  // 2^63 - 1
        QStringLiteral("18446744073709551615"), // 2^64 - 1
        QStringLiteral("18446744073709551616"), // 2^64
        QStringLiteral("-9223372036854775809"), // below int64
        QStringLiteral("1e30"),
        QStringLiteral("1e400"), // overflows a double: nlohmann's out_of_range, not parse_error
        QStringLiteral("1.5"),
        QStringLiteral("\"\""),
        QStringLiteral("\"x\""),
        QStringLiteral("\"../../etc/passwd\""),
        QStringLiteral("[]"),
        QStringLiteral("{}"),
        QStringLiteral("[1, \"a\", null]"),
        QStringLiteral("{\"k\": 1}"),
        QString(QStringLiteral("[").repeated(40) + QStringLiteral("]").repeated(40)),
    };
    return texts;
}

inline QByteArray withMarker(nlohmann::json doc, const nlohmann::json::json_pointer &at)
{
    doc[at] = mutationMarker();
    return QByteArray::fromStdString(doc.dump(2)) + '\n';
}

inline void walk(const nlohmann::json &doc, const nlohmann::json &node,
                 const nlohmann::json::json_pointer &at, const QString &path, QStringList ancestors,
                 const QString &under, std::vector<JsonMutation> &out)
{
    using nlohmann::json;
    ancestors.prepend(path);
    const bool wanted = path.startsWith(under) || under.startsWith(path);
    if (wanted && path.startsWith(under)) {
        QStringList paths = ancestors;
        paths.removeAll(QStringLiteral("$"));
        if (ancestors.size() <= 2)
            paths.append(QStringLiteral("$"));
        const int depth = int(ancestors.size()) - 1;
        const QByteArray marked = withMarker(doc, at);
        const QByteArray quotedMarker = QByteArray("\"") + mutationMarker() + '"';
        const QByteArray original = QByteArray::fromStdString(node.dump());
        for (const QString &replacement : replacementTexts()) {
            if (replacement.toUtf8() == original)
                continue;
            out.push_back({path + QStringLiteral(" = ") + replacement.left(20),
                           QByteArray(marked).replace(quotedMarker, replacement.toUtf8()), paths,
                           depth});
        }
        if (!at.empty()) {
            const std::string key = at.back();
            const json::json_pointer parent = at.parent_pointer();
            if (doc[parent].is_object()) {
                json removed = doc;
                removed[parent].erase(key);
                out.push_back({path + QStringLiteral(" deleted"),
                               QByteArray::fromStdString(removed.dump(2)) + '\n', paths, depth});
                const QByteArray name = QByteArray::fromStdString(json(key).dump());
                const QByteArray twice = name + ": " + original + ", " + name + ": " + original;
                out.push_back(
                    {path + QStringLiteral(" duplicated"),
                     QByteArray(marked).replace(QByteArray(name + ": " + quotedMarker), twice),
                     paths});
            }
        }
    }
    if (!wanted)
        return;
    if (node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it)
            walk(doc, it.value(), at / it.key(), jsonMemberPath(path, it.key()), ancestors, under,
                 out);
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i)
            walk(doc, node[i], at / i, path + u'[' + QString::number(i) + u']', ancestors, under,
                 out);
    }
}

} // namespace detail

// Every mutation of `doc` at or below the JSON path `under` ("$" for all).
inline std::vector<JsonMutation> typeMutations(const nlohmann::json &doc,
                                               const QString &under = QStringLiteral("$"))
{
    std::vector<JsonMutation> out;
    detail::walk(doc, doc, nlohmann::json::json_pointer(), QStringLiteral("$"), {}, under, out);
    return out;
}

// Texts that are not a JSON document of any shape.
inline std::vector<JsonMutation> brokenTexts(const nlohmann::json &doc)
{
    const QByteArray text = QByteArray::fromStdString(doc.dump(2));
    return {
        {QStringLiteral("empty"), QByteArray(), {}},
        {QStringLiteral("truncated"), text.left(text.size() / 2), {}},
        {QStringLiteral("trailing garbage"), text + "}", {}},
        {QStringLiteral("invalid UTF-8"),
         QByteArray(text).replace(":", ": \"\xff\xfe\", \"z\":"),
         {}},
        {QStringLiteral("NUL byte"), text.left(10) + QByteArray(1, '\0') + text.mid(10), {}},
        {QStringLiteral("deep nesting"), QByteArray(10000, '[') + QByteArray(10000, ']'), {}},
    };
}

// Does `message` name `file` and one of the JSON `paths` or a value below one
// (or, for text that does not parse, a line:column position in `file`)?
inline bool namesFileAndPath(const QString &message, const QString &file, const QStringList &paths)
{
    const QString firstLine = message.section(u'\n', 0, 0);
    static const QRegularExpression position(QStringLiteral("^.*:\\d+:\\d+: "));
    if (firstLine.startsWith(file + u':') && position.match(firstLine).hasMatch())
        return true;
    for (const QString &path : paths) {
        const QString named = file + QStringLiteral(": ") + path;
        for (qsizetype at = message.indexOf(named); at >= 0; at = message.indexOf(named, at + 1)) {
            const qsizetype end = at + named.size();
            const QChar next = end < message.size() ? message.at(end) : QChar();
            if (next == u':' || next == u'.' || next == u'[')
                return true;
        }
    }
    return false;
}

} // namespace deskpack::test
