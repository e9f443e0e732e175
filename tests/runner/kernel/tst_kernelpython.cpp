// SPDX-License-Identifier: MIT
// runner.py behind a Kernel, on Debian's /usr/bin/python3.
#include "runner/python/pythonenvironment.h"
#include "common/runnertestutil.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <csignal>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;
using namespace deskpack::test;
using runner::ExecuteStatus;
using runner::Kernel;

class TestKernelPython : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void outputInOrder();
    void namespacePersistsAcrossCells();
    void lastExpressionIsTheResult();
    void richReprs();
    void displayFrames();
    void errors_data();
    void errors();
    void tracebackHidesTheRunner();
    void topLevelAwait();
    void interruptSleepingCell();
    void idleInterruptIsIgnored();
    void timeout();
    void killedFromOutside();
    void invalidUtf8();
    void tenMegabytesOfOutput();
    void outputCap();
    void osSystemIsCaptured();
    void inputRaisesAClearError();
    void subprocessesDoNotSeeTheControlPipe();
    void environmentFollowsTheDesign();
    void shutdownEndsTheKernelCleanly();
    void stdinEofEndsTheKernel();
    void workingDirectoryCannotShadowTheKernel();
    void framesStayWithinTheHostLimit();

private:
    std::unique_ptr<Kernel> m_kernel;
};

