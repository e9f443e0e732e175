// SPDX-License-Identifier: MIT
// The backend's environment (DESIGN.md, "The backend's environment"):
// bundleEnvironment() on hand-made manifests, and the whole contract read
// back through a real demo bundle's /status, started by BackendSupervisor.
#include "common/testutil.h"
#include "fakebackend.h"

#include "runner/supervisor/backendsupervisor.h"
#include "runner/python/bundleenvironment.h"

#include <QDir>
#include <QFile>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;
using nlohmann::json;
using State = runner::BackendSupervisor::State;

namespace {

QString str(const json &value)
{
    return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
}

QStringList strings(const json &value)
{
    QStringList out;
    if (value.is_array()) {
        for (const json &item : value)
            out.append(str(item));
    }
    return out;
}

// GET http://127.0.0.1:port/status, the body parsed.
json fetchStatus(int port)
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, quint16(port));
    if (!socket.waitForConnected(5'000))
        return {};
    socket.write("GET /status HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray reply;
    while (socket.waitForReadyRead(5'000))
        reply += socket.readAll();
    reply += socket.readAll();
    const qsizetype body = reply.indexOf("\r\n\r\n");
    if (body < 0)
        return {};
    return json::parse(reply.constData() + body + 4, reply.constData() + reply.size(), nullptr,
                       false);
}

// Sets variables in this process for the lifetime of the object.
struct ScopedEnvironment
{
    QStringList names;
    explicit ScopedEnvironment(const QList<QPair<QString, QString>> &variables)
    {
        for (const auto &[name, value] : variables) {
            qputenv(name.toLocal8Bit().constData(), value.toLocal8Bit());
            names.append(name);
        }
    }
    ~ScopedEnvironment()
    {
        for (const QString &name : names)
            qunsetenv(name.toLocal8Bit().constData());
    }
};

} // namespace

class TestBackendEnvironment : public QObject
{
    Q_OBJECT

    QTemporaryDir m_work;
    QString m_bundle;
    int m_port = 0;

private Q_SLOTS:
    void lockVariables_data()
    {
        QTest::addColumn<bool>("lockExists");
        QTest::addColumn<QString>("preset"); // DESKPACK_CORE_LOCK_PATH already set
        QTest::addColumn<QString>("expectedMain");
        QTest::addColumn<QString>("expectedAlias");
        QTest::newRow("lock present") << true << QString() << u"LOCK"_s << u"LOCK"_s;
        QTest::newRow("lock missing") << false << QString() << QString() << QString();
        QTest::newRow("explicit value wins")
            << true << u"/custom/lock.json"_s << u"/custom/lock.json"_s << u"LOCK"_s;
    }
    void lockVariables()
    {
        QFETCH(bool, lockExists);
        QFETCH(QString, preset);
        QFETCH(QString, expectedMain);
        QFETCH(QString, expectedAlias);
        QTemporaryDir bundle;
        QDir().mkpath(bundle.filePath(u"app"_s));
        const QString lock = bundle.filePath(u"app/runtime-core-lock.json"_s);
        if (lockExists) {
            QFile file(lock);
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        formats::BundleManifest manifest;
        manifest.id = u"x"_s;
        manifest.lock = u"app/runtime-core-lock.json"_s;
        manifest.lockEnvAlias = u"X_CORE_LOCK_PATH"_s;
        QProcessEnvironment base;
        base.insert(u"PATH"_s, u"/usr/bin"_s);
        if (!preset.isEmpty())
            base.insert(u"DESKPACK_CORE_LOCK_PATH"_s, preset);
        const QProcessEnvironment env =
            runner::bundleEnvironment(manifest, bundle.path(), u"/data"_s, false, base);
        const auto resolve = [&](const QString &v) {
            return v == u"LOCK"_s ? lock : v;
        };
        QCOMPARE(env.value(u"DESKPACK_CORE_LOCK_PATH"_s), resolve(expectedMain));
        QCOMPARE(env.contains(u"DESKPACK_CORE_LOCK_PATH"_s), !expectedMain.isEmpty());
        QCOMPARE(env.value(u"X_CORE_LOCK_PATH"_s), resolve(expectedAlias));
        QCOMPARE(env.contains(u"X_CORE_LOCK_PATH"_s), !expectedAlias.isEmpty());
    }

    void pythonVariablesAndDataDirs_data()
    {
        QTest::addColumn<bool>("safeMode");
        QTest::newRow("normal") << false;
        QTest::newRow("safe mode") << true;
    }
    void pythonVariablesAndDataDirs()
    {
        QFETCH(bool, safeMode);
        formats::BundleManifest manifest;
        manifest.env = {{u"APP_GREETING"_s, u"hi"_s}, {u"PYTHONUTF8"_s, u"1"_s}};
        QProcessEnvironment base;
        for (const char *name :
             {"PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONUSERBASE"})
            base.insert(QString::fromLatin1(name), u"/evil"_s);
        base.insert(u"DESKPACK_PLUGIN_SITE_PACKAGES"_s, u"/inherited/plugins"_s);
        base.insert(u"HOME"_s, u"/home/user"_s);
        const QProcessEnvironment env =
            runner::bundleEnvironment(manifest, u"/opt/app"_s, u"/data"_s, safeMode, base);
        for (const char *name :
             {"PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONUSERBASE"})
            QVERIFY2(!env.contains(QString::fromLatin1(name)), name);
        QCOMPARE(env.value(u"PYTHONNOUSERSITE"_s), u"1"_s);
        QCOMPARE(env.value(u"PYTHONUTF8"_s), u"1"_s);
        QCOMPARE(env.value(u"PYTHONUNBUFFERED"_s), u"1"_s);
        QCOMPARE(env.value(u"PYTHONIOENCODING"_s), u"utf-8"_s);
        QCOMPARE(env.value(u"HOME"_s), u"/home/user"_s);
        QCOMPARE(env.value(u"DESKPACK_DATA_DIR"_s), u"/data"_s);
        QCOMPARE(env.value(u"DESKPACK_BUNDLE_DIR"_s), u"/opt/app"_s);
        QCOMPARE(env.value(u"APP_GREETING"_s), u"hi"_s);
        QCOMPARE(env.contains(u"DESKPACK_PLUGIN_SITE_PACKAGES"_s), !safeMode);
        if (!safeMode)
            QCOMPARE(env.value(u"DESKPACK_PLUGIN_SITE_PACKAGES"_s), u"/data/site-packages"_s);
    }

    void launchPlanErrorsNameTheFile()
    {
        QTemporaryDir empty;
        auto plan = runner::backendLaunchPlan(empty.path(), empty.filePath(u"data"_s));
        QVERIFY(!plan);
        QVERIFY2(plan.error().message.contains(empty.filePath(u"bundle.json"_s)),
                 qPrintable(plan.error().message));
    }

    // The rest runs the demo bundle built by `deskpack build`; each test
    // that needs it builds it on first use, so it also runs alone.
    void buildDemoBundle()
    {
        if (!m_bundle.isEmpty())
            return;
        QVERIFY(m_work.isValid());
        QVERIFY2(QFileInfo(u"/usr/bin/python3.11"_s).isExecutable(),
                 "Debian's python3.11 is missing");
        const QString wheelhouse = QDir::cleanPath(test::binDir() + u"/../wheelhouse"_s);
        QVERIFY2(QFileInfo::exists(wheelhouse + u"/demo_units-0.3.1-py3-none-any.whl"_s),
                 "the demo wheelhouse was not built");
        m_port = test::freePort();
        const std::string url = "http://127.0.0.1:" + std::to_string(m_port) + "/status";
        const json config = {
            {"id", "deskpack-demo"},
            {"name", "Deskpack Demo"},
            {"version", "1.0.0"},
            {"runtime", {{"python", "/usr/bin/python3.11"}}},
            {"wheelhouse", wheelhouse.toStdString()},
            {"requirements", {"demo_units==0.3.1"}},
            {"app",
             {{"source", QString(test::sourceDir() + u"/resources/demo/backend"_s).toStdString()},
              {"module", "demo_backend"},
              {"args", {"--port", std::to_string(m_port)}}}},
            {"readiness", {{"http", url}, {"timeout", 20}}},
            {"lockEnv", "DESKPACK_DEMO_CORE_LOCK_PATH"},
            {"env", {{"DESKPACK_DEMO_GREETING", "manifest-env"}}},
            {"prune", {"tests", "idlelib", "tkinter", "ensurepip"}}};
        QFile file(m_work.filePath(u"deskpack.json"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::fromStdString(config.dump(2)));
        file.close();
        const auto r =
            test::runDeskpack({u"build"_s, file.fileName(), u"--out"_s, m_work.filePath(u"out"_s)});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        m_bundle = m_work.filePath(u"out/Deskpack Demo"_s);
        QVERIFY(QFileInfo::exists(m_bundle + u"/bundle.json"_s));
    }

    void contractThroughStatus_data()
    {
        QTest::addColumn<bool>("safeMode");
        QTest::addColumn<QString>("presetLock");
        QTest::newRow("parent Python variables") << false << QString();
        QTest::newRow("explicit lock path") << false << u"/custom/core-lock.json"_s;
        QTest::newRow("safe mode") << true << QString();
    }
    void contractThroughStatus()
    {
        QFETCH(bool, safeMode);
        QFETCH(QString, presetLock);
        buildDemoBundle();
        if (QTest::currentTestFailed())
            return;
        const QString data = m_work.filePath(
            u"data-"_s + QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-'));
        // A plugin that tries to shadow a core module, and one of its own.
        const QString plugins = data + u"/site-packages"_s;
        QVERIFY(QDir().mkpath(plugins));
        for (const auto &[name, text] :
             {std::pair{u"demo_units.py"_s, "raise ImportError('a plugin shadowed the core')\n"},
              std::pair{u"deskpack_demo_plugin_hello.py"_s, "HELLO = 1\n"}}) {
            QFile f(plugins + u'/' + name);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        }

        QList<QPair<QString, QString>> parent = {{u"PYTHONHOME"_s, u"/evil/home"_s},
                                                 {u"PYTHONPATH"_s, u"/evil/path"_s},
                                                 {u"VIRTUAL_ENV"_s, u"/evil/venv"_s}};
        if (!presetLock.isEmpty())
            parent.append({u"DESKPACK_CORE_LOCK_PATH"_s, presetLock});
        Result<runner::BackendLaunchPlan> plan = [&] {
            ScopedEnvironment scoped(parent);
            return runner::backendLaunchPlan(m_bundle, data, safeMode);
        }();
        QVERIFY2(plan, plan ? "" : qPrintable(plan.error().message));
        QCOMPARE(plan->readiness.kind, formats::Readiness::Kind::Http);
        for (const auto &[name, value] : std::as_const(parent)) {
            if (name.startsWith(u"DESKPACK_"_s))
                QCOMPARE(plan->environment.value(name), value);
            else
                QVERIFY2(!plan->environment.contains(name), qPrintable(name));
        }
        QCOMPARE(plan->arguments, (QStringList{u"-s"_s,
                                               QFileInfo(m_bundle).absoluteFilePath() +
                                                   u"/resources/launch_backend.py"_s,
                                               QFileInfo(m_bundle).absoluteFilePath()}));

        runner::BackendSupervisor supervisor(*plan);
        supervisor.start();
        const State expected = safeMode ? State::SafeMode : State::Ready;
        QTRY_VERIFY2_WITH_TIMEOUT(supervisor.state() == expected ||
                                      supervisor.state() == State::Failed,
                                  "the demo backend did not come up", 30'000);
        QVERIFY2(supervisor.state() == expected, qPrintable(supervisor.failureReason()));

        const json status = fetchStatus(m_port);
        QVERIFY2(status.is_object(), "no JSON from /status");
        const QString bundle = QFileInfo(m_bundle).absoluteFilePath();
        const QString lock = bundle + u"/app/runtime-core-lock.json"_s;
        QCOMPARE(str(status["DESKPACK_CORE_LOCK_PATH"]), presetLock.isEmpty() ? lock : presetLock);
        QCOMPARE(str(status["DESKPACK_DEMO_CORE_LOCK_PATH"]), lock);
        QVERIFY2(str(status["prefix"]).startsWith(bundle), qPrintable(str(status["prefix"])));
        QVERIFY(str(status["greeting"]).contains(u"manifest-env"_s));

        const QStringList path = strings(status["sys_path"]);
        QVERIFY(!path.isEmpty());
        for (const QString &entry : path)
            QVERIFY2(!entry.startsWith(u"/evil"_s), qPrintable(entry));
        QCOMPARE(path.first(), bundle + u"/app"_s);
        const QString core = bundle + u"/runtime/lib/python3.11/site-packages"_s;
        QVERIFY2(path.contains(core), qPrintable(path.join(u' ')));
        // The core wins over the plugin's shadow copy.
        QVERIFY2(str(status["demo_units_file"]).startsWith(core),
                 qPrintable(str(status["demo_units_file"])));
        if (safeMode) {
            QVERIFY(status["plugin_site_packages"].is_null());
            QVERIFY(!path.contains(plugins));
            QVERIFY(status["plugins"] == json::object());
        } else {
            QCOMPARE(str(status["plugin_site_packages"]), plugins);
            QCOMPARE(path.last(), plugins); // LAST
            QVERIFY(path.indexOf(core) < path.indexOf(plugins));
            QVERIFY(status["plugins"]["deskpack_demo_plugin_hello"] == json("ok"));
        }

        supervisor.stop();
        QTRY_COMPARE_WITH_TIMEOUT(supervisor.state(), State::Stopped, 10'000);
    }
};

QTEST_GUILESS_MAIN(TestBackendEnvironment)
#include "tst_backendenvironment.moc"
