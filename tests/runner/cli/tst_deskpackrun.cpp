// SPDX-License-Identifier: MIT
// The deskpack-run command line: output, exit codes, signals.
#include "formats/bundlemanifest.h"
#include "common/runnertestutil.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <csignal>

using namespace deskpack::test;
using namespace Qt::Literals::StringLiterals;

namespace {

QString deskpackRun()
{
    return binDir() + u"/deskpack-run"_s;
}

ProcessResult runTool(const QStringList &arguments, const QByteArray &input = {})
{
    return runProcess(deskpackRun(), arguments, input, 60'000);
}

QStringList withPython(const QStringList &rest)
{
    return QStringList{u"--python"_s, systemPython()} + rest;
}

} // namespace

class TestDeskpackRun : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void printsTwo();
    void exitCodes_data();
    void exitCodes();
    void cellsRunInOneKernelInOrder();
    void cellsFileErrorsNameTheLine();
    void jsonFrames();
    void replRunsBlocksAndSurvivesErrors();
    void sigintInterruptsTheCell();
    void replCtrlCInterruptsTheCellNotTheRepl();
    void kernelDiesWithTheTool();
    void bundleEnvironmentAndSysPath();
    void workingDirectoryCannotShadowTheKernel();
    void oversizedOutput_data();
    void oversizedOutput();
};

void TestDeskpackRun::printsTwo()
{
    const ProcessResult r = runTool(withPython({u"-c"_s, u"print(1+1)"_s}));
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("2\n"));
}

void TestDeskpackRun::exitCodes_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("ok") << withPython({u"-c"_s, u"x = 1"_s}) << 0;
    QTest::newRow("cell raised") << withPython({u"-c"_s, u"1/0"_s}) << 1;
    QTest::newRow("syntax error") << withPython({u"-c"_s, u"def"_s}) << 1;
    QTest::newRow("kernel died in the cell")
        << withPython({u"-c"_s, u"import os; os._exit(4)"_s}) << 1;
    QTest::newRow("timed out") << withPython({u"--timeout"_s, u"0.5"_s, u"-c"_s,
                                              u"import time; time.sleep(30)"_s})
                               << 124;
    QTest::newRow("no mode") << withPython({}) << 2;
    QTest::newRow("two modes") << withPython({u"-c"_s, u"1"_s, u"--repl"_s}) << 2;
    QTest::newRow("no interpreter option") << QStringList{u"-c"_s, u"1"_s} << 2;
    QTest::newRow("bad timeout") << withPython({u"--timeout"_s, u"soon"_s, u"-c"_s, u"1"_s}) << 2;
    QTest::newRow("unknown option") << withPython({u"--frobnicate"_s}) << 2;
    QTest::newRow("data-dir without bundle")
        << withPython({u"--data-dir"_s, u"/tmp"_s, u"-c"_s, u"1"_s}) << 2;
    QTest::newRow("missing cells file")
        << withPython({u"--cells"_s, u"/nonexistent.ndjson"_s}) << 2;
    QTest::newRow("no interpreter")
        << QStringList{u"--python"_s, u"/nonexistent/python3"_s, u"-c"_s, u"1"_s} << 3;
    QTest::newRow("not an interpreter")
        << QStringList{u"--python"_s, u"/etc/hostname"_s, u"-c"_s, u"1"_s} << 3;
    QTest::newRow("interpreter that cannot run the kernel")
        << QStringList{u"--python"_s, u"/bin/false"_s, u"-c"_s, u"1"_s} << 3;
}

void TestDeskpackRun::exitCodes()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    const ProcessResult r = runTool(arguments);
    QVERIFY2(r.exitCode == exitCode,
             qPrintable(u"exit %1, stderr: %2"_s.arg(r.exitCode).arg(QString::fromUtf8(r.err))));
}

void TestDeskpackRun::cellsRunInOneKernelInOrder()
{
    QTemporaryDir dir;
    QFile cells(dir.filePath(u"cells.ndjson"_s));
    QVERIFY(cells.open(QIODevice::WriteOnly));
    cells.write("{\"code\": \"n = 1\\nprint('first')\"}\n\n"
                "{\"code\": \"n += 1\\nprint('second', n)\"}\n"
                "{\"code\": \"raise KeyError('stop')\"}\n"
                "{\"code\": \"print('never')\"}\n");
    cells.close();
    const ProcessResult r = runTool(withPython({u"--cells"_s, cells.fileName()}));
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.out, QByteArray("first\nsecond 2\n"));
    QVERIFY(r.err.contains("KeyError: 'stop'"));
}

