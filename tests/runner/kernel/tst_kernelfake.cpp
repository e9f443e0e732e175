// SPDX-License-Identifier: MIT
// The Kernel's state machine against a fake kernel that misbehaves on purpose.
#include "runner/python/processgroup.h"
#include "common/runnertestutil.h"

#include <QSignalSpy>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace deskpack;
using namespace deskpack::test;
using namespace Qt::Literals::StringLiterals;
using runner::ExecuteStatus;
using runner::Kernel;
using runner::KernelExit;

class TestKernelFake : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void answersInOrder_data();
    void answersInOrder();
    void invalidLinesDoNotKillTheSession();
    void crashMidCellFailsEveryPendingRequest();
    void ignoredInterruptEscalatesToSigterm();
    void ignoredSigtermEscalatesToSigkillOfTheGroup();
    void floodOfStdoutAndStderr();
    void neverAnsweringMissesTheStartDeadline();
    void missingProgramExitsOnce();
    void cancelQueuedRequestSettlesAtOnce();
    void shutdownIsGracefulWhenIdle();
    void requestsAfterExitFail();
    void oversizedFrameFailsOnlyItsRequest_data();
    void oversizedFrameFailsOnlyItsRequest();
    void wrongTypedFieldFailsOnlyItsRequest_data();
    void wrongTypedFieldFailsOnlyItsRequest();
    void groupSignalsReachOnlyUnreapedChildren();
};

void TestKernelFake::initTestCase()
{
    QVERIFY2(QFileInfo::exists(fakeKernel(QString()).program), "runner_fakekernel not built");
}

void TestKernelFake::answersInOrder_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::newRow("normal") << u"normal"_s;
    QTest::newRow("partial lines") << u"partial"_s;
}

void TestKernelFake::answersInOrder()
{
    QFETCH(QString, scenario);
    Kernel kernel(fakeKernel(scenario));
    QSignalSpy ready(&kernel, &Kernel::ready);
    kernel.start();
    QList<std::shared_ptr<Collected>> all;
    QStringList order;
    for (int i = 0; i < 5; ++i) {
        auto c = std::make_shared<Collected>();
        auto callbacks = collectInto(c);
        auto done = callbacks.onDone;
        callbacks.onDone = [&order, i, done](const runner::ExecuteResult &r) {
            order.append(QString::number(i));
            done(r);
        };
        kernel.execute(u"cell%1"_s.arg(i), {}, callbacks);
        all.append(c);
    }
    QTRY_VERIFY_WITH_TIMEOUT(all.last()->done(), 20'000);
    QCOMPARE(ready.count(), 1);
    QCOMPARE(order, (QStringList{u"0"_s, u"1"_s, u"2"_s, u"3"_s, u"4"_s}));
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(all[i]->doneCalls, 1);
        QCOMPARE(all[i]->result.status, ExecuteStatus::Ok);
        QCOMPARE(all[i]->out, u"echo:cell%1"_s.arg(i));
    }
    QCOMPARE(kernel.protocolErrors(), 0);
    QCOMPARE(kernel.state(), Kernel::State::Idle);
}

void TestKernelFake::invalidLinesDoNotKillTheSession()
{
    Kernel kernel(fakeKernel(u"invalid"_s));
    QSignalSpy stray(&kernel, &Kernel::strayOutput);
    kernel.start();
    auto first = run(kernel, u"one"_s);
    auto second = run(kernel, u"two"_s);
    QVERIFY(first->done() && second->done());
    QCOMPARE(first->result.status, ExecuteStatus::Ok);
    QCOMPARE(second->out, u"echo:two"_s); // the stray-id output went elsewhere
    QVERIFY(kernel.protocolErrors() >= 10);
    QCOMPARE(kernel.state(), Kernel::State::Idle);
}

