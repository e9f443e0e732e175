// SPDX-License-Identifier: MIT
// The deskpack-launcher executable on small bundles: found beside the
// executable, headless --exit-when-ready, broken bundles (exit 3 naming the
// file), one instance per data directory, SIGTERM and the installer's quit
// request stopping the backend.
#include "launchertestutil.h"

#include "formats/instancechannel.h"

#include <QElapsedTimer>
#include <QLocalSocket>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;

namespace {

// A backend that records its pid in the data directory, then sleeps.
QByteArray pidRecordingBackend()
{
    return "import os, signal, sys, time\n"
           "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
           "path = os.path.join(os.environ['DESKPACK_DATA_DIR'], 'backend.pid')\n"
           "open(path + '.tmp', 'w').write(str(os.getpid()))\n"
           "os.replace(path + '.tmp', path)\n"
           "print('fakeapp: up', flush=True)\n"
           "while True:\n"
           "    time.sleep(0.2)\n";
}

bool processAlive(qint64 pid)
{
    // A zombie is dead for our purpose; /proc/PID/stat says "Z".
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close > 0 && text.size() > close + 2 && text.at(close + 2) != 'Z';
}

// A launcher running in the background, its stderr collected as it comes.
struct Running
{
    QProcess process;
    QByteArray err;
    explicit Running(const QStringList &arguments, const QProcessEnvironment &env,
                     const QString &program = test::launcherPath())
    {
        process.setProcessEnvironment(env);
        QObject::connect(&process, &QProcess::readyReadStandardError, &process,
                         [this] { err += process.readAllStandardError(); });
        process.start(program, arguments);
    }
    ~Running()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }
};

} // namespace