void TestDeskpackRun::cellsFileErrorsNameTheLine()
{
    QTemporaryDir dir;
    QFile cells(dir.filePath(u"bad.ndjson"_s));
    QVERIFY(cells.open(QIODevice::WriteOnly));
    cells.write("{\"code\": \"1\"}\n{\"cod\": \"2\"}\n");
    cells.close();
    const ProcessResult r = runTool(withPython({u"--cells"_s, cells.fileName()}));
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("bad.ndjson:2:"), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

void TestDeskpackRun::jsonFrames()
{
    const ProcessResult r = runTool(withPython({u"--json"_s, u"-c"_s, u"print('hi')\n6 * 7"_s}));
    QCOMPARE(r.exitCode, 0);
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QStringList types;
    for (const QByteArray &line : lines) {
        const QJsonObject frame = QJsonDocument::fromJson(line).object();
        QCOMPARE(frame.value(u"cell"_s).toInt(-1), 0);
        types.append(frame.value(u"type"_s).toString());
    }
    QCOMPARE(types, (QStringList{u"stdout"_s, u"result"_s, u"done"_s}));
    const QJsonObject done = QJsonDocument::fromJson(lines.last()).object();
    QCOMPARE(done.value(u"status"_s).toString(), u"ok"_s);
    QCOMPARE(done.value(u"timedOut"_s).toBool(true), false);
}

void TestDeskpackRun::replRunsBlocksAndSurvivesErrors()
{
    const ProcessResult r = runTool(withPython({u"--repl"_s}),
                                    "def f(x):\n    return x * 3\n\nf(4)\n1/0\nprint(f(\n  5))\n");
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("12\n15\n"));
    QVERIFY(r.err.contains("ZeroDivisionError"));
}