void TestKernelFake::crashMidCellFailsEveryPendingRequest()
{
    Kernel kernel(fakeKernel(u"crash"_s));
    QSignalSpy exited(&kernel, &Kernel::exited);
    kernel.start();
    auto running = std::make_shared<Collected>();
    auto queued = std::make_shared<Collected>();
    kernel.execute(u"boom"_s, {}, collectInto(running));
    kernel.execute(u"after"_s, {}, collectInto(queued));
    QTRY_VERIFY_WITH_TIMEOUT(queued->done() && running->done(), 20'000);
    QCOMPARE(running->out, u"before the crash\n"_s);
    QCOMPARE(running->result.status, ExecuteStatus::Aborted);
    QVERIFY(running->result.kernelKilled);
    QVERIFY(!running->result.message.isEmpty());
    QCOMPARE(queued->result.status, ExecuteStatus::Aborted);
    QTRY_COMPARE(exited.count(), 1);
    const auto exit = exited.first().first().value<KernelExit>();
    QVERIFY(exit.crashed);
    QVERIFY(!exit.killedByHost);
    QCOMPARE(kernel.state(), Kernel::State::Exited);
    QTest::qWait(50);
    QCOMPARE(exited.count(), 1);
    QCOMPARE(running->doneCalls, 1);
}

void TestKernelFake::ignoredInterruptEscalatesToSigterm()
{
    Kernel kernel(fakeKernel(u"ignore-sigint"_s));
    QSignalSpy exited(&kernel, &Kernel::exited);
    kernel.start();
    auto c = std::make_shared<Collected>();
    const QString id = kernel.execute(u"hang"_s, {}, collectInto(c));
    QTRY_COMPARE(kernel.state(), Kernel::State::Busy);
    QVERIFY(kernel.cancel(id));
    QCOMPARE(kernel.state(), Kernel::State::Interrupting);
    QTRY_VERIFY_WITH_TIMEOUT(c->done(), 20'000);
    QCOMPARE(c->doneCalls, 1);
    QVERIFY(c->result.cancelled);
    QVERIFY(c->result.kernelKilled);
    QCOMPARE(c->result.status, ExecuteStatus::Aborted);
    QVERIFY2(c->result.message.contains(u"ignored an interrupt"_s), qPrintable(c->result.message));
    QTRY_COMPARE(exited.count(), 1);
    const auto exit = exited.first().first().value<KernelExit>();
    QVERIFY(exit.killedByHost);
    QVERIFY(exit.crashed); // SIGTERM ended it
}

void TestKernelFake::ignoredSigtermEscalatesToSigkillOfTheGroup()
{
    Kernel kernel(fakeKernel(u"ignore-sigterm"_s));
    QSignalSpy exited(&kernel, &Kernel::exited);
    kernel.start();
    auto c = std::make_shared<Collected>();
    runner::ExecuteOptions options;
    options.timeoutMs = 200;
    kernel.execute(u"hang"_s, options, collectInto(c));
    QTRY_VERIFY(!c->out.isEmpty());
    const qint64 grandchild = c->out.toLongLong();
    const qint64 leader = kernel.processId();
    QVERIFY(processRunning(grandchild));
    QTRY_VERIFY_WITH_TIMEOUT(c->done(), 20'000);
    QVERIFY(c->result.timedOut);
    QVERIFY(c->result.kernelKilled);
    QTRY_COMPARE(exited.count(), 1);
    QTRY_VERIFY(!processRunning(grandchild));
    QTRY_VERIFY(!processRunning(leader));
}

void TestKernelFake::floodOfStdoutAndStderr()
{
    Kernel kernel(fakeKernel(u"flood"_s));
    kernel.start();
    auto c = run(kernel, u"8"_s, {}, 60'000); // 8 MiB of frames, 8 MiB of raw stderr
    QVERIFY(c->done());
    QCOMPARE(c->result.status, ExecuteStatus::Ok);
    QCOMPARE(c->out.size(), qsizetype(8 * 16 * 64 * 1024));
    QCOMPARE(kernel.state(), Kernel::State::Idle);
    auto after = run(kernel, u"0"_s);
    QCOMPARE(after->result.status, ExecuteStatus::Ok);
}

void TestKernelFake::neverAnsweringMissesTheStartDeadline()
{
    runner::KernelOptions options = fakeKernel(u"silent"_s);
    options.startTimeoutMs = 300;
    Kernel kernel(options);
    QSignalSpy exited(&kernel, &Kernel::exited);
    QSignalSpy ready(&kernel, &Kernel::ready);
    kernel.start();
    auto c = std::make_shared<Collected>();
    kernel.execute(u"never runs"_s, {}, collectInto(c));
    QTRY_COMPARE_WITH_TIMEOUT(exited.count(), 1, 20'000);
    QCOMPARE(ready.count(), 0);
    const auto exit = exited.first().first().value<KernelExit>();
    QVERIFY(!exit.becameReady);
    QVERIFY2(exit.message.contains(u"did not answer"_s), qPrintable(exit.message));
    QTRY_VERIFY(c->done());
    QCOMPARE(c->result.status, ExecuteStatus::Aborted);
}

void TestKernelFake::missingProgramExitsOnce()
{
    runner::KernelOptions options;
    options.program = u"/nonexistent/python3"_s;
    Kernel kernel(options);
    QSignalSpy exited(&kernel, &Kernel::exited);
    kernel.start();
    auto c = std::make_shared<Collected>();
    kernel.execute(u"1"_s, {}, collectInto(c));
    QTRY_COMPARE(exited.count(), 1);
    QVERIFY(exited.first().first().value<KernelExit>().failedToStart);
    QTRY_VERIFY(c->done());
    QCOMPARE(c->result.status, ExecuteStatus::Aborted);
    QTest::qWait(50);
    QCOMPARE(exited.count(), 1);
}

void TestKernelFake::cancelQueuedRequestSettlesAtOnce()
{
    Kernel kernel(fakeKernel(u"ignore-sigint"_s));
    kernel.start();
    auto running = std::make_shared<Collected>();
    auto queued = std::make_shared<Collected>();
    kernel.execute(u"hang"_s, {}, collectInto(running));
    const QString id = kernel.execute(u"later"_s, {}, collectInto(queued));
    QVERIFY(kernel.cancel(id));
    QCOMPARE(queued->doneCalls, 1);
    QVERIFY(queued->result.cancelled);
    QCOMPARE(queued->result.status, ExecuteStatus::Aborted);
    QVERIFY(!kernel.cancel(id));
    QCOMPARE(kernel.pendingCount(), 1);
}

void TestKernelFake::shutdownIsGracefulWhenIdle()
{
    Kernel kernel(fakeKernel(u"normal"_s));
    QSignalSpy exited(&kernel, &Kernel::exited);
    kernel.start();
    QTRY_COMPARE(kernel.state(), Kernel::State::Idle);
    kernel.shutdown();
    QTRY_COMPARE(exited.count(), 1);
    const auto exit = exited.first().first().value<KernelExit>();
    QVERIFY(!exit.killedByHost);
    QCOMPARE(exit.exitCode, 0);
    QVERIFY(!exit.crashed);
}

void TestKernelFake::requestsAfterExitFail()
{
    Kernel kernel(fakeKernel(u"normal"_s));
    kernel.start();
    QTRY_COMPARE(kernel.state(), Kernel::State::Idle);
    kernel.kill();
    QTRY_COMPARE(kernel.state(), Kernel::State::Exited);
    auto c = std::make_shared<Collected>();
    kernel.execute(u"late"_s, {}, collectInto(c));
    QCOMPARE(c->doneCalls, 0); // never synchronously inside execute()
    QTRY_COMPARE(c->doneCalls, 1);
    QCOMPARE(c->result.status, ExecuteStatus::Aborted);
}

void TestKernelFake::oversizedFrameFailsOnlyItsRequest_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("bytes");
    QTest::addColumn<bool>("lost");
    QTest::addColumn<int>("protocolErrors");
    QTest::addColumn<QString>("message");
    QTest::newRow("result over the limit")
        << u"result"_s << 200'000 << true << 1 << u"a 'result' frame of 200000 bytes was dropped"_s;
    QTest::newRow("result one byte over")
        << u"result"_s << 65'537 << true << 1 << u"a 'result' frame of 65537 bytes"_s;
    QTest::newRow("result exactly at the limit")
        << u"result"_s << 65'536 << false << 0 << QString();
    QTest::newRow("done over the limit")
        << u"done"_s << 200'000 << true << 1 << u"a 'done' frame of 200000 bytes"_s;
    QTest::newRow("several over the limit")
        << u"several"_s << 100'000 << true << 3 << u"a 'stdout' frame of 100000 bytes"_s;
}

// A frame over the host's limit fails its own request, once and with a clear
// message; the frame after it (split across two reads) still arrives, a request
// without a time-out settles, and the next request runs normally.
void TestKernelFake::oversizedFrameFailsOnlyItsRequest()
{
    QFETCH(QString, code);
    QFETCH(int, bytes);
    QFETCH(bool, lost);
    QFETCH(int, protocolErrors);
    QFETCH(QString, message);
    runner::KernelOptions options = fakeKernel(u"oversize"_s, {QString::number(bytes)});
    options.maxFrameBytes = 64 * 1024;
    Kernel kernel(options);
    kernel.start();
    auto c = run(kernel, code, {}, 20'000);
    QCOMPARE(c->doneCalls, 1);
    QCOMPARE(c->out, u"after"_s);
    QCOMPARE(c->result.outputLost, lost);
    QCOMPARE(c->result.status, lost ? ExecuteStatus::Error : ExecuteStatus::Ok);
    QVERIFY2(c->result.message.startsWith(message), qPrintable(c->result.message));
    if (lost)
        QVERIFY(c->result.message.contains(u"limited to 65536 bytes"_s));
    else
        QCOMPARE(plain(c), u"big"_s);
    QCOMPARE(kernel.protocolErrors(), protocolErrors);
    auto next = run(kernel, u"next"_s, {}, 20'000);
    QCOMPARE(next->result.status, ExecuteStatus::Ok);
    QCOMPARE(next->out, u"echo:next"_s);
    QVERIFY(!next->result.outputLost);
    QCOMPARE(kernel.protocolErrors(), protocolErrors); // the overflow state was reset
    QCOMPARE(kernel.state(), Kernel::State::Idle);
    QCOMPARE(c->doneCalls, 1);
}

void TestKernelFake::wrongTypedFieldFailsOnlyItsRequest_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message"); // empty: the request is not failed
    QTest::newRow("stdout text") << u"text"_s
                                 << u"a stdout frame: $.text: expected a string, got number 42"_s;
    QTest::newRow("result data") << u"data"_s
                                 << u"a result frame: $.data: expected an object, got string"_s;
    QTest::newRow("huge execution count")
        << u"count"_s
        << u"a started frame: $.executionCount: expected an integer from 0 to 2147483647, got number 18446744073709551615"_s;
    QTest::newRow("traceback item")
        << u"traceback"_s << u"an error frame: $.traceback[0]: expected a string, got number 1"_s;
    QTest::newRow("done status") << u"status"_s
                                 << u"a done frame: $.status: expected a string, got number 7"_s;
    QTest::newRow("unattributable id") << u"id"_s << QString();
}

void TestKernelFake::wrongTypedFieldFailsOnlyItsRequest()
{
    QFETCH(QString, code);
    QFETCH(QString, message);
    Kernel kernel(fakeKernel(u"wrongtypes"_s));
    kernel.start();
    auto c = run(kernel, code, {}, 20'000);
    QCOMPARE(c->doneCalls, 1);
    QCOMPARE(kernel.protocolErrors(), 1);
    if (message.isEmpty()) {
        QCOMPARE(c->result.status, ExecuteStatus::Ok);
        QVERIFY(!c->result.outputLost);
    } else {
        QCOMPARE(c->result.status, ExecuteStatus::Error);
        QVERIFY(c->result.outputLost);
        QVERIFY2(c->result.message.contains(message), qPrintable(c->result.message));
    }
    QVERIFY2(c->out.endsWith(u"after"_s), qPrintable(c->out));
    auto next = run(kernel, u"next"_s, {}, 20'000);
    QCOMPARE(next->result.status, ExecuteStatus::Ok);
    QCOMPARE(next->out, u"echo:next"_s);
    QCOMPARE(kernel.state(), Kernel::State::Idle);
}

void TestKernelFake::groupSignalsReachOnlyUnreapedChildren()
{
    QVERIFY(!runner::isUnreapedChild(1));
    QVERIFY(!runner::isUnreapedChild(::getppid())); // alive, but not ours
    QProcess child;
    child.start(u"sleep"_s, {u"30"_s});
    QVERIFY(child.waitForStarted());
    const qint64 pid = child.processId();
    QVERIFY(runner::isUnreapedChild(pid));
    child.kill();
    QVERIFY(child.waitForFinished(5'000));
    QVERIFY(!runner::isUnreapedChild(pid)); // reaped: the id may now be anyone's

    // A zombie still holds its id: still ours until it is reaped.
    const pid_t zombie = ::fork();
    if (zombie == 0)
        ::_exit(0);
    QVERIFY(zombie > 0);
    QTRY_VERIFY(!processRunning(zombie));
    QVERIFY(runner::isUnreapedChild(zombie));
    QCOMPARE(::waitpid(zombie, nullptr, 0), zombie);
    QVERIFY(!runner::isUnreapedChild(zombie));

    // A kernel that exited long ago: destroying it signals nothing (its pid may be
    // reused by then); what it left was killed when it exited.
    auto kernel = std::make_unique<Kernel>(fakeKernel(u"normal"_s));
    QSignalSpy exited(kernel.get(), &Kernel::exited);
    kernel->start();
    QTRY_VERIFY(kernel->processId() > 1);
    const qint64 kernelPid = kernel->processId();
    ::kill(pid_t(kernelPid), SIGKILL);
    QTRY_COMPARE(exited.count(), 1);
    QVERIFY(!runner::isUnreapedChild(kernelPid));
    kernel.reset();
}

QTEST_GUILESS_MAIN(TestKernelFake)
#include "tst_kernelfake.moc"
