// SPDX-License-Identifier: MIT
#pragma once

// The demo app (resources/demo) as the tests build it: one deskpack.json for
// every suite, changed per test by a JSON merge patch (RFC 7386: a key set to
// null is removed, objects merge), and `deskpack build` run on it.

#include "common/testutil.h"

#include <QDir>
#include <QFile>

#include <nlohmann/json.hpp>

namespace deskpack::test {

// The wheelhouse CMake builds from the fixture sources (demo_units, ...).
inline QString demoWheelhouse()
{
    return QDir::cleanPath(binDir() + u"/../wheelhouse"_s);
}

// Byte-compile off (speed), port 0, heartbeat readiness, Debian's 3.11.
inline nlohmann::json demoConfig(const nlohmann::json &patch = nlohmann::json::object())
{
    nlohmann::json config = {
        {"id", "deskpack-demo"},
        {"name", "Deskpack Demo"},
        {"version", "1.0.0"},
        {"runtime", {{"python", "/usr/bin/python3.11"}}},
        {"wheelhouse", demoWheelhouse().toStdString()},
        {"requirements", {"demo_units==0.3.1"}},
        {"app",
         {{"source", QString(sourceDir() + u"/resources/demo/backend"_s).toStdString()},
          {"module", "demo_backend"},
          {"args", {"--port", "0"}}}},
        {"readiness", {{"heartbeat", true}, {"timeout", 20}}},
        {"lockEnv", "DESKPACK_DEMO_CORE_LOCK_PATH"},
        {"prune", {"tests", "idlelib", "tkinter", "ensurepip"}},
        {"byteCompile", false}};
    if (patch.is_object())
        config.merge_patch(patch);
    return config;
}

// Writes DIR/deskpack.json; returns its path, or "" when it cannot.
inline QString writeDemoConfig(const QString &dir,
                               const nlohmann::json &patch = nlohmann::json::object())
{
    QDir().mkpath(dir);
    const QString path = dir + u"/deskpack.json"_s;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    const QByteArray text = QByteArray::fromStdString(demoConfig(patch).dump(2));
    return f.write(text) == text.size() ? path : QString();
}

// Builds the demo bundle into WORK/out; returns its path, or "" with `error` set.
inline QString buildDemoBundle(const QString &work, QString *error,
                               const nlohmann::json &patch = nlohmann::json::object())
{
    const QString config = writeDemoConfig(work, patch);
    if (config.isEmpty()) {
        *error = work + u"/deskpack.json: cannot write"_s;
        return {};
    }
    const ProcessResult r = runDeskpack({u"build"_s, config, u"--out"_s, work + u"/out"_s});
    if (r.exitCode != 0) {
        *error = QString::fromUtf8(r.err);
        return {};
    }
    return work + u"/out/Deskpack Demo"_s;
}

} // namespace deskpack::test
