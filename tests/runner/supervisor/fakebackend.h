// SPDX-License-Identifier: MIT
#pragma once

// A minimal bundle whose backend is tests/runner/fakebackend.py, started the
// way the launcher starts a real one: Debian's Python running
// resources/launch_backend.py. Shared by tst_backendsupervisor and the
// supervisor_host helper (which has no QTest).

#include "runner/supervisor/backendsupervisor.h"
#include "runner/python/pythonenvironment.h"

#include <QDir>
#include <QFile>
#include <QTcpServer>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::test {

// A port nothing listens on right now.
inline int freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

// BUNDLE/bundle.json (only what launch_backend.py reads) and BUNDLE/app/fakebackend.py.
inline bool writeFakeBundle(const QString &bundle, const QString &readinessKind)
{
    if (!QDir().mkpath(bundle + u"/app"_s) || !QDir().mkpath(bundle + u"/core"_s))
        return false;
    QFile manifest(bundle + u"/bundle.json"_s);
    if (!manifest.open(QIODevice::WriteOnly))
        return false;
    manifest.write(R"({"coreSitePackages": "core", "entry": {"script": "app/fakebackend.py"},
 "readiness": {"kind": ")" +
                   readinessKind.toUtf8() + R"(", "timeout": 10}})");
    manifest.close();
    const QString script = bundle + u"/app/fakebackend.py"_s;
    QFile::remove(script);
    return QFile::copy(QStringLiteral(DESKPACK_SOURCE_DIR "/tests/runner/supervisor/fakebackend.py"), script);
}

// `scenario` on `port`, HTTP readiness on /status unless `readiness` says otherwise.
inline runner::BackendLaunchPlan
fakePlan(const QString &bundle, const QString &data, const QString &scenario, int port,
         const QString &extra = {}, formats::Readiness::Kind kind = formats::Readiness::Kind::Http)
{
    runner::BackendLaunchPlan plan;
    plan.appId = u"fake-backend"_s;
    plan.bundleDir = bundle;
    plan.dataDir = data;
    plan.program = u"/usr/bin/python3"_s;
    plan.arguments = {u"-s"_s, QStringLiteral(DESKPACK_SOURCE_DIR "/resources/launch_backend.py"),
                      bundle, scenario, QString::number(port)};
    if (!extra.isEmpty())
        plan.arguments.append(extra);
    plan.workingDirectory = bundle;
    plan.environment = runner::sanitizedPythonEnvironment();
    plan.environment.insert(u"DESKPACK_DATA_DIR"_s, data);
    plan.environment.insert(u"DESKPACK_PLUGIN_SITE_PACKAGES"_s, data + u"/site-packages"_s);
    plan.readiness.kind = kind;
    plan.readiness.url = u"http://127.0.0.1:%1/status"_s.arg(port);
    plan.readiness.port = port;
    plan.readiness.timeoutSeconds = 10;
    return plan;
}

} // namespace deskpack::test