void TestKernelPython::init()
{
    // Leaked into the host's environment, they must not reach the kernel.
    qputenv("PYTHONHOME", "/nonexistent/deskpack-home");
    qputenv("PYTHONPATH", "/nonexistent/deskpack-path");
    m_kernel = std::make_unique<Kernel>(pythonKernel());
    QSignalSpy ready(m_kernel.get(), &Kernel::ready);
    m_kernel->start();
    QVERIFY(ready.wait(30'000));
}

void TestKernelPython::cleanup()
{
    m_kernel.reset();
}

void TestKernelPython::outputInOrder()
{
    QStringList order;
    runner::ExecuteCallbacks callbacks;
    bool done = false;
    callbacks.onOutput = [&](const runner::OutputChunk &chunk) {
        order.append((chunk.stream == runner::OutputStream::Stdout ? u"out:"_s : u"err:"_s) +
                     chunk.text);
    };
    callbacks.onRich = [&](const runner::RichOutput &rich) {
        order.append(u"result:"_s + QString::fromStdString(rich.data["text/plain"]));
    };
    callbacks.onDone = [&](const runner::ExecuteResult &) {
        done = true;
    };
    m_kernel->execute(u"import sys\nprint('a')\nprint('b', file=sys.stderr)\nprint('c')\n3"_s, {},
                      callbacks);
    QTRY_VERIFY(done);
    QCOMPARE(order, (QStringList{u"out:a\n"_s, u"err:b\n"_s, u"out:c\n"_s, u"result:3"_s}));
}

void TestKernelPython::namespacePersistsAcrossCells()
{
    QCOMPARE(run(*m_kernel, u"x = 20"_s)->result.status, ExecuteStatus::Ok);
    QCOMPARE(run(*m_kernel, u"def twice(v):\n    return 2 * v"_s)->result.status,
             ExecuteStatus::Ok);
    auto c = run(*m_kernel, u"twice(x) + 2"_s);
    QCOMPARE(plain(c), u"42"_s);
    QCOMPARE(c->result.executionCount, 3);
    QCOMPARE(plain(run(*m_kernel, u"_"_s)), u"42"_s);
}

void TestKernelPython::lastExpressionIsTheResult()
{
    QVERIFY(run(*m_kernel, u"y = 1"_s)->result.result.is_null());
    QVERIFY(run(*m_kernel, u"None"_s)->result.result.is_null());
    QCOMPARE(plain(run(*m_kernel, u"'%s' % 'q'"_s)), u"'q'"_s);
}

void TestKernelPython::richReprs()
{
    auto c = run(*m_kernel, u"class Rich:\n"
                            "    def _repr_html_(self): return '<b>r</b>'\n"
                            "    def _repr_json_(self): return {'k': [1, 2]}\n"
                            "    def _repr_png_(self): return b'\\x89PNG'\n"
                            "    def _repr_markdown_(self): raise NotImplementedError\n"
                            "    def __repr__(self): return 'Rich()'\n"
                            "Rich()"_s);
    const nlohmann::json data = c->result.result;
    QCOMPARE(jtext(data.value("text/plain", nlohmann::json())), u"Rich()"_s);
    QCOMPARE(jtext(data.value("text/html", nlohmann::json())), u"<b>r</b>"_s);
    QCOMPARE(jtext(data.value("application/json", nlohmann::json())), u"{\"k\":[1,2]}"_s);
    QCOMPARE(jtext(data.value("image/png", nlohmann::json())), u"iVBORw=="_s);
    QVERIFY(!data.contains("text/markdown"));
}

void TestKernelPython::displayFrames()
{
    auto c = run(*m_kernel, u"print('before')\ndisplay(1, 'two')\nprint('after')"_s);
    QCOMPARE(c->rich.size(), 2);
    QCOMPARE(c->rich[0].kind, runner::RichOutput::Kind::Display);
    QCOMPARE(jtext(c->rich[1].data["text/plain"]), u"'two'"_s);
    QCOMPARE(c->out, u"before\nafter\n"_s);
}

void TestKernelPython::errors_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("ename");
    QTest::addColumn<QString>("output");
    QTest::newRow("syntax") << u"print('never')\n1 +"_s << u"SyntaxError"_s << QString();
    QTest::newRow("runtime") << u"print('ran')\n{}['missing']"_s << u"KeyError"_s << u"ran\n"_s;
    QTest::newRow("name") << u"undefined_name"_s << u"NameError"_s << QString();
    QTest::newRow("sys.exit") << u"import sys; sys.exit(3)"_s << u"SystemExit"_s << QString();
}

void TestKernelPython::errors()
{
    QFETCH(QString, code);
    QFETCH(QString, ename);
    QFETCH(QString, output);
    auto c = run(*m_kernel, code);
    QCOMPARE(c->result.status, ExecuteStatus::Error);
    QVERIFY(c->result.error.has_value());
    QCOMPARE(c->result.error->ename, ename);
    QCOMPARE(c->out, output);
    QVERIFY(!c->result.cancelled);
    QCOMPARE(run(*m_kernel, u"'alive'"_s)->result.status, ExecuteStatus::Ok);
}

void TestKernelPython::tracebackHidesTheRunner()
{
    auto c = run(*m_kernel, u"def inner():\n    raise ValueError('deep')\ninner()"_s);
    const QString traceback = c->result.error->traceback.join(QString());
    QVERIFY2(traceback.contains(u"<cell-1>"_s), qPrintable(traceback));
    QVERIFY2(traceback.contains(u"raise ValueError('deep')"_s), qPrintable(traceback));
    QVERIFY2(!traceback.contains(u"run_cell"_s) && !traceback.contains(u"<string>"_s),
             qPrintable(traceback));
    QCOMPARE(c->result.error->evalue, u"deep"_s);
}

void TestKernelPython::topLevelAwait()
{
    auto c =
        run(*m_kernel, u"import asyncio\nawait asyncio.sleep(0)\nawait asyncio.sleep(0, 'ok')"_s);
    QCOMPARE(c->result.status, ExecuteStatus::Ok);
    QCOMPARE(plain(c), u"'ok'"_s);
}

void TestKernelPython::interruptSleepingCell()
{
    auto c = std::make_shared<Collected>();
    const QString id = m_kernel->execute(
        u"import time\nprint('sleeping', flush=True)\ntime.sleep(30)"_s, {}, collectInto(c));
    QTRY_COMPARE(c->out, u"sleeping\n"_s);
    QVERIFY(m_kernel->cancel(id));
    // Settled by the interrupt itself, before the escalation's grace (5 s) could kill the
    // kernel; how fast is a benchmark figure (bench_runner, "interrupt").
    QTRY_VERIFY_WITH_TIMEOUT(c->done(), 4'000);
    QVERIFY(c->result.cancelled);
    QVERIFY(!c->result.kernelKilled);
    QCOMPARE(c->result.error->ename, u"KeyboardInterrupt"_s);
    QCOMPARE(m_kernel->state(), Kernel::State::Idle);
    QCOMPARE(plain(run(*m_kernel, u"1 + 1"_s)), u"2"_s);
}

void TestKernelPython::idleInterruptIsIgnored()
{
    const qint64 pid = m_kernel->processId();
    ::kill(pid_t(pid), SIGINT);
    QTest::qWait(200);
    QCOMPARE(m_kernel->state(), Kernel::State::Idle);
    QCOMPARE(run(*m_kernel, u"'still here'"_s)->result.status, ExecuteStatus::Ok);
    QCOMPARE(m_kernel->processId(), pid);
}

void TestKernelPython::timeout()
{
    runner::ExecuteOptions options;
    options.timeoutMs = 300;
    auto c = run(*m_kernel, u"import time\nwhile True: time.sleep(0.01)"_s, options);
    QVERIFY(c->done());
    QVERIFY(c->result.timedOut);
    QVERIFY(c->result.cancelled);
    QVERIFY(!c->result.kernelKilled);
    QCOMPARE(c->result.status, ExecuteStatus::Error);
    auto after = run(*m_kernel, u"'next'"_s);
    QVERIFY(!after->result.timedOut);
    QVERIFY(after->out.isEmpty()); // nothing of the timed-out cell leaks into the next
}

void TestKernelPython::killedFromOutside()
{
    QSignalSpy exited(m_kernel.get(), &Kernel::exited);
    auto c = std::make_shared<Collected>();
    m_kernel->execute(u"import time\nprint('up', flush=True)\ntime.sleep(30)"_s, {},
                      collectInto(c));
    QTRY_VERIFY(!c->out.isEmpty());
    ::kill(pid_t(m_kernel->processId()), SIGKILL);
    QTRY_VERIFY(c->done());
    QCOMPARE(c->result.status, ExecuteStatus::Aborted);
    QVERIFY(c->result.kernelKilled);
    QTRY_COMPARE(exited.count(), 1);
    QVERIFY(!exited.first().first().value<runner::KernelExit>().killedByHost);
}

void TestKernelPython::invalidUtf8()
{
    auto c = run(*m_kernel, u"import os, sys\n"
                            "os.write(1, b'raw:\\xff\\xfe\\n')\n"
                            "sys.stdout.buffer.write(b'buf:\\xc3\\n')\n"
                            "print('sur:\\udcff')\n"
                            "'\\udcff'"_s);
    QCOMPARE(c->result.status, ExecuteStatus::Ok);
    QVERIFY2(c->out.contains(u"raw:\uFFFD\uFFFD\n"_s), qPrintable(c->out));
    QVERIFY2(c->out.contains(u"buf:\uFFFD"_s), qPrintable(c->out));
    QVERIFY2(c->out.contains(u"sur:"_s), qPrintable(c->out));
    QCOMPARE(m_kernel->protocolErrors(), 0);
}

void TestKernelPython::tenMegabytesOfOutput()
{
    auto c = run(*m_kernel,
                 u"import os\nfor i in range(100_000): print('x' * 99)\n"
                 "os.write(1, b'y' * 1_000_000)"_s,
                 {}, 120'000);
    QCOMPARE(c->result.status, ExecuteStatus::Ok);
    QCOMPARE(c->out.size(), qsizetype(10'000'000 + 1'000'000));
    QCOMPARE(c->out.count(u'\n'), 100'000);
}

void TestKernelPython::outputCap()
{
    runner::ExecuteOptions options;
    options.maxOutputChars = 1000;
    auto c = run(*m_kernel, u"for i in range(1000): print('z' * 9)"_s, options);
    QCOMPARE(c->result.status, ExecuteStatus::Ok);
    QCOMPARE(c->out.size(), qsizetype(1000));
    QVERIFY(c->truncated);
    QCOMPARE(run(*m_kernel, u"print('free')"_s)->out, u"free\n"_s);
}

void TestKernelPython::osSystemIsCaptured()
{
    auto c =
        run(*m_kernel, u"import os, subprocess\nos.system('echo from-shell; echo to-err >&2')\n"
                       "subprocess.run(['echo', 'from-child'])\nprint('{\"type\":\"done\"}')"_s);
    QCOMPARE(c->result.status, ExecuteStatus::Ok);
    QVERIFY2(c->out.contains(u"from-shell\n"_s), qPrintable(c->out));
    QVERIFY2(c->out.contains(u"from-child\n"_s), qPrintable(c->out));
    QVERIFY2(c->out.contains(u"{\"type\":\"done\"}"_s), qPrintable(c->out)); // not a frame
    QCOMPARE(c->err, u"to-err\n"_s);
}

void TestKernelPython::inputRaisesAClearError()
{
    auto c = run(*m_kernel, u"input('name? ')"_s);
    QCOMPARE(c->result.error->ename, u"RuntimeError"_s);
    QVERIFY(c->result.error->evalue.contains(u"input() is not available"_s));
    auto read = run(*m_kernel, u"import sys\nsys.stdin.readline()"_s);
    QCOMPARE(read->result.error->ename, u"RuntimeError"_s);
}

void TestKernelPython::subprocessesDoNotSeeTheControlPipe()
{
    auto c = run(*m_kernel, u"import subprocess\n"
                            "subprocess.run(['cat'], capture_output=True, timeout=10).stdout"_s);
    QCOMPARE(plain(c), u"b''"_s); // stdin is the null device
    auto fds = run(*m_kernel, u"import subprocess\nsubprocess.run(['ls', '/proc/self/fd'], "
                              "capture_output=True, text=True).stdout.split()"_s);
    QCOMPARE(plain(fds), u"['0', '1', '2', '3']"_s); // 3: ls's own listing
}

void TestKernelPython::environmentFollowsTheDesign()
{
    auto c = run(*m_kernel, u"import os, sys\n"
                            "[os.environ.get(k) for k in ('PYTHONNOUSERSITE', 'PYTHONUTF8', "
                            "'PYTHONHOME', 'PYTHONPATH')], os.getpgrp() == os.getpid()"_s);
    QCOMPARE(plain(c), u"(['1', '1', None, None], True)"_s);
}

void TestKernelPython::shutdownEndsTheKernelCleanly()
{
    QSignalSpy exited(m_kernel.get(), &Kernel::exited);
    run(*m_kernel, u"import atexit\natexit.register(print, 'bye')"_s);
    m_kernel->shutdown();
    QTRY_COMPARE(exited.count(), 1);
    const auto exit = exited.first().first().value<runner::KernelExit>();
    QCOMPARE(exit.exitCode, 0);
    QVERIFY(!exit.killedByHost);
    QVERIFY(!exit.crashed);
}

void TestKernelPython::stdinEofEndsTheKernel()
{
    QProcess process;
    process.setProcessEnvironment(runner::sanitizedPythonEnvironment()); // init() spoilt ours
    process.start(systemPython(), {u"-c"_s, QString::fromUtf8(runner::embeddedRunnerSource())});
    QVERIFY(process.waitForStarted());
    QTRY_VERIFY(process.canReadLine());
    QVERIFY(process.readLine().startsWith("{\"type\":\"ready\""));
    process.closeWriteChannel();
    QVERIFY(process.waitForFinished(10'000));
    QCOMPARE(process.exitCode(), 0);
}

void TestKernelPython::workingDirectoryCannotShadowTheKernel()
{
    QTemporaryDir dir;
    QVERIFY(writeShadowingModules(dir.path()));
    runner::KernelOptions options = pythonKernel();
    options.workingDirectory = dir.path();
    Kernel kernel(options);
    QSignalSpy ready(&kernel, &Kernel::ready);
    kernel.start();
    QVERIFY2(ready.wait(30'000), qPrintable(kernel.exitInfo().message));
    // User code imports its own module from the working directory...
    QCOMPARE(plain(run(kernel, u"import mymod\nmymod.VALUE"_s)), u"42"_s);
    // ...and gets the standard library for the names the directory shadows.
    const QString names = u"('"_s + shadowingModules().join(u"', '"_s) + u"')"_s;
    auto c = run(
        kernel,
        u"import importlib\n"
        "[n for n in %1 if (getattr(importlib.import_module(n), '__file__', None) or '').startswith(%2)]"_s
            .arg(names, u"'"_s + dir.path() + u"'"_s));
    QCOMPARE(c->result.status, ExecuteStatus::Ok);
    QCOMPARE(plain(c), u"[]"_s);
    // The runner's lazy imports (traceback, asyncio, base64) still work.
    c = run(kernel, u"1/0"_s);
    QCOMPARE(c->result.error->ename, u"ZeroDivisionError"_s);
    c = run(kernel, u"import asyncio\nawait asyncio.sleep(0, 'awaited')"_s);
    QCOMPARE(plain(c), u"'awaited'"_s);
    c = run(kernel, u"class P:\n    def _repr_png_(self): return b'png'\nP()"_s);
    QCOMPARE(jtext(c->result.result.value("image/png", nlohmann::json())), u"cG5n"_s);
}

// With the host's frame limit at 64 KiB, runner.py truncates what would not fit
// (docs/runner.md, "Oversized frames"): nothing overflows at the host, every
// request succeeds with a visible marker, stream output arrives whole.
void TestKernelPython::framesStayWithinTheHostLimit()
{
    runner::KernelOptions options = pythonKernel();
    options.maxFrameBytes = 64 * 1024;
    Kernel kernel(options);
    kernel.start();

    auto c = run(kernel, u"'a' * 1_000_000"_s);
    QCOMPARE(c->result.status, ExecuteStatus::Ok);
    QCOMPARE(c->rich.size(), 1);
    QVERIFY(c->rich.first().truncated);
    const QString text = plain(c);
    QVERIFY2(text.startsWith(u"'aaaa"_s) && text.size() > 60'000 && text.size() < 65'536,
             qPrintable(QString::number(text.size())));
    QVERIFY2(text.contains(QRegularExpression(u"\\.\\.\\. \\[truncated: \\d+ bytes omitted\\]$"_s)),
             qPrintable(text.right(80)));

    c = run(kernel, u"class Big:\n    def _repr_png_(self): return b'x' * 200_000\n"
                    "    def __repr__(self): return '<big>'\ndisplay(Big())"_s);
    QCOMPARE(c->result.status, ExecuteStatus::Ok);
    QCOMPARE(c->rich.size(), 1);
    QVERIFY(!c->rich.first().data.contains("image/png"));
    QVERIFY2(jtext(c->rich.first().data["text/plain"]).startsWith(u"<big>\n... [truncated: "_s),
             qPrintable(jtext(c->rich.first().data)));

    c = run(kernel, u"raise ValueError('e' * 1_000_000)"_s);
    QCOMPARE(c->result.status, ExecuteStatus::Error);
    QVERIFY(!c->result.outputLost);
    QCOMPARE(c->result.error->ename, u"ValueError"_s);
    QVERIFY(c->result.error->evalue.startsWith(u"eeee"_s));
    QVERIFY(c->result.error->evalue.contains(u"bytes omitted]"_s));
    QVERIFY(c->result.error->traceback.join(QString()).contains(u"raise ValueError"_s));

    c = run(kernel, u"print('\\u00e9\\x01' * 200_000, end='')"_s);
    QCOMPARE(c->result.status, ExecuteStatus::Ok);
    QCOMPARE(c->out, QString(u"\u00e9\x01"_s).repeated(200'000));

    QCOMPARE(kernel.protocolErrors(), 0);
    QCOMPARE(plain(run(kernel, u"1 + 1"_s)), u"2"_s);
}

QTEST_GUILESS_MAIN(TestKernelPython)
#include "tst_kernelpython.moc"
