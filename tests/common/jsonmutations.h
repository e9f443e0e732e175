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

using namespace Qt::Literals::StringLiterals;

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
        u"null"_s,
        u"true"_s,
        u"false"_s,
        u"0"_s,
        u"-1"_s,
        u"7"_s,
        u"9223372036854775807"_s,  // 2^63 - 1
        u"18446744073709551615"_s, // 2^64 - 1
        u"18446744073709551616"_s, // 2^64
        u"-9223372036854775809"_s, // below int64
        u"1e30"_s,
        u"1e400"_s, // overflows a double: nlohmann's out_of_range, not parse_error
        u"1.5"_s,
        u"\"\""_s,
        u"\"x\""_s,
        u"\"../../etc/passwd\""_s,
        u"[]"_s,
        u"{}"_s,
        u"[1, \"a\", null]"_s,
        u"{\"k\": 1}"_s,
        QString(u"["_s.repeated(40) + u"]"_s.repeated(40)),
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
        paths.removeAll(u"$"_s);
        if (ancestors.size() <= 2)
            paths.append(u"$"_s);
        const int depth = int(ancestors.size()) - 1;
        const QByteArray marked = withMarker(doc, at);
        const QByteArray quotedMarker = QByteArray("\"") + mutationMarker() + '"';
        const QByteArray original = QByteArray::fromStdString(node.dump());
        for (const QString &replacement : replacementTexts()) {
            if (replacement.toUtf8() == original)
                continue;
            out.push_back({path + u" = "_s + replacement.left(20),
                           QByteArray(marked).replace(quotedMarker, replacement.toUtf8()), paths,
                           depth});
        }
        if (!at.empty()) {
            const std::string key = at.back();
            const json::json_pointer parent = at.parent_pointer();
            if (doc[parent].is_object()) {
                json removed = doc;
                removed[parent].erase(key);
                out.push_back({path + u" deleted"_s,
                               QByteArray::fromStdString(removed.dump(2)) + '\n', paths, depth});
                const QByteArray name = QByteArray::fromStdString(json(key).dump());
                const QByteArray twice = name + ": " + original + ", " + name + ": " + original;
                out.push_back(
                    {path + u" duplicated"_s,
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
                                               const QString &under = u"$"_s)
{
    std::vector<JsonMutation> out;
    detail::walk(doc, doc, nlohmann::json::json_pointer(), u"$"_s, {}, under, out);
    return out;
}

// Texts that are not a JSON document of any shape.
inline std::vector<JsonMutation> brokenTexts(const nlohmann::json &doc)
{
    const QByteArray text = QByteArray::fromStdString(doc.dump(2));
    return {
        {u"empty"_s, QByteArray(), {}},
        {u"truncated"_s, text.left(text.size() / 2), {}},
        {u"trailing garbage"_s, text + "}", {}},
        {u"invalid UTF-8"_s, QByteArray(text).replace(":", ": \"\xff\xfe\", \"z\":"), {}},
        {u"NUL byte"_s, text.left(10) + QByteArray(1, '\0') + text.mid(10), {}},
        {u"deep nesting"_s, QByteArray(10000, '[') + QByteArray(10000, ']'), {}},
    };
}

// Does `message` name `file` and one of the JSON `paths` or a value below one
// (or, for text that does not parse, a line:column position in `file`)?
inline bool namesFileAndPath(const QString &message, const QString &file, const QStringList &paths)
{
    const QString firstLine = message.section(u'\n', 0, 0);
    static const QRegularExpression position(u"^.*:\\d+:\\d+: "_s);
    if (firstLine.startsWith(file + u':') && position.match(firstLine).hasMatch())
        return true;
    for (const QString &path : paths) {
        const QString named = file + u": "_s + path;
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
