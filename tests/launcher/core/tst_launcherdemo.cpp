// SPDX-License-Identifier: MIT
// The real demo bundle, built by `deskpack build` (which ships the launcher as
// <bundle>/deskpack-demo) and moved: headless --exit-when-ready prints the URL
// and exits 0; a headless run serves the demo's front page that Open shows.
#include "launchertestutil.h"

#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <csignal>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

class TestLauncherDemo : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_bundle;
    int m_port = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        // A free port, so parallel test runs do not meet on the demo's 8765.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        m_port = probe.serverPort();
        probe.close();
        const QString url = u"http://127.0.0.1:%1/status"_s.arg(m_port);
        json config = {
            {"id", "deskpack-demo"},
            {"name", "Deskpack Demo"},
            {"version", "1.0.0"},
            {"runtime", {{"python", "/usr/bin/python3.11"}}},
            {"wheelhouse", QDir::cleanPath(test::binDir() + u"/../wheelhouse"_s).toStdString()},
            {"requirements", {"demo_units==0.3.1"}},
            {"app",
             {{"source", QString(test::sourceDir() + u"/resources/demo/backend"_s).toStdString()},
              {"module", "demo_backend"},
              {"args", {"--port", std::to_string(m_port)}}}},
            {"readiness", {{"http", url.toStdString()}, {"timeout", 30}}},
            {"lockEnv", "DESKPACK_DEMO_CORE_LOCK_PATH"},
            {"prune", {"tests", "idlelib", "tkinter", "ensurepip"}}};
        QVERIFY(test::writeFile(m_tmp.filePath(u"deskpack.json"_s),
                                QByteArray::fromStdString(config.dump(2))));
        const test::ProcessResult built =
            test::runDeskpack({u"build"_s, m_tmp.filePath(u"deskpack.json"_s), u"--out"_s,
                               m_tmp.filePath(u"dist"_s)});
        QVERIFY2(built.exitCode == 0, built.err.constData());
        QVERIFY2(!built.err.contains("no launcher"), built.err.constData());
        // Relocatable: run it from somewhere else.
        m_bundle = m_tmp.filePath(u"moved/Deskpack Demo"_s);
        QVERIFY(QDir().mkpath(m_tmp.filePath(u"moved"_s)));
        QVERIFY(QDir().rename(m_tmp.filePath(u"dist/Deskpack Demo"_s), m_bundle));
        QVERIFY(QFileInfo(m_bundle + u"/deskpack-demo"_s).isExecutable());
    }

    void exitWhenReadyPrintsTheUrl()
    {
        const test::ProcessResult r = test::runProcess(
            m_bundle + u"/deskpack-demo"_s,
            {u"--headless"_s, u"--exit-when-ready"_s, u"--data-dir"_s, m_tmp.filePath(u"data"_s)},
            {}, 120000, test::launcherEnvironment(m_tmp.filePath(u"first-start"_s)));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines.at(0), u"http://127.0.0.1:%1/"_s.arg(m_port).toUtf8());
        QVERIFY2(lines.at(1).startsWith("ready in ") && lines.at(1).endsWith(" ms"),
                 lines.at(1).constData());
        // The first start verified every file (no stamp yet) ...
        QVERIFY2(r.err.contains("files verified (SHA-256)"), r.err.constData());
        QVERIFY2(r.err.contains("launcher: stopped"), r.err.constData());
    }

    void frontPageShowsStatusLockAndPlugins()
    {
        const QString data = m_tmp.filePath(u"data"_s);
        // A first start of its own (its own cache): the full check is recorded.
        const QProcessEnvironment environment =
            test::launcherEnvironment(m_tmp.filePath(u"second-start"_s));
        const test::ProcessResult first =
            test::runProcess(m_bundle + u"/deskpack-demo"_s,
                             {u"--headless"_s, u"--exit-when-ready"_s, u"--data-dir"_s, data}, {},
                             120000, environment);
        QVERIFY2(first.exitCode == 0, first.err.constData());
        QProcess launcher;
        QByteArray err;
        launcher.setProcessEnvironment(environment);
        connect(&launcher, &QProcess::readyReadStandardError, &launcher,
                [&] { err += launcher.readAllStandardError(); });
        launcher.start(m_bundle + u"/deskpack-demo"_s, {u"--headless"_s, u"--data-dir"_s, data});
        QVERIFY(launcher.waitForStarted());
        QTRY_VERIFY2_WITH_TIMEOUT(err.contains("launcher: running"), err.constData(), 60000);
        // ... and a second start only checked sizes and modes.
        QVERIFY2(err.contains("files checked (sizes and modes)"), err.constData());
        const test::ProcessResult page =
            test::runPythonScript(u"import sys, urllib.request\n"
                                  "r = urllib.request.urlopen(sys.argv[1], timeout=10)\n"
                                  "print(r.headers['Content-Type'])\n"
                                  "sys.stdout.write(r.read().decode())\n"_s,
                                  {u"http://127.0.0.1:%1/"_s.arg(m_port)});
        ::kill(pid_t(launcher.processId()), SIGTERM);
        QVERIFY(launcher.waitForFinished(30000));
        QCOMPARE(launcher.exitCode(), 0);
        QVERIFY2(page.exitCode == 0, page.err.constData());
        QVERIFY2(page.out.startsWith("text/html"), page.out.constData());
        QVERIFY(page.out.contains("<h1>Deskpack Demo</h1>"));
        QVERIFY2(page.out.contains(
                     QString(m_bundle + u"/app/runtime-core-lock.json"_s).toHtmlEscaped().toUtf8()),
                 page.out.constData());
        QVERIFY2(page.out.contains((data + u"/site-packages"_s).toUtf8()), page.out.constData());
        QVERIFY(page.out.contains("Plugins"));
    }
};

QTEST_GUILESS_MAIN(TestLauncherDemo)
#include "tst_launcherdemo.moc"
