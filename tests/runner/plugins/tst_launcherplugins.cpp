// SPDX-License-Identifier: MIT
// The launcher's side of the plugin boundary, through the real executable
// shipped in a demo bundle: `<app-id> plugins list|check|install|remove|audit|
// restore` with --json and every exit code; a shadowing package dropped in by
// hand is quarantined when the launcher starts; safe mode keeps the plugin
// site-packages off the backend's sys.path while a normal start imports the
// plugin from it and core modules from the core.
#include "common/pluginstestutil.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

namespace {

QString writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    f.write(data);
    return path;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

json parse(const QByteArray &out)
{
    return json::parse(out.toStdString(), nullptr, false);
}

QString str(const json &value)
{
    return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
}

} // namespace

class TestLauncherPlugins : public QObject
{
    Q_OBJECT

    QTemporaryDir m_work;
    QString m_bundle;
    QString m_wheels;
    int m_port = 0;

    QString app() const { return m_bundle + u"/deskpack-demo"_s; }

    QProcessEnvironment env() const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.remove(u"DISPLAY"_s); // the plugins commands need no display
        e.remove(u"WAYLAND_DISPLAY"_s);
        e.remove(u"QT_QPA_PLATFORM"_s);
        e.insert(u"XDG_CACHE_HOME"_s, m_work.filePath(u"cache"_s));
        e.insert(u"XDG_DATA_HOME"_s, m_work.filePath(u"xdg-data"_s));
        return e;
    }

    test::ProcessResult plugins(const QString &dataDir, const QStringList &arguments)
    {
        return test::runProcess(app(),
                                QStringList{u"plugins"_s} + arguments +
                                    QStringList{u"--data-dir"_s, dataDir, u"--json"_s},
                                {}, 120000, env());
    }

    QStringList local() const { return {u"--no-index"_s, u"--find-links"_s, m_wheels}; }

    QString requirements(const QString &dir, const QByteArray &text)
    {
        return writeFile(dir + u"/requirements.txt"_s, text);
    }

    // GET /status of the running demo backend.
    json status()
    {
        const test::ProcessResult r = test::runPythonScript(
            u"import sys, urllib.request\n"
            "sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())\n"_s,
            {u"http://127.0.0.1:%1/status"_s.arg(m_port)});
        return r.exitCode == 0 ? parse(r.out) : json();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        QVERIFY2(QFileInfo(u"/usr/bin/python3.11"_s).isExecutable(),
                 "Debian's python3.11 is missing");
        const QString wheelError = test::makePluginWheels(m_work.path());
        QVERIFY2(wheelError.isEmpty(), qPrintable(wheelError));
        m_wheels = m_work.filePath(u"wheels"_s);
        QTcpServer probe; // a free port: parallel runs do not meet
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        m_port = probe.serverPort();
        probe.close();
        const json overrides = {
            {"app",
             {{"source", QString(test::sourceDir() + u"/resources/demo/backend"_s).toStdString()},
              {"module", "demo_backend"},
              {"args", {"--port", std::to_string(m_port)}}}},
            {"readiness",
             {{"heartbeat", nullptr},
              {"http", u"http://127.0.0.1:%1/status"_s.arg(m_port).toStdString()},
              {"timeout", 30}}}};
        QString error;
        m_bundle =
            test::buildPluginTestBundle(m_work.filePath(u"bundle"_s), m_wheels, &error, overrides);
        QVERIFY2(!m_bundle.isEmpty(), qPrintable(error));
        QVERIFY2(QFileInfo(app()).isExecutable(), "deskpack build shipped no launcher");
    }

    void listCheckInstallRemove()
    {
        QTemporaryDir data;
        const QString sp = data.filePath(u"site-packages"_s);
        auto r = plugins(data.path(), {u"list"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        json doc = parse(r.out);
        QVERIFY2(doc.is_object() && doc["plugins"].empty(), r.out.constData());
        QCOMPARE(str(doc["sitePackages"]), sp);

        const QString req =
            requirements(data.filePath(u"weather"_s), "deskpack-demo-plugin-weather\n");
        r = plugins(data.path(), QStringList{u"check"_s, u"weather"_s, u"-r"_s, req} + local());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        doc = parse(r.out);
        QVERIFY(doc["ok"] == json(true));
        QVERIFY(doc["plugin"] == json("weather"));
        QVERIFY2(r.err.contains("fits beside the core"), r.err.constData());
        QVERIFY(!QFileInfo::exists(sp + u"/weatherlib"_s)); // check changes nothing

        r = plugins(data.path(), QStringList{u"install"_s, u"weather"_s, u"-r"_s, req} + local());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        doc = parse(r.out);
        QVERIFY2(doc["installed"] == json({"deskpack-demo-plugin-weather 1.0", "weatherlib 2.0"}),
                 r.out.constData());
        QVERIFY(doc["restartRequired"] == json(true));
        QVERIFY(QFileInfo::exists(sp + u"/weatherlib/__init__.py"_s));

        r = plugins(data.path(), {u"list"_s});
        QCOMPARE(r.exitCode, 0);
        doc = parse(r.out);
        QVERIFY2(doc["plugins"].size() == 1, r.out.constData());
        QVERIFY(doc["plugins"][0]["name"] == json("weather"));
        QVERIFY(doc["plugins"][0]["status"] == json("ok"));
        QVERIFY(doc["plugins"][0]["distributions"] ==
                json({"deskpack-demo-plugin-weather", "weatherlib"}));
        QVERIFY2(r.err.contains("weather: deskpack-demo-plugin-weather, weatherlib"),
                 r.err.constData());

        // A wheel shipping a core module's name: refused (1), nothing changes.
        const auto before = test::treeHash(sp);
        const QString bad = requirements(data.filePath(u"bad"_s), "sneaky\n");
        r = plugins(data.path(), QStringList{u"install"_s, u"bad"_s, u"-r"_s, bad} + local());
        QVERIFY2(r.exitCode == 1, r.err.constData());
        doc = parse(r.out);
        QVERIFY(doc["ok"] == json(false));
        QVERIFY2(doc["offenses"][0]["code"] == json("core-module"), r.out.constData());
        QVERIFY2(r.err.contains("demo_units_compat"), r.err.constData());
        QCOMPARE(test::treeHash(sp), before);

        r = plugins(data.path(), {u"remove"_s, u"weather"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        doc = parse(r.out);
        QVERIFY2(doc["removed"].size() == 2, r.out.constData());
        QVERIFY(!QFileInfo::exists(sp + u"/weatherlib"_s));
        r = plugins(data.path(), {u"list"_s});
        QVERIFY(parse(r.out)["plugins"].empty());

        // Removing it again is bad input, with the error as JSON too.
        r = plugins(data.path(), {u"remove"_s, u"weather"_s});
        QVERIFY2(r.exitCode == 2, r.err.constData());
        QVERIFY2(parse(r.out)["error"]["kind"] == json("usage"), r.out.constData());
    }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("arguments"); // REQ stands for the requirements file
        QTest::addColumn<QByteArray>("requirements");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrHas");
        const QStringList check{u"check"_s, u"myplugin"_s, u"-r"_s, u"REQ"_s};
        const QStringList install{u"install"_s, u"myplugin"_s, u"-r"_s, u"REQ"_s};
        QTest::newRow("check fits")
            << check << QByteArray("weatherlib\n") << 0 << u"fits beside the core"_s;
        QTest::newRow("check clash")
            << check << QByteArray("deskpack-demo-plugin-transitive\n") << 1
            << u"plugin myplugin needs demo-greeting<1.0 (through oldlib 1.0), but the app's core "
               "pins demo-greeting==1.2.0"_s;
        QTest::newRow("install clash")
            << install << QByteArray("demo-greeting<1.0\n") << 1 << u"refused"_s;
        QTest::newRow("hostile requirements")
            << install << QByteArray("foo\n-e ../evil\n") << 2 << u"requirements.txt:2: editable"_s;
        QTest::newRow("index url inside") << check << QByteArray("--index-url http://evil/\nfoo\n")
                                          << 2 << u"requirements.txt:1"_s;
        QTest::newRow("unreadable requirements")
            << QStringList{u"check"_s, u"myplugin"_s, u"-r"_s, u"/nonexistent/requirements.txt"_s}
            << QByteArray() << 2 << u"/nonexistent/requirements.txt"_s;
        QTest::newRow("unknown plugin")
            << QStringList{u"remove"_s, u"nobody"_s} << QByteArray() << 2 << u"nobody"_s;
        QTest::newRow("unknown quarantine entry")
            << QStringList{u"restore"_s, u"nothing-here"_s} << QByteArray() << 2
            << u"no such quarantine entry"_s;
        QTest::newRow("bad option") << QStringList{u"list"_s, u"--find-links"_s, u"x"_s}
                                    << QByteArray() << 2 << u"takes no -r"_s;
        QTest::newRow("pip fails")
            << install << QByteArray("no-such-distribution\n") << 3 << u"no-such-distribution"_s;
        QTest::newRow("find-links is not a directory")
            << QStringList{u"install"_s, u"myplugin"_s,     u"-r"_s,
                           u"REQ"_s,     u"--find-links"_s, u"/nonexistent/wheels"_s}
            << QByteArray("weatherlib\n") << 3 << u"pip could not resolve"_s;
        QTest::newRow("no bundle")
            << QStringList{u"list"_s, u"--bundle"_s, u"/nonexistent/bundle"_s} << QByteArray() << 3
            << u"/nonexistent/bundle"_s;
        QTest::newRow("audit clean")
            << QStringList{u"audit"_s} << QByteArray() << 0 << u"0 in quarantine"_s;
    }
    void exitCodes()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, requirements);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrHas);
        QTemporaryDir data;
        const QString req = writeFile(data.filePath(u"myplugin/requirements.txt"_s), requirements);
        arguments.replaceInStrings(u"REQ"_s, req);
        if (arguments.contains(u"-r"_s) && !arguments.contains(u"--find-links"_s))
            arguments += local();
        else if (arguments.contains(u"--find-links"_s))
            arguments += u"--no-index"_s;
        const QString sp = data.filePath(u"site-packages"_s);
        const auto before = test::treeHash(sp);
        const test::ProcessResult r = plugins(data.path(), arguments);
        QVERIFY2(r.exitCode == exitCode, r.err.constData());
        QVERIFY2(QString::fromUtf8(r.err).contains(stderrHas), r.err.constData());
        const json doc = parse(r.out);
        QVERIFY2(doc.is_object(), r.out.constData()); // --json answers even on failure
        if (exitCode >= 2)
            QVERIFY2(doc["error"]["message"].is_string(), r.out.constData());
        if (exitCode != 0)
            QCOMPARE(test::treeHash(sp), before);
    }

    void dataDirThatIsAFileIsAnEnvironmentFailure()
    {
        QTemporaryDir dir;
        const QString notADir = writeFile(dir.filePath(u"data"_s), "a file\n");
        const QString req = writeFile(dir.filePath(u"r.txt"_s), "weatherlib\n");
        const auto r = plugins(notADir, QStringList{u"install"_s, u"w"_s, u"-r"_s, req} + local());
        QVERIFY2(r.exitCode == 3, r.err.constData());
        QCOMPARE(readFile(notADir), QByteArray("a file\n"));
    }

    void shadowDroppedByHandIsQuarantinedAtLaunch()
    {
        QTemporaryDir data;
        const QString sp = data.filePath(u"site-packages"_s);
        const QString req =
            requirements(data.filePath(u"weather"_s), "deskpack-demo-plugin-weather\n");
        auto r =
            plugins(data.path(), QStringList{u"install"_s, u"weather"_s, u"-r"_s, req} + local());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        writeFile(sp + u"/demo_greeting/__init__.py"_s, "def greet(n): return 'hijacked'\n");

        const test::ProcessResult started = test::runProcess(
            app(), {u"--headless"_s, u"--exit-when-ready"_s, u"--data-dir"_s, data.path()}, {},
            120000, env());
        QVERIFY2(started.exitCode == 0, started.err.constData());
        QVERIFY2(started.err.contains("plugin audit: quarantined 1 offender"),
                 started.err.constData());
        QVERIFY2(started.err.contains("quarantined now: quarantine demo_greeting-"),
                 started.err.constData());
        QVERIFY(!QFileInfo::exists(sp + u"/demo_greeting"_s));
        QVERIFY(QFileInfo::exists(sp + u"/weatherlib/__init__.py"_s));
        const QByteArray log = readFile(data.filePath(u"logs/launcher.log"_s));
        QVERIFY2(log.contains("shadows the module 'demo_greeting' of the core distribution "
                              "demo-greeting"),
                 log.constData());

        r = plugins(data.path(), {u"list"_s});
        QCOMPARE(r.exitCode, 0);
        json doc = parse(r.out);
        QVERIFY2(doc["quarantine"].size() == 1, r.out.constData());
        const json &entry = doc["quarantine"][0];
        QVERIFY(entry["reasons"][0]["code"] == json("core-module"));
        QVERIFY(entry["reasons"][0]["subject"] == json("demo_greeting"));
        QVERIFY(entry["restorable"] == json(false));
        QVERIFY2(r.err.contains("shadows the module 'demo_greeting'"), r.err.constData());
        const QString id = str(entry["id"]);

        // The audit leaves it there (1), and it cannot come back while it conflicts (1).
        r = plugins(data.path(), {u"audit"_s});
        QVERIFY2(r.exitCode == 1, r.err.constData());
        doc = parse(r.out);
        QVERIFY(doc["quarantined"].empty());
        QVERIFY(doc["quarantine"].size() == 1);
        r = plugins(data.path(), {u"restore"_s, id});
        QVERIFY2(r.exitCode == 1, r.err.constData());
        QVERIFY2(r.err.contains("still conflicts"), r.err.constData());

        // Fixed by hand (renamed in the quarantine), it is restorable and comes back.
        const QString files = data.filePath(u"quarantine/"_s) + id + u"/files"_s;
        QVERIFY(QDir().rename(files + u"/demo_greeting"_s, files + u"/my_greeting"_s));
        QFile reason(data.filePath(u"quarantine/"_s) + id + u"/reason.json"_s);
        QVERIFY(reason.open(QIODevice::ReadOnly));
        json reasonDoc = parse(reason.readAll());
        reason.close();
        if (reasonDoc.is_object() && reasonDoc.contains("files"))
            reasonDoc["files"] = json::array({"my_greeting"});
        writeFile(reason.fileName(), QByteArray::fromStdString(reasonDoc.dump(2)));
        r = plugins(data.path(), {u"list"_s});
        QVERIFY2(parse(r.out)["quarantine"][0]["restorable"] == json(true), r.out.constData());
        r = plugins(data.path(), {u"restore"_s, id});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(parse(r.out)["id"] == json(id.toStdString()), r.out.constData());
        QVERIFY(QFileInfo::exists(sp + u"/my_greeting/__init__.py"_s));
        r = plugins(data.path(), {u"audit"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

    void auditThatCannotRunDoesNotStopTheStart()
    {
        // Another process is in the middle of a plugin change (paused after
        // staging, holding DATA/.plugins.lock) for longer than the launch
        // audit waits: the app starts anyway and says why.
        QTemporaryDir data;
        const QString req = requirements(data.filePath(u"weather"_s), "weatherlib\n");
        QProcess tool;
        tool.start(test::binDir() + u"/plugintool"_s,
                   {u"install"_s, m_bundle, data.path(), u"weather"_s, req, m_wheels,
                    u"--pause-at"_s, u"staged"_s});
        QVERIFY(tool.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += tool.readAllStandardOutput()).contains("paused\n"), 60000);
        const test::ProcessResult started = test::runProcess(
            app(), {u"--headless"_s, u"--exit-when-ready"_s, u"--data-dir"_s, data.path()}, {},
            120000, env());
        tool.kill();
        tool.waitForFinished();
        QVERIFY2(started.exitCode == 0, started.err.constData());
        QVERIFY2(started.err.contains("plugin audit failed, starting anyway"),
                 started.err.constData());
        QVERIFY2(started.err.contains("another plugin change is running"), started.err.constData());
        QVERIFY2(started.out.startsWith("http://127.0.0.1:"), started.out.constData());
    }

    void safeModeKeepsPluginsOffSysPath_data()
    {
        QTest::addColumn<bool>("safeMode");
        QTest::newRow("normal start") << false;
        QTest::newRow("safe mode") << true;
    }
    void safeModeKeepsPluginsOffSysPath()
    {
        QFETCH(bool, safeMode);
        QTemporaryDir data;
        const QString sp = data.filePath(u"site-packages"_s);
        const QString req =
            requirements(data.filePath(u"weather"_s), "deskpack-demo-plugin-weather\n");
        auto r =
            plugins(data.path(), QStringList{u"install"_s, u"weather"_s, u"-r"_s, req} + local());
        QVERIFY2(r.exitCode == 0, r.err.constData());

        QProcess launcher;
        QByteArray err;
        launcher.setProcessEnvironment(env());
        connect(&launcher, &QProcess::readyReadStandardError, &launcher,
                [&] { err += launcher.readAllStandardError(); });
        QStringList arguments{u"--headless"_s, u"--data-dir"_s, data.path()};
        if (safeMode)
            arguments << u"--safe-mode"_s;
        launcher.start(app(), arguments);
        QVERIFY(launcher.waitForStarted());
        QTRY_VERIFY2_WITH_TIMEOUT(err.contains("launcher: running") || err.contains("safe mode"),
                                  err.constData(), 60000);
        QTRY_VERIFY2_WITH_TIMEOUT(!status().is_null(), err.constData(), 30000);
        const json doc = status();
        ::kill(pid_t(launcher.processId()), SIGTERM);
        QVERIFY(launcher.waitForFinished(30000));
        QVERIFY2(doc.is_object(), err.constData());

        bool onPath = false;
        for (const json &p : doc["sys_path"])
            onPath = onPath || str(p) == sp;
        const QString core = m_bundle + u"/runtime/lib/python3.11/site-packages/"_s;
        QVERIFY(str(doc["demo_units_file"]).startsWith(core));
        if (safeMode) {
            QVERIFY2(err.contains("plugin audit skipped"), err.constData());
            QVERIFY(!onPath);
            QVERIFY(doc["plugin_site_packages"].is_null());
            QVERIFY(doc["plugins"].empty());
            QVERIFY(doc["plugin_modules"].empty());
            return;
        }
        QVERIFY2(err.contains("plugin audit: no offenders"), err.constData());
        QVERIFY(onPath);
        QCOMPARE(str(doc["sys_path"].back()), sp); // last: a core module always wins
        QVERIFY2(doc["plugins"]["deskpack_demo_plugin_weather"] == json("ok"), doc.dump().c_str());
        const json &modules = doc["plugin_modules"]["deskpack_demo_plugin_weather"];
        QVERIFY(str(modules["file"]).startsWith(sp));
        QVERIFY(str(modules["imports"]["weatherlib"]).startsWith(sp));
        QVERIFY(str(modules["imports"]["demo_units"]).startsWith(core));
    }
};

QTEST_GUILESS_MAIN(TestLauncherPlugins)
#include "tst_launcherplugins.moc"
