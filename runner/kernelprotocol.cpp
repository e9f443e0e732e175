// SPDX-License-Identifier: MIT
#include "kernelprotocol.h"

namespace deskpack::runner::protocol {

QByteArray executeRequest(const QString &id, const QString &code, const ExecuteOptions &options)
{
    nlohmann::json request{
        {"type", "execute"}, {"id", id.toStdString()}, {"code", code.toStdString()}};
    if (options.maxOutputChars > 0)
        request["maxOutputChars"] = options.maxOutputChars;
    QByteArray line = QByteArray::fromStdString(
        request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    line.append('\n');
    return line;
}

QByteArray exitRequest()
{
    return QByteArrayLiteral("{\"type\":\"exit\"}\n");
}

QString stringField(const nlohmann::json &frame, const char *key, const QString &fallback)
{
    if (!frame.is_object())
        return fallback;
    const auto it = frame.find(key);
    if (it == frame.end() || !it->is_string())
        return fallback;
    return QString::fromStdString(it->get_ref<const std::string &>());
}

int intField(const nlohmann::json &frame, const char *key, int fallback)
{
    if (!frame.is_object())
        return fallback;
    const auto it = frame.find(key);
    if (it == frame.end() || !it->is_number_integer())
        return fallback;
    return it->get<int>();
}

bool boolField(const nlohmann::json &frame, const char *key, bool fallback)
{
    if (!frame.is_object())
        return fallback;
    const auto it = frame.find(key);
    if (it == frame.end() || !it->is_boolean())
        return fallback;
    return it->get<bool>();
}

nlohmann::json objectField(const nlohmann::json &frame, const char *key)
{
    if (!frame.is_object())
        return nlohmann::json::object();
    const auto it = frame.find(key);
    if (it == frame.end() || !it->is_object())
        return nlohmann::json::object();
    return *it;
}

QString frameId(const nlohmann::json &frame)
{
    if (!frame.is_object())
        return {};
    const auto it = frame.find("id");
    if (it == frame.end())
        return {};
    if (it->is_string())
        return QString::fromStdString(it->get_ref<const std::string &>());
    if (it->is_number_integer())
        return QString::number(it->get<qint64>());
    return {};
}

ExecuteError errorFromFrame(const nlohmann::json &frame)
{
    ExecuteError error;
    error.ename = stringField(frame, "ename");
    error.evalue = stringField(frame, "evalue");
    const auto it = frame.find("traceback");
    if (it != frame.end() && it->is_array()) {
        for (const auto &line : *it) {
            if (line.is_string())
                error.traceback.append(QString::fromStdString(line.get_ref<const std::string &>()));
        }
    }
    return error;
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