class TestLauncherProcess : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QProcessEnvironment env() const { return test::launcherEnvironment(m_tmp.path()); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(QFileInfo(test::launcherPath()).isExecutable()); }

    void startsFromBesideItsExecutable()
    {
        QTemporaryDir root;
        const QString bundle = test::writeMiniBundle(root.path(), test::sleepingBackend(), true);
        QVERIFY(!bundle.isEmpty());
        const test::ProcessResult r = test::runProcess(
            bundle + u"/mini-app"_s,
            {u"--headless"_s, u"--exit-when-ready"_s, u"--data-dir"_s, root.filePath(u"d"_s)}, {},
            60000, env());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.startsWith("ready\nready in "), r.out.constData());
        QVERIFY2(r.err.contains("fakeapp: up"), r.err.constData()); // backend output on stderr
        QVERIFY(QFileInfo::exists(root.filePath(u"d/logs/backend.log"_s)));
        QVERIFY(QFileInfo::exists(root.filePath(u"d/logs/launcher.log"_s)));
    }

    // The headless output names how the backend ended: its exit code, or the
    // signal that killed it (by name and number, not "a signal").
    void backendFailureBeforeReadyExits3_data()
    {
        QTest::addColumn<QByteArray>("ending");
        QTest::addColumn<QByteArray>("reported");
        QTest::newRow("exit 4") << QByteArray("sys.exit(4)")
                                << QByteArray("the backend exited with code 4 before it was ready");
        QTest::newRow("SIGSEGV") << QByteArray("os.kill(os.getpid(), signal.SIGSEGV)")
                                 << QByteArray("the backend was killed by SIGSEGV (signal 11, "
                                               "segmentation fault) before it was ready");
        QTest::newRow("SIGKILL") << QByteArray("os.kill(os.getpid(), signal.SIGKILL)")
                                 << QByteArray("the backend was killed by SIGKILL (signal 9, "
                                               "killed) before it was ready");
    }
    void backendFailureBeforeReadyExits3()
    {
        QFETCH(QByteArray, ending);
        QFETCH(QByteArray, reported);
        QTemporaryDir root;
        // TCP readiness on a port nobody serves: a heartbeat could beat the exit.
        QTcpServer free;
        QVERIFY(free.listen(QHostAddress::LocalHost, 0));
        formats::Readiness tcp;
        tcp.kind = formats::Readiness::Kind::Tcp;
        tcp.port = free.serverPort();
        free.close();
        const QByteArray main =
            "import os, signal, sys\nprint('boom: no config', file=sys.stderr, flush=True)\n" +
            ending + '\n';
        const QString bundle = test::writeMiniBundle(root.path(), main, false, u"mini-app"_s, tcp);
        const test::ProcessResult r =
            test::runProcess(test::launcherPath(),
                             {u"--bundle"_s, bundle, u"--headless"_s, u"--exit-when-ready"_s,
                              u"--data-dir"_s, root.filePath(u"d"_s)},
                             {}, 60000, env());
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.out.isEmpty(), r.out.constData());
        QVERIFY2(r.err.contains("boom: no config"), r.err.constData());
        QVERIFY2(r.err.contains("launcher: the backend"), r.err.constData());
        QVERIFY2(r.err.contains(reported), r.err.constData());
    }

    void brokenBundleExits3NamingTheFile_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("named");
        QTest::newRow("truncated file") << u"truncate"_s << u"resources/launch_backend.py"_s;
        QTest::newRow("missing file") << u"remove"_s << u"app/fakeapp/__main__.py"_s;
        QTest::newRow("bundle.json of the wrong shape") << u"shape"_s << u"bundle.json"_s;
        QTest::newRow("bundle.json not JSON") << u"garbage"_s << u"bundle.json"_s;
        QTest::newRow("no bundle.json") << u"nomanifest"_s << u"bundle.json"_s;
    }
    void brokenBundleExits3NamingTheFile()
    {
        QFETCH(QString, damage);
        QFETCH(QString, named);
        QTemporaryDir root;
        const QString bundle = test::writeMiniBundle(root.path());
        const QString manifest = bundle + u"/bundle.json"_s;
        const QString target = bundle + u'/' + named;
        if (damage == u"truncate") {
            QVERIFY(QFile::resize(target, 10));
        } else if (damage == u"remove") {
            QVERIFY(QFile::remove(target));
        } else if (damage == u"shape") {
            QFile f(manifest);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QByteArray text = f.readAll();
            f.close();
            // "id" becomes a number: readable JSON, the wrong type.
            text.replace("\"id\": \"mini-app\"", "\"id\": 42");
            QVERIFY(text.contains("\"id\": 42"));
            QVERIFY(test::writeFile(manifest, text));
        } else if (damage == u"garbage") {
            QVERIFY(test::writeFile(manifest, "{ not json"));
        } else {
            QVERIFY(QFile::remove(manifest));
        }
        for (const QString &mode : {u"--headless"_s, u"--verify"_s}) {
            QStringList args{u"--bundle"_s,          bundle,          u"--headless"_s,
                             u"--exit-when-ready"_s, u"--data-dir"_s, root.filePath(u"d"_s)};
            if (mode == u"--verify")
                args << mode;
            const test::ProcessResult r =
                test::runProcess(test::launcherPath(), args, {}, 60000, env());
            QCOMPARE(r.exitCode, 3);
            QVERIFY2(r.err.contains(target.toUtf8()), r.err.constData());
            QVERIFY2(r.out.isEmpty(), r.out.constData());
        }
    }

    void secondInstanceBringsTheFirstForward()
    {
        QTemporaryDir root;
        const QString bundle = test::writeMiniBundle(root.path(), pidRecordingBackend());
        const QString data = root.filePath(u"d"_s);
        // The first instance with its window (offscreen platform).
        Running first({u"--bundle"_s, bundle, u"--data-dir"_s, data}, env());
        QVERIFY(first.process.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(data + u"/backend.pid"_s), 30000);

        const test::ProcessResult second = test::runProcess(
            test::launcherPath(), {u"--bundle"_s, bundle, u"--data-dir"_s, data}, {}, 30000, env());
        QVERIFY2(second.exitCode == 0, second.err.constData());
        QVERIFY2(second.err.contains("already running"), second.err.constData());
        QTRY_VERIFY2_WITH_TIMEOUT(first.err.contains("another instance started"),
                                  first.err.constData(), 10000);
        QCOMPARE(first.process.state(), QProcess::Running);

        // A headless second start on the same data directory is refused the same way.
        const test::ProcessResult third = test::runProcess(
            test::launcherPath(), {u"--bundle"_s, bundle, u"--data-dir"_s, data, u"--headless"_s},
            {}, 30000, env());
        QVERIFY2(third.exitCode == 0, third.err.constData());

        // Quitting (SIGTERM from the session) stops the backend first.
        QFile pidFile(data + u"/backend.pid"_s);
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        const qint64 backend = pidFile.readAll().toLongLong();
        QVERIFY(backend > 0 && processAlive(backend));
        ::kill(pid_t(first.process.processId()), SIGTERM);
        QVERIFY(first.process.waitForFinished(30000));
        QCOMPARE(first.process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(first.process.exitCode(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!processAlive(backend), 5000);
    }

    void headlessStopsCleanlyOnSignals_data()
    {
        QTest::addColumn<int>("signalNumber");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
    }
    void headlessStopsCleanlyOnSignals()
    {
        QFETCH(int, signalNumber);
        QTemporaryDir root;
        const QString bundle = test::writeMiniBundle(root.path(), pidRecordingBackend());
        const QString data = root.filePath(u"d"_s);
        Running launcher({u"--bundle"_s, bundle, u"--data-dir"_s, data, u"--headless"_s}, env());
        QVERIFY(launcher.process.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(data + u"/backend.pid"_s), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(launcher.err.contains("launcher: running"), 30000);
        QFile pidFile(data + u"/backend.pid"_s);
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        const qint64 backend = pidFile.readAll().toLongLong();
        QVERIFY(processAlive(backend));
        ::kill(pid_t(launcher.process.processId()), signalNumber);
        QVERIFY(launcher.process.waitForFinished(30000));
        QCOMPARE(launcher.process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(launcher.process.exitCode(), 0);
        QVERIFY2(launcher.err.contains("launcher: stopped"), launcher.err.constData());
        QVERIFY(!processAlive(backend));
    }

    void headlessQuitsWhenAsked()
    {
        QTemporaryDir root;
        const QString bundle = test::writeMiniBundle(root.path(), pidRecordingBackend());
        const QString data = root.filePath(u"d"_s);
        Running launcher({u"--bundle"_s, bundle, u"--data-dir"_s, data, u"--headless"_s}, env());
        QVERIFY(launcher.process.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(launcher.err.contains("launcher: running"), 30000);
        QFile pidFile(data + u"/backend.pid"_s);
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        const qint64 backend = pidFile.readAll().toLongLong();
        QVERIFY(processAlive(backend));
        // What the installer sends (formats/instancechannel.h); headless has nobody to ask.
        QLocalSocket socket;
        socket.connectToServer(formats::instanceServerName(data));
        QVERIFY(socket.waitForConnected(5000));
        socket.write(formats::instanceQuitRequest(u"the uninstall"_s));
        QTRY_VERIFY_WITH_TIMEOUT(socket.canReadLine(), 10000);
        QCOMPARE(socket.readLine(), QByteArray(formats::InstanceOkAnswer));
        // The event loop of QTRY may already have seen it finish.
        QTRY_COMPARE_WITH_TIMEOUT(launcher.process.state(), QProcess::NotRunning, 30000);
        QCOMPARE(launcher.process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(launcher.process.exitCode(), 0);
        QVERIFY2(launcher.err.contains("asked to quit for the uninstall"),
                 launcher.err.constData());
        QVERIFY(!processAlive(backend));
    }

    void killedLauncherLeavesNoBackend()
    {
        QTemporaryDir root;
        const QString bundle = test::writeMiniBundle(root.path(), pidRecordingBackend());
        const QString data = root.filePath(u"d"_s);
        Running launcher({u"--bundle"_s, bundle, u"--data-dir"_s, data, u"--headless"_s}, env());
        QVERIFY(launcher.process.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(launcher.err.contains("launcher: running"), 30000);
        QFile pidFile(data + u"/backend.pid"_s);
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        const qint64 backend = pidFile.readAll().toLongLong();
        QVERIFY(processAlive(backend));
        ::kill(pid_t(launcher.process.processId()), SIGKILL);
        QVERIFY(launcher.process.waitForFinished(10000));
        QTRY_VERIFY_WITH_TIMEOUT(!processAlive(backend), 10000);
        // The dead launcher's lock is taken over: the next start is not a second instance.
        QVERIFY(QFileInfo::exists(data + u"/launcher.lock"_s));
        const test::ProcessResult next = test::runProcess(
            test::launcherPath(),
            {u"--bundle"_s, bundle, u"--data-dir"_s, data, u"--headless"_s, u"--exit-when-ready"_s},
            {}, 60000, env());
        QVERIFY2(next.exitCode == 0, next.err.constData());
        QVERIFY2(!next.err.contains("already running"), next.err.constData());
        QVERIFY2(next.out.startsWith("ready\n"), next.out.constData());
    }

    void pluginsUsageErrorExits2()
    {
        const test::ProcessResult r =
            test::runProcess(test::launcherPath(), {u"plugins"_s, u"frob"_s}, {}, 30000, env());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("unknown command 'frob'"), r.err.constData());
    }

    void usageErrorExits2()
    {
        const test::ProcessResult r = test::runProcess(
            test::launcherPath(), {u"--headless"_s, u"--bogus"_s}, {}, 30000, env());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("bogus"), r.err.constData());
    }

    void noDisplayAsksForHeadless()
    {
        QProcessEnvironment e = env();
        for (const QString &name : {u"DISPLAY"_s, u"WAYLAND_DISPLAY"_s, u"QT_QPA_PLATFORM"_s})
            e.remove(name);
        QTemporaryDir root;
        const QString bundle = test::writeMiniBundle(root.path());
        const test::ProcessResult r =
            test::runProcess(test::launcherPath(), {u"--bundle"_s, bundle}, {}, 30000, e);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("--headless"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestLauncherProcess)
#include "tst_launcherprocess.moc"
