// SPDX-License-Identifier: MIT
// Short Python commands (runPython over base's runToCompletion) and the
// sanitized environment every interpreter Deskpack starts gets.
#include "runner/python/pythonenvironment.h"
#include "runner/python/pythonprocess.h"

#include "common/testutil.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace deskpack;
using namespace deskpack::runner;

class TestPythonProcess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo(test::systemPython()).isExecutable())
            SKIP_OR_FAIL_IN_CI(u"Debian's /usr/bin/python3 is not installed"_s);
    }

    void outputAndExitCode()
    {
        PythonCommand command;
        command.interpreter = test::systemPython();
        command.arguments = {u"-c"_s, u"import sys; print('out'); print('err', file=sys.stderr); "
                                      "sys.exit(7)"_s};
        Result<PythonOutput> out = runPython(command);
        QVERIFY2(out, qPrintable(out ? QString() : out.error().message));
        QCOMPARE(out->exitCode, 7);
        QCOMPARE(out->standardOutput, QByteArray("out\n"));
        QCOMPARE(out->standardError, QByteArray("err\n"));
    }

    void standardInputAndWorkingDirectory()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        PythonCommand command;
        command.interpreter = test::systemPython();
        command.arguments = {u"-c"_s, u"import os, sys; print(sys.stdin.read().upper(), "
                                      "os.getcwd(), sep='|')"_s};
        command.standardInput = "hello";
        command.workingDirectory = dir.path();
        Result<PythonOutput> out = runPython(command);
        QVERIFY(out);
        QCOMPARE(QString::fromUtf8(out->standardOutput).trimmed(),
                 u"HELLO|"_s + QFileInfo(dir.path()).canonicalFilePath());
    }

    void timeOutStopsTheChild()
    {
        PythonCommand command;
        command.interpreter = test::systemPython();
        command.arguments = {u"-c"_s, u"import time; time.sleep(60)"_s};
        command.timeoutMs = 500;
        QElapsedTimer clock;
        clock.start();
        Result<PythonOutput> out = runPython(command);
        QVERIFY(!out);
        QCOMPARE(out.error().kind, ErrorKind::Environment);
        QVERIFY2(out.error().message.contains(u"no answer within 0.5 s; stopped it"_s),
                 qPrintable(out.error().message));
        QVERIFY(clock.elapsed() < 30'000);
    }

    void crashIsAnError()
    {
        PythonCommand command;
        command.interpreter = test::systemPython();
        command.arguments = {u"-c"_s, u"import os, signal, sys; sys.stderr.write('dying'); "
                                      "sys.stderr.flush(); os.kill(os.getpid(), signal.SIGKILL)"_s};
        Result<PythonOutput> out = runPython(command);
        QVERIFY(!out);
        QCOMPARE(out.error().kind, ErrorKind::Environment);
        QVERIFY2(out.error().message.endsWith(
                     u" crashed (it was killed by SIGKILL (signal 9, killed)): dying"_s),
                 qPrintable(out.error().message));
    }

    void missingInterpreterIsNamed()
    {
        PythonCommand command;
        command.interpreter = u"/nonexistent/python3"_s;
        Result<PythonOutput> out = runPython(command);
        QVERIFY(!out);
        QCOMPARE(out.error().kind, ErrorKind::Environment);
        QVERIFY(out.error().message.contains(u"/nonexistent/python3"_s));
    }

    void environmentShutsOutTheUsersPython()
    {
        QProcessEnvironment base;
        base.insert(u"PYTHONPATH"_s, u"/home/user/lib"_s);
        base.insert(u"PYTHONHOME"_s, u"/elsewhere"_s);
        base.insert(u"VIRTUAL_ENV"_s, u"/venv"_s);
        base.insert(u"KEEP_ME"_s, u"1"_s);
        const QProcessEnvironment env = sanitizedPythonEnvironment(base);
        QVERIFY(!env.contains(u"PYTHONPATH"_s));
        QVERIFY(!env.contains(u"PYTHONHOME"_s));
        QVERIFY(!env.contains(u"VIRTUAL_ENV"_s));
        QCOMPARE(env.value(u"KEEP_ME"_s), u"1"_s);
        QCOMPARE(env.value(u"PYTHONNOUSERSITE"_s), u"1"_s);
        QCOMPARE(env.value(u"PYTHONUTF8"_s), u"1"_s);
    }
};

QTEST_GUILESS_MAIN(TestPythonProcess)
#include "tst_pythonprocess.moc"
