// SPDX-License-Identifier: MIT
#include "kernelprotocol.h"

#include <QRegularExpression>

namespace deskpack::runner::protocol {

QByteArray executeRequest(const QString &id, const QString &code, const ExecuteOptions &options,
                          qint64 maxFrameBytes)
{
    nlohmann::json request{
        {"type", "execute"}, {"id", id.toStdString()}, {"code", code.toStdString()}};
    if (options.maxOutputChars > 0)
        request["maxOutputChars"] = options.maxOutputChars;
    if (maxFrameBytes > 0)
        request["maxFrameBytes"] = maxFrameBytes;
    QByteArray line = QByteArray::fromStdString(
        request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    line.append('\n');
    return line;
}

QByteArray exitRequest()
{
    return QByteArrayLiteral("{\"type\":\"exit\"}\n");
}

namespace {

const char *typeName(const nlohmann::json &value)
{
    switch (value.type()) {
    case nlohmann::json::value_t::null:
        return "null";
    case nlohmann::json::value_t::object:
        return "an object";
    case nlohmann::json::value_t::array:
        return "an array";
    case nlohmann::json::value_t::string:
        return "a string";
    case nlohmann::json::value_t::boolean:
        return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
        return "an integer";
    case nlohmann::json::value_t::number_float:
        return "a number";
    default:
        return "not JSON data";
    }
}

} // namespace

FrameReader::FrameReader(const nlohmann::json &frame)
    : m_frame(frame)
{
    if (!m_frame.is_object()) {
        m_problem = QStringLiteral("a frame is %1, expected an object")
                        .arg(QString::fromLatin1(typeName(m_frame)));
        m_idValid = false;
        return;
    }
    if (const nlohmann::json *type = find("type"); type && type->is_string()) {
        m_type = QString::fromStdString(type->get_ref<const std::string &>());
    } else if (type) {
        wrongType("type", "a string", *type);
    } else {
        addProblem(QStringLiteral("a frame without \"type\""));
    }
    if (const nlohmann::json *id = find("id"); id && !id->is_null()) {
        if (id->is_string())
            m_id = QString::fromStdString(id->get_ref<const std::string &>());
        // is_number_integer() is also true for unsigned values: test those first.
        else if (id->is_number_unsigned())
            m_id = QString::number(id->get<std::uint64_t>());
        else if (id->is_number_integer())
            m_id = QString::number(id->get<std::int64_t>());
        else {
            m_idValid = false;
            wrongType("id", "a string, an integer or null", *id);
        }
    }
}

const nlohmann::json *FrameReader::find(const char *key) const
{
    if (!m_frame.is_object())
        return nullptr;
    const auto it = m_frame.find(key);
    return it == m_frame.end() ? nullptr : &*it;
}

void FrameReader::addProblem(const QString &problem)
{
    if (m_problem.isEmpty())
        m_problem = problem;
}

QString FrameReader::frameName() const
{
    if (m_type.isEmpty())
        return QStringLiteral("a frame");
    const bool vowel = QStringLiteral("aeiou").contains(m_type.front().toLower());
    return (vowel ? QStringLiteral("an ") : QStringLiteral("a ")) + m_type.left(40) +
           QStringLiteral(" frame");
}

void FrameReader::wrongType(const char *key, const char *expected, const nlohmann::json &value)
{
    addProblem(QStringLiteral("%1: \"/%2\" is %3, expected %4")
                   .arg(frameName(), QString::fromLatin1(key), QString::fromLatin1(typeName(value)),
                        QString::fromLatin1(expected)));
}

QString FrameReader::string(const char *key, const QString &fallback)
{
    const nlohmann::json *value = find(key);
    if (!value)
        return fallback;
    if (!value->is_string()) {
        wrongType(key, "a string", *value);
        return fallback;
    }
    return QString::fromStdString(value->get_ref<const std::string &>());
}

qint64 FrameReader::integer(const char *key, qint64 fallback, qint64 min, qint64 max)
{
    const nlohmann::json *value = find(key);
    if (!value)
        return fallback;
    // Each integer kind is read as itself, never converted blindly; is_number_integer()
    // is also true for unsigned values, so those go first.
    if (value->is_number_unsigned()) {
        const std::uint64_t n = value->get<std::uint64_t>();
        if (max >= 0 && n <= std::uint64_t(max) && qint64(n) >= min)
            return qint64(n);
    } else if (value->is_number_integer()) {
        const std::int64_t n = value->get<std::int64_t>();
        if (n >= min && n <= max)
            return n;
    } else {
        wrongType(key, "an integer", *value);
        return fallback;
    }
    addProblem(QStringLiteral("%1: \"/%2\" is out of range (%3 to %4)")
                   .arg(frameName(), QString::fromLatin1(key))
                   .arg(min)
                   .arg(max));
    return fallback;
}

bool FrameReader::boolean(const char *key, bool fallback)
{
    const nlohmann::json *value = find(key);
    if (!value)
        return fallback;
    if (!value->is_boolean()) {
        wrongType(key, "a boolean", *value);
        return fallback;
    }
    return value->get<bool>();
}

nlohmann::json FrameReader::object(const char *key)
{
    const nlohmann::json *value = find(key);
    if (!value)
        return nlohmann::json::object();
    if (!value->is_object()) {
        wrongType(key, "an object", *value);
        return nlohmann::json::object();
    }
    return *value;
}

QStringList FrameReader::stringList(const char *key)
{
    QStringList list;
    const nlohmann::json *value = find(key);
    if (!value)
        return list;
    if (!value->is_array()) {
        wrongType(key, "an array of strings", *value);
        return list;
    }
    for (const nlohmann::json &item : *value) {
        if (!item.is_string()) {
            wrongType(key, "an array of strings", item);
            return {};
        }
        list.append(QString::fromStdString(item.get_ref<const std::string &>()));
    }
    return list;
}

ExecuteError FrameReader::error()
{
    ExecuteError error;
    error.ename = string("ename");
    error.evalue = string("evalue");
    error.traceback = stringList("traceback");
    return error;
}

FrameHead peekFrameHead(const QByteArray &head)
{
    // The runner writes "type" and "id" first; other writers may not.
    static const QRegularExpression type(QStringLiteral(R"re("type"\s*:\s*"(\w{1,40})")re"));
    static const QRegularExpression id(QStringLiteral(R"re("id"\s*:\s*"([^"\\]{0,100})")re"));
    const QString text = QString::fromUtf8(head);
    FrameHead result;
    if (const auto match = type.match(text); match.hasMatch())
        result.type = match.captured(1);
    if (const auto match = id.match(text); match.hasMatch())
        result.id = match.captured(1);
    return result;
}

} // namespace deskpack::runner::protocol

namespace deskpack::runner {

nlohmann::json KernelCapabilities::toJson() const
{
    return {{"timeout", timeout},
            {"interrupt", interrupt},
            {"processIsolation", processIsolation},
            {"reset", reset},
            {"depsInstall", depsInstall},
            {"depsUninstall", depsUninstall},
            {"networkIsolation", networkIsolation},
            {"filesystemIsolation", filesystemIsolation},
            {"memoryLimit", memoryLimit}};
}

} // namespace deskpack::runner
