// SPDX-License-Identifier: MIT
#include "pythoninfo.h"

#include "runner/python/pythonprocess.h"

#include "base/jsonaccess.h"
#include "base/jsontext.h"

#include <nlohmann/json.hpp>

using namespace Qt::Literals::StringLiterals;

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
                         u"%1 exited with code %2: %3"_s.arg(interpreter)
                             .arg(output->exitCode)
                             .arg(QString::fromUtf8(output->standardError).trimmed()));
    }
    Result<nlohmann::json> doc = parseJsonText(output->standardOutput, interpreter);
    if (!doc || !doc->is_object()) {
        return makeError(ErrorKind::Environment,
                         u"%1 gave an unreadable answer: %2"_s.arg(
                             interpreter, QString::fromUtf8(output->standardOutput.left(200))));
    }
    return doc;
}

} // namespace

Result<PythonInfo> probePython(const QString &interpreter)
{
    Result<nlohmann::json> doc =
        runJson(interpreter, {u"-I"_s, u"-B"_s, u"-c"_s, QString::fromUtf8(ProbeScript)});
    if (!doc)
        return doc.error();
    // The answer of an interpreter we were pointed at: read it as untrusted.
    JsonProblems problems(interpreter + u" (probe answer)"_s);
    const JsonNode root(*doc, problems);
    auto text = [&](const char *key, Presence presence = Presence::Optional) {
        const JsonNode value = root[key];
        return (presence == Presence::Required ? value.nonEmptyString() : value.string(presence))
            .value_or(QString());
    };
    PythonInfo info;
    info.executable = text("executable");
    info.version = text("version");
    info.versionShort = text("version_short", Presence::Required);
    info.implementation = text("implementation");
    info.abiTag = text("abi_tag");
    info.platformTag = text("platform_tag");
    info.soabi = text("soabi");
    info.prefix = text("prefix");
    info.basePrefix = text("base_prefix");
    info.stdlib = text("stdlib", Presence::Required);
    info.dynload = text("dynload");
    info.purelib = text("purelib");
    info.sysPath = root["sys_path"].stringList(Presence::Optional).value_or(QStringList());
    if (!problems.isEmpty())
        return problems.toError(ErrorKind::Environment);
    return info;
}

Result<QList<QPair<QString, QString>>> failingImports(const QString &interpreter,
                                                      const QStringList &modules)
{
    Result<nlohmann::json> doc =
        runJson(interpreter,
                QStringList{u"-I"_s, u"-B"_s, u"-c"_s, QString::fromUtf8(ImportScript)} + modules);
    if (!doc)
        return doc.error();
    QList<QPair<QString, QString>> failed;
    JsonProblems ignored(interpreter);
    for (const auto &[name, reason] : JsonNode(*doc, ignored).members())
        failed.append({name, reason.string(Presence::Optional).value_or(QString())});
    return failed;
}

} // namespace deskpack::runtime
