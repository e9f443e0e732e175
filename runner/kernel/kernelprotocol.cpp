// SPDX-License-Identifier: MIT
#include "kernelprotocol.h"

#include <QRegularExpression>

using namespace Qt::Literals::StringLiterals;

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

// "a done frame", "an error frame": the name problems are reported under.
QString frameName(const nlohmann::json &frame)
{
    const auto type = frame.is_object() ? frame.find("type") : frame.end();
    if (!frame.is_object() || type == frame.end() || !type->is_string())
        return u"a frame"_s;
    const QString name = QString::fromStdString(type->get_ref<const std::string &>()).left(40);
    const bool vowel = !name.isEmpty() && u"aeiou"_s.contains(name.front().toLower());
    return (vowel ? u"an "_s : u"a "_s) + name + u" frame"_s;
}

} // namespace

FrameReader::FrameReader(const nlohmann::json &frame)
    : m_problems(frameName(frame))
    , m_root(frame, m_problems)
{
    if (!m_root.object()) {
        m_idValid = false;
        return;
    }
    m_type = m_root["type"].string().value_or(QString());
    const JsonNode id = m_root["id"];
    if (id.isNull())
        return;
    if (id.isString()) {
        m_id = *id.string();
    } else if (id.value()->is_number_integer()) { // unsigned included
        const std::optional<qint64> number =
            id.integer(std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max());
        m_idValid = number.has_value();
        if (number)
            m_id = QString::number(*number);
    } else {
        m_idValid = false;
        id.expected(u"a string, an integer or null"_s);
    }
}

QString FrameReader::string(const char *key, const QString &fallback) const
{
    return m_root[key].string(Presence::Optional).value_or(fallback);
}

qint64 FrameReader::integer(const char *key, qint64 fallback, qint64 min, qint64 max) const
{
    return m_root[key].integer(min, max, Presence::Optional).value_or(fallback);
}

bool FrameReader::boolean(const char *key, bool fallback) const
{
    return m_root[key].boolean(Presence::Optional).value_or(fallback);
}

nlohmann::json FrameReader::object(const char *key) const
{
    const JsonNode node = m_root[key];
    return node.object(Presence::Optional) ? *node.value() : nlohmann::json::object();
}

QStringList FrameReader::stringList(const char *key) const
{
    return m_root[key].stringList(Presence::Optional).value_or(QStringList());
}

ExecuteError FrameReader::error() const
{
    ExecuteError error;
    error.ename = string("ename");
    error.evalue = string("evalue");
    error.traceback = stringList("traceback");
    return error;
}

void FrameReader::fieldProblem(const char *key, const QString &message) const
{
    m_root[key].error(message);
}

FrameHead peekFrameHead(const QByteArray &head)
{
    // The runner writes "type" and "id" first; other writers may not.
    static const QRegularExpression type(uR"re("type"\s*:\s*"(\w{1,40})")re"_s);
    static const QRegularExpression id(uR"re("id"\s*:\s*"([^"\\]{0,100})")re"_s);
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