void TestDeskpackRun::sigintInterruptsTheCell()
{
    QProcess tool;
    tool.start(deskpackRun(), withPython({u"-c"_s, u"import time\nprint('go', flush=True)\n"
                                                   "time.sleep(30)"_s}));
    QVERIFY(tool.waitForStarted());
    QByteArray out;
    QTRY_VERIFY2_WITH_TIMEOUT((out += tool.readAllStandardOutput()).contains("go"),
                              QByteArray(out + tool.readAllStandardError()).constData(), 30'000);
    ::kill(pid_t(tool.processId()), SIGINT);
    QVERIFY(tool.waitForFinished(10'000));
    QCOMPARE(tool.exitCode(), 130);
    QVERIFY(tool.readAllStandardError().contains("KeyboardInterrupt"));
}

void TestDeskpackRun::replCtrlCInterruptsTheCellNotTheRepl()
{
    QProcess tool;
    tool.start(deskpackRun(), withPython({u"--repl"_s}));
    QVERIFY(tool.waitForStarted());
    tool.write("import time\nprint('go', flush=True); time.sleep(30)\n");
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += tool.readAllStandardOutput()).contains("go"), 30'000);
    ::kill(pid_t(tool.processId()), SIGINT);
    tool.write("print('after')\n");
    QTRY_VERIFY_WITH_TIMEOUT((out += tool.readAllStandardOutput()).contains("after"), 30'000);
    tool.closeWriteChannel();
    QVERIFY(tool.waitForFinished(10'000));
    QCOMPARE(tool.exitCode(), 0);
    QVERIFY(tool.readAllStandardError().contains("KeyboardInterrupt"));
}

void TestDeskpackRun::kernelDiesWithTheTool()
{
    QProcess tool;
    tool.start(deskpackRun(), withPython({u"--json"_s, u"-c"_s,
                                          u"import os, time\nprint(os.getpid(), flush=True)\n"
                                          "time.sleep(60)"_s}));
    QVERIFY(tool.waitForStarted());
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += tool.readAllStandardOutput()).contains("\n"), 30'000);
    const qint64 kernelPid = QJsonDocument::fromJson(out.split('\n').first())
                                 .object()
                                 .value(u"text"_s)
                                 .toString()
                                 .trimmed()
                                 .toLongLong();
    QVERIFY(processRunning(kernelPid));
    tool.kill(); // SIGKILL: no chance to clean up; the kernel notices its parent is gone
    QVERIFY(tool.waitForFinished());
    QTRY_VERIFY_WITH_TIMEOUT(!processRunning(kernelPid), 10'000);
}

void TestDeskpackRun::bundleEnvironmentAndSysPath()
{
    QTemporaryDir dir;
    const QDir bundle(dir.filePath(u"App"_s));
    QVERIFY(bundle.mkpath(u"runtime/bin"_s) && bundle.mkpath(u"app"_s));
    QVERIFY(QFile::link(systemPython(), bundle.filePath(u"runtime/bin/python3"_s)));
    QFile module(bundle.filePath(u"app/app_module.py"_s));
    QVERIFY(module.open(QIODevice::WriteOnly));
    module.write("WHERE = 'app'\n");
    module.close();
    QFile lock(bundle.filePath(u"app/runtime-core-lock.json"_s));
    QVERIFY(lock.open(QIODevice::WriteOnly));
    lock.write("{\"distributions\": [], \"version\": 1}\n");
    lock.close();
    deskpack::formats::BundleManifest manifest;
    manifest.id = u"org.example.app"_s;
    manifest.name = u"App"_s;
    manifest.version = u"1.0"_s;
    manifest.entryModule = u"app_module"_s;
    manifest.python = u"runtime/bin/python3"_s;
    manifest.coreSitePackages = u"runtime/lib"_s;
    manifest.lock = u"app/runtime-core-lock.json"_s;
    manifest.lockEnvAlias = u"ASTRBOT_DESKTOP_CORE_LOCK_PATH"_s;
    manifest.env = {{u"APP_EXTRA"_s, u"yes"_s}};
    QFile json(bundle.filePath(u"bundle.json"_s));
    QVERIFY(json.open(QIODevice::WriteOnly));
    json.write(deskpack::formats::serializeManifest(manifest));
    json.close();
    const QString data = dir.filePath(u"data"_s);
    QVERIFY(QDir().mkpath(data + u"/site-packages"_s));

    const ProcessResult r =
        runTool({u"--bundle"_s, bundle.path(), u"--data-dir"_s, data, u"--json"_s, u"-c"_s,
                 u"import os, sys, app_module\n"
                 "e = os.environ\n"
                 "[app_module.WHERE, sys.path[0], sys.path[-1], e['DESKPACK_CORE_LOCK_PATH'],\n"
                 " e['ASTRBOT_DESKTOP_CORE_LOCK_PATH'], e['DESKPACK_DATA_DIR'], e['APP_EXTRA'], "
                 "os.getcwd()]"_s});
    QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
    const QJsonObject result = QJsonDocument::fromJson(r.out.split('\n').first()).object();
    const QString text = result.value(u"data"_s).toObject().value(u"text/plain"_s).toString();
    const QString appDir = bundle.filePath(u"app"_s);
    const QString expected = u"['app', '%1', '%2', '%3', '%3', '%4', 'yes', '%1']"_s.arg(
        appDir, data + u"/site-packages"_s, bundle.filePath(u"app/runtime-core-lock.json"_s), data);
    QCOMPARE(text, expected);
}

void TestDeskpackRun::workingDirectoryCannotShadowTheKernel()
{
    QTemporaryDir dir;
    QVERIFY(writeShadowingModules(dir.path()));
    QProcess tool;
    tool.setWorkingDirectory(dir.path());
    tool.start(deskpackRun(), withPython({u"-c"_s, u"import mymod, json\nprint(mymod.VALUE)\n"
                                                   "json.__file__.startswith('/usr/lib')"_s}));
    QVERIFY(tool.waitForFinished(60'000));
    QVERIFY2(tool.exitCode() == 0, tool.readAllStandardError().constData());
    QCOMPARE(tool.readAllStandardOutput(), QByteArray("42\nTrue\n"));
}

void TestDeskpackRun::oversizedOutput_data()
{
    QTest::addColumn<QString>("limit");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected"); // in stdout, or in stderr when the exit is not 0
    // The runner truncates what would not fit, with a visible marker: the run succeeds.
    QTest::newRow("result truncated by the runner")
        << u"65536"_s << withPython({u"-c"_s, u"'a' * 1_000_000"_s}) << 0 << u"bytes omitted]\n"_s;
    // A runner that ignored the limit (played by writing straight to its channel):
    // the result is lost, and the run says so and fails.
    const QString bypass =
        u"import gc, json\n"
        "k = next(o for o in gc.get_objects() if type(o).__name__ == 'Kernel' and "
        "hasattr(o, 'channel'))\n"
        "k.channel._write((json.dumps({'type': 'result', 'id': k.current, 'data': "
        "{'text/plain': 'a' * 100_000}, 'metadata': {}}) + '\\n').encode())"_s;
    QTest::newRow("result lost at the host") << u"65536"_s << withPython({u"-c"_s, bypass}) << 1
                                             << u"deskpack-run: a 'result' frame of 100"_s;
    QTest::newRow("result lost, --json") << u"65536"_s << withPython({u"--json"_s, u"-c"_s, bypass})
                                         << 1 << u"\"outputLost\":true"_s;
    QTest::newRow("bad limit") << u"small"_s << withPython({u"-c"_s, u"1"_s}) << 2
                               << u"DESKPACK_RUN_MAX_FRAME_BYTES"_s;
}

void TestDeskpackRun::oversizedOutput()
{
    QFETCH(QString, limit);
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"DESKPACK_RUN_MAX_FRAME_BYTES"_s, limit);
    const ProcessResult r = runProcess(deskpackRun(), arguments, {}, 60'000, env);
    QVERIFY2(r.exitCode == exitCode, r.err.constData());
    const QString where =
        QString::fromUtf8(exitCode == 0 || arguments.contains(u"--json"_s) ? r.out : r.err);
    QVERIFY2(where.contains(expected), qPrintable(where.right(300)));
}

QTEST_GUILESS_MAIN(TestDeskpackRun)
#include "tst_deskpackrun.moc"
