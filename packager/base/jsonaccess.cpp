// SPDX-License-Identifier: MIT
#include "jsonaccess.h"

#include <limits>

using nlohmann::json;
using namespace Qt::Literals::StringLiterals;

namespace deskpack {

namespace {

bool isIdentifier(std::string_view key)
{
    if (key.empty())
        return false;
    for (std::size_t i = 0; i < key.size(); ++i) {
        const char c = key[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        const bool digit = c >= '0' && c <= '9';
        if (!letter && !(digit && i > 0))
            return false;
    }
    return true;
}

QString clipped(const std::string &text)
{
    constexpr std::size_t Limit = 40;
    if (text.size() <= Limit)
        return QString::fromStdString(text);
    // Cut on a UTF-8 character boundary.
    std::size_t end = Limit;
    while (end > 0 && (uchar(text[end]) & 0xC0) == 0x80)
        --end;
    return QString::fromStdString(text.substr(0, end)) + u"..."_s;
}

} // namespace

QString jsonMemberPath(const QString &parent, std::string_view key)
{
    if (isIdentifier(key)) {
        const QString name = QString::fromUtf8(key.data(), qsizetype(key.size()));
        return parent.isEmpty() ? name : parent + u'.' + name;
    }
    const std::string quoted =
        json(std::string(key)).dump(-1, ' ', false, json::error_handler_t::replace);
    return parent + u'[' + QString::fromStdString(quoted) + u']';
}

JsonProblems::JsonProblems(QString fileName)
    : m_fileName(std::move(fileName))
{
}

void JsonProblems::add(const QString &path, const QString &message)
{
    const QString line = m_fileName + u": "_s + path + u": "_s + message;
    if (m_seen.contains(line))
        return;
    m_seen.insert(line);
    m_messages.append(line);
    m_entries.append(Entry{path, message});
}

Error JsonProblems::toError(ErrorKind kind) const
{
    return makeError(kind, m_messages.join(u'\n'));
}

JsonNode::JsonNode(const json &root, JsonProblems &problems, QString path)
    : m_value(&root)
    , m_problems(&problems)
    , m_path(std::move(path))
{
}

bool JsonNode::has(std::string_view key) const
{
    return isObject() && m_value->find(key) != m_value->end();
}

JsonNode JsonNode::child(const json *value, QString path) const
{
    JsonNode node;
    node.m_value = value;
    node.m_problems = m_problems;
    node.m_path = std::move(path);
    if (value)
        return node;
    if (!m_blockedMessage.isEmpty()) {
        node.m_blockedPath = m_blockedPath;
        node.m_blockedMessage = m_blockedMessage;
        node.m_blockedAlways = m_blockedAlways;
    }
    return node;
}

JsonNode JsonNode::operator[](std::string_view key) const
{
    const QString path = jsonMemberPath(m_path, key);
    if (isObject()) {
        const auto it = m_value->find(key);
        return child(it == m_value->end() ? nullptr : &*it, path);
    }
    JsonNode node = child(nullptr, path);
    if (node.m_blockedMessage.isEmpty()) {
        node.m_blockedPath = m_path;
        node.m_blockedAlways = !isNull();
        node.m_blockedMessage = isNull() ? (m_value ? u"expected an object, got null"_s
                                                    : u"missing (expected an object)"_s)
                                         : u"expected an object, got "_s + describe();
    }
    return node;
}

JsonNode JsonNode::operator[](std::size_t index) const
{
    const QString path = m_path + u'[' + QString::number(index) + u']';
    if (isArray())
        return child(index < m_value->size() ? &(*m_value)[index] : nullptr, path);
    JsonNode node = child(nullptr, path);
    if (node.m_blockedMessage.isEmpty()) {
        node.m_blockedPath = m_path;
        node.m_blockedAlways = !isNull();
        node.m_blockedMessage = isNull() ? (m_value ? u"expected an array, got null"_s
                                                    : u"missing (expected an array)"_s)
                                         : u"expected an array, got "_s + describe();
    }
    return node;
}

void JsonNode::error(const QString &message) const
{
    m_problems->add(m_path, message);
}

void JsonNode::expected(const QString &what) const
{
    if (!m_value) {
        if (!m_blockedMessage.isEmpty())
            m_problems->add(m_blockedPath, m_blockedMessage);
        else
            error(u"missing (expected "_s + what + u')');
        return;
    }
    error(u"expected "_s + what + u", got "_s + describe());
}

bool JsonNode::absent(Presence presence, const QString &what) const
{
    if (m_value && !m_value->is_null())
        return false;
    if (!m_value && !m_blockedMessage.isEmpty()) {
        if (m_blockedAlways || presence == Presence::Required)
            m_problems->add(m_blockedPath, m_blockedMessage);
        return true;
    }
    if (presence == Presence::Required)
        expected(what);
    return true;
}

std::optional<QString> JsonNode::string(Presence presence) const
{
    const QString what = u"a string"_s;
    if (absent(presence, what))
        return std::nullopt;
    if (!m_value->is_string()) {
        expected(what);
        return std::nullopt;
    }
    return QString::fromStdString(m_value->get_ref<const std::string &>());
}

std::optional<QString> JsonNode::nonEmptyString(Presence presence) const
{
    const QString what = u"a non-empty string"_s;
    if (absent(presence, what))
        return std::nullopt;
    if (!m_value->is_string() || m_value->get_ref<const std::string &>().empty()) {
        expected(what);
        return std::nullopt;
    }
    return QString::fromStdString(m_value->get_ref<const std::string &>());
}

std::optional<bool> JsonNode::boolean(Presence presence) const
{
    const QString what = u"true or false"_s;
    if (absent(presence, what))
        return std::nullopt;
    if (!m_value->is_boolean()) {
        expected(what);
        return std::nullopt;
    }
    return m_value->get<bool>();
}

std::optional<qint64> JsonNode::integer(qint64 min, qint64 max, Presence presence) const
{
    const QString what = u"an integer from %1 to %2"_s.arg(min).arg(max);
    if (absent(presence, what))
        return std::nullopt;
    if (m_value->is_number_unsigned()) {
        const auto value = m_value->get<std::uint64_t>();
        if (max >= 0 && value <= std::uint64_t(max) && qint64(value) >= min)
            return qint64(value);
    } else if (m_value->is_number_integer()) {
        const auto value = m_value->get<std::int64_t>();
        if (value >= min && value <= max)
            return qint64(value);
    }
    expected(what);
    return std::nullopt;
}

std::optional<QStringList> JsonNode::stringList(Presence presence) const
{
    if (!array(presence))
        return std::nullopt;
    QStringList out;
    for (const JsonNode &element : elements()) {
        if (const auto text = element.string())
            out.append(*text);
    }
    return out;
}

bool JsonNode::object(Presence presence) const
{
    const QString what = u"an object"_s;
    if (absent(presence, what))
        return false;
    if (!m_value->is_object()) {
        expected(what);
        return false;
    }
    return true;
}

bool JsonNode::array(Presence presence) const
{
    const QString what = u"a list"_s;
    if (absent(presence, what))
        return false;
    if (!m_value->is_array()) {
        expected(what);
        return false;
    }
    return true;
}

std::vector<std::pair<QString, JsonNode>> JsonNode::members() const
{
    std::vector<std::pair<QString, JsonNode>> out;
    if (!isObject())
        return out;
    out.reserve(m_value->size());
    for (auto it = m_value->begin(); it != m_value->end(); ++it)
        out.emplace_back(QString::fromStdString(it.key()),
                         child(&it.value(), jsonMemberPath(m_path, it.key())));
    return out;
}

std::vector<JsonNode> JsonNode::elements() const
{
    std::vector<JsonNode> out;
    if (!isArray())
        return out;
    out.reserve(m_value->size());
    for (std::size_t i = 0; i < m_value->size(); ++i)
        out.push_back(child(&(*m_value)[i], m_path + u'[' + QString::number(i) + u']'));
    return out;
}

QString JsonNode::describe() const
{
    if (!m_value)
        return u"nothing"_s;
    switch (m_value->type()) {
    case json::value_t::null:
        return u"null"_s;
    case json::value_t::object:
        return u"an object"_s;
    case json::value_t::array:
        return u"a list"_s;
    case json::value_t::boolean:
        return m_value->get<bool>() ? u"true"_s : u"false"_s;
    case json::value_t::string:
        return u"string "_s +
               clipped(m_value->dump(-1, ' ', false, json::error_handler_t::replace));
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        return u"number "_s + clipped(m_value->dump());
    case json::value_t::binary:
    case json::value_t::discarded:
        break;
    }
    return QString::fromLatin1(m_value->type_name());
}

} // namespace deskpack
