// SPDX-License-Identifier: MIT
#include "pythoninfo.h"

#include "runner/pythonprocess.h"

#include <nlohmann/json.hpp>

namespace deskpack::runtime {

namespace {

const char ProbeScript[] = R"PY(
import json, os, sys, sysconfig
v = sys.version_info
impl = sys.implementation.name
if impl == "cpython":
    abi = "cp%d%d%s" % (v[0], v[1], getattr(sys, "abiflags", ""))
else:
    abi = (sysconfig.get_config_var("SOABI") or impl).replace("-", "_").replace(".", "_")
dynload = [p for p in sys.path if os.path.basename(p) == "lib-dynload"]
print(json.dumps({
    "executable": sys.executable,
    "version": "%d.%d.%d" % v[:3],
    "version_short": "%d.%d" % v[:2],
    "implementation": impl,
    "abi_tag": abi,
    "platform_tag": sysconfig.get_platform().replace("-", "_").replace(".", "_"),
    "soabi": sysconfig.get_config_var("SOABI") or "",
    "prefix": sys.prefix,
    "base_prefix": sys.base_prefix,
    "stdlib": sysconfig.get_path("stdlib"),
    "dynload": dynload[0] if dynload else "",
    "purelib": sysconfig.get_path("purelib"),
    "sys_path": sys.path,
}))
)PY";

const char ImportScript[] = R"PY(
import importlib, json, sys
failed = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except BaseException as e:
        failed[name] = "%s: %s" % (type(e).__name__, e)
print(json.dumps(failed))
)PY";

QString text(const nlohmann::json &doc, const char *key)
{
    const auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? QString::fromStdString(it->get<std::string>())
                                              : QString();
}

Result<nlohmann::json> runJson(const QString &interpreter, const QStringList &arguments)
{
    runner::PythonCommand command;
    command.interpreter = interpreter;
    command.arguments = arguments;
    Result<runner::PythonOutput> output = runner::runPython(command);
    if (!output)
        return output.error();
    if (output->exitCode != 0) {
        return makeError(ErrorKind::Environment,
                         QStringLiteral("%1 exited with code %2: %3")
                             .arg(interpreter)
                             .arg(output->exitCode)
                             .arg(QString::fromUtf8(output->standardError).trimmed()));
    }
    nlohmann::json doc =
        nlohmann::json::parse(output->standardOutput.toStdString(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return makeError(
            ErrorKind::Environment,
            QStringLiteral("%1 gave an unreadable answer: %2")
                .arg(interpreter, QString::fromUtf8(output->standardOutput.left(200))));
    }
    return doc;
}

} // namespace

Result<PythonInfo> probePython(const QString &interpreter)
{
    Result<nlohmann::json> doc =
        runJson(interpreter, {QStringLiteral("-I"), QStringLiteral("-B"), QStringLiteral("-c"),
                              QString::fromUtf8(ProbeScript)});
    if (!doc)
        return doc.error();
    PythonInfo info;
    info.executable = text(*doc, "executable");
    info.version = text(*doc, "version");
    info.versionShort = text(*doc, "version_short");
    info.implementation = text(*doc, "implementation");
    info.abiTag = text(*doc, "abi_tag");
    info.platformTag = text(*doc, "platform_tag");
    info.soabi = text(*doc, "soabi");
    info.prefix = text(*doc, "prefix");
    info.basePrefix = text(*doc, "base_prefix");
    info.stdlib = text(*doc, "stdlib");
    info.dynload = text(*doc, "dynload");
    info.purelib = text(*doc, "purelib");
    if (const auto it = doc->find("sys_path"); it != doc->end() && it->is_array()) {
        for (const auto &entry : *it) {
            if (entry.is_string())
                info.sysPath.append(QString::fromStdString(entry.get<std::string>()));
        }
    }
    if (info.versionShort.isEmpty() || info.stdlib.isEmpty()) {
        return makeError(
            ErrorKind::Environment,
            QStringLiteral("%1 did not report its version and stdlib").arg(interpreter));
    }
    return info;
}

Result<QList<QPair<QString, QString>>> failingImports(const QString &interpreter,
                                                      const QStringList &modules)
{
    Result<nlohmann::json> doc =
        runJson(interpreter, QStringList{QStringLiteral("-I"), QStringLiteral("-B"),
                                         QStringLiteral("-c"), QString::fromUtf8(ImportScript)} +
                                 modules);
    if (!doc)
        return doc.error();
    QList<QPair<QString, QString>> failed;
    for (auto it = doc->begin(); it != doc->end(); ++it) {
        failed.append(
            {QString::fromStdString(it.key()),
             it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString()});
    }
    return failed;
}

} // namespace deskpack::runtime
