// SPDX-License-Identifier: MIT
// KernelSession: one kernel per key, FIFO, replacement, reset, per-call mode,
// and a stress run that must leave no process, zombie or descriptor behind.
#include "runner/kernelsession.h"
#include "runnertestutil.h"

#include <QRandomGenerator>
#include <QSignalSpy>

#include <csignal>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using namespace deskpack::test;
using runner::ExecuteStatus;
using runner::Kernel;
using runner::KernelSession;

class TestKernelSession : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fifoPerKeyAndSeparateNamespaces();
    void deadKernelIsReplacedOnceForConcurrentCallers();
    void blockedInterruptEscalatesAndNextRequestGetsANewKernel();
    void resetGivesAFreshNamespace();
    void perCallModeIsolatesEveryRequest();
    void capabilities();
    void randomExecuteCancelRoundsLeaveNothingBehind();
};

void TestKernelSession::fifoPerKeyAndSeparateNamespaces()
{
    KernelSession session(pythonKernel());
    QList<int> order;
    QList<std::shared_ptr<Collected>> all;
    for (int i = 0; i < 6; ++i) {
        auto c = std::make_shared<Collected>();
        auto callbacks = collectInto(c);
        auto done = callbacks.onDone;
        callbacks.onDone = [&order, i, done](const runner::ExecuteResult &r) {
            order.append(i);
            done(r);
        };
        session.execute(u"a"_s, u"v = %1\nv"_s.arg(i), {}, callbacks);
        all.append(c);
    }
    auto other = std::make_shared<Collected>();
    session.execute(u"b"_s, u"'v' in globals()"_s, {}, collectInto(other));
    QTRY_VERIFY_WITH_TIMEOUT(all.last()->done() && other->done(), 30'000);
    QCOMPARE(order, (QList<int>{0, 1, 2, 3, 4, 5}));
    QCOMPARE(plain(all.last()), u"5"_s);
    QCOMPARE(plain(other), u"False"_s);
    QCOMPARE(session.keys().size(), 2);
    QVERIFY(session.kernel(u"a"_s)->processId() != session.kernel(u"b"_s)->processId());
}

void TestKernelSession::deadKernelIsReplacedOnceForConcurrentCallers()
{
    KernelSession session(pythonKernel());
    QSignalSpy started(&session, &KernelSession::kernelStarted);
    QSignalSpy exited(&session, &KernelSession::kernelExited);
    auto first = std::make_shared<Collected>();
    session.execute(u"k"_s, u"import os\nos.getpid()"_s, {}, collectInto(first));
    QTRY_VERIFY_WITH_TIMEOUT(first->done(), 30'000);
    const qint64 pid = session.kernel(u"k"_s)->processId();
    ::kill(pid_t(pid), SIGKILL);
    QTRY_COMPARE(exited.count(), 1);
    QCOMPARE(session.kernel(u"k"_s), nullptr);
    QList<std::shared_ptr<Collected>> callers;
    for (int i = 0; i < 3; ++i) {
        callers.append(std::make_shared<Collected>());
        session.execute(u"k"_s, u"import os\nos.getpid()"_s, {}, collectInto(callers.last()));
    }
    QTRY_VERIFY_WITH_TIMEOUT(callers.last()->done(), 30'000);
    QCOMPARE(started.count(), 2); // one replacement shared by the three callers
    const auto newPid = callers[0]->result.result["text/plain"];
    QVERIFY(newPid != first->result.result["text/plain"]);
    for (const auto &c : callers)
        QCOMPARE(plain(c), jtext(newPid));
}

void TestKernelSession::blockedInterruptEscalatesAndNextRequestGetsANewKernel()
{
    runner::KernelOptions options = pythonKernel();
    options.interruptGraceMs = 300;
    options.escalationStepMs = 300;
    KernelSession session(options);
    auto blocked = std::make_shared<Collected>();
    const QString id = session.execute(
        u"s"_s,
        u"import signal, time\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})\n"
        "print('blocked', flush=True)\ntime.sleep(60)"_s,
        {}, collectInto(blocked));
    QTRY_VERIFY_WITH_TIMEOUT(blocked->out == u"blocked\n"_s, 30'000);
    const qint64 oldPid = session.kernel(u"s"_s)->processId();
    QVERIFY(session.cancel(id));
    QTRY_VERIFY_WITH_TIMEOUT(blocked->done(), 20'000);
    QVERIFY(blocked->result.kernelKilled);
    QVERIFY(blocked->result.cancelled);
    auto next = std::make_shared<Collected>();
    session.execute(u"s"_s, u"import os\nos.getpid()"_s, {}, collectInto(next));
    QTRY_VERIFY_WITH_TIMEOUT(next->done(), 30'000);
    QCOMPARE(next->result.status, ExecuteStatus::Ok);
    QVERIFY(next->result.result["text/plain"] != std::to_string(oldPid));
    QTRY_VERIFY(!processRunning(oldPid));
}

void TestKernelSession::resetGivesAFreshNamespace()
{
    KernelSession session(pythonKernel());
    auto set = std::make_shared<Collected>();
    session.execute(u"r"_s, u"secret = 1"_s, {}, collectInto(set));
    QTRY_VERIFY_WITH_TIMEOUT(set->done(), 30'000);
    const qint64 oldPid = session.kernel(u"r"_s)->processId();
    session.reset(u"r"_s);
    auto check = std::make_shared<Collected>();
    session.execute(u"r"_s, u"'secret' in globals()"_s, {}, collectInto(check));
    QTRY_VERIFY_WITH_TIMEOUT(check->done(), 30'000);
    QCOMPARE(plain(check), u"False"_s);
    QTRY_VERIFY(!processRunning(oldPid));
}

void TestKernelSession::perCallModeIsolatesEveryRequest()
{
    KernelSession session(pythonKernel(), KernelSession::Mode::PerCall);
    auto a = std::make_shared<Collected>();
    auto b = std::make_shared<Collected>();
    session.execute(u"same"_s, u"import os\nleft = 1\nos.getpid()"_s, {}, collectInto(a));
    session.execute(u"same"_s, u"import os\n('left' in globals(), os.getpid())"_s, {},
                    collectInto(b));
    QTRY_VERIFY_WITH_TIMEOUT(a->done() && b->done(), 30'000);
    QVERIFY(QString::fromStdString(b->result.result["text/plain"]).startsWith(u"(False, "_s));
    QVERIFY(!QString::fromStdString(b->result.result["text/plain"])
                 .contains(QString::fromStdString(a->result.result["text/plain"])));
    QTRY_COMPARE(session.kernelCount(), 0);
}

void TestKernelSession::capabilities()
{
    KernelSession session(pythonKernel());
    const runner::KernelCapabilities caps = session.capabilities();
    QVERIFY(caps.timeout && caps.interrupt && caps.processIsolation && caps.reset);
    QVERIFY(!caps.depsInstall && !caps.depsUninstall);
    QCOMPARE(jtext(caps.toJson()["depsInstall"]), u"false"_s);
}

void TestKernelSession::randomExecuteCancelRoundsLeaveNothingBehind()
{
    const int fdsBefore = openFileDescriptors();
    QSet<qint64> leaders;
    int settled = 0;
    int issued = 0;
    {
        runner::KernelOptions options = pythonKernel();
        options.interruptGraceMs = 500;
        options.escalationStepMs = 200;
        KernelSession session(options);
        connect(&session, &KernelSession::kernelStarted, this,
                [&](const QString &, qint64 pid) { leaders.insert(pid); });
        // The sequence of actions is reproducible (timings are not): a failure prints
        // the seed, DESKPACK_TEST_SEED=N replays it.
        bool seeded = false;
        quint32 seed = qEnvironmentVariable("DESKPACK_TEST_SEED").toUInt(&seeded);
        if (!seeded)
            seed = QRandomGenerator::global()->generate();
        qInfo("random rounds: seed %u (DESKPACK_TEST_SEED=%u replays them)", seed, seed);
        QRandomGenerator generator(seed);
        auto *random = &generator;
        const QStringList cells{
            u"1"_s,
            u"import time; time.sleep(0.05)"_s,
            u"import subprocess; subprocess.Popen(['sleep', '30'])"_s,
            u"print('x' * 5000)"_s,
            u"import time\nwhile True: time.sleep(0.01)"_s,
            u"raise ValueError('round')"_s,
        };
        for (int round = 0; round < 200; ++round) {
            const QString key = u"k%1"_s.arg(random->bounded(3));
            const QString code = cells.at(random->bounded(int(cells.size())));
            auto counted = std::make_shared<int>(0);
            runner::ExecuteCallbacks callbacks;
            callbacks.onDone = [&settled, counted](const runner::ExecuteResult &) {
                ++*counted;
                QVERIFY(*counted == 1);
                ++settled;
            };
            runner::ExecuteOptions execOptions;
            execOptions.timeoutMs = 2'000;
            const QString id = session.execute(key, code, execOptions, callbacks);
            ++issued;
            const int action = random->bounded(10);
            if (action < 3) {
                QTest::qWait(random->bounded(30));
                session.cancel(id);
            } else if (action == 3) {
                session.reset(key);
            } else if (action == 4 && session.kernel(key) &&
                       session.kernel(key)->processId() > 1) { // 0 while it starts
                ::kill(pid_t(session.kernel(key)->processId()), SIGKILL);
            }
            if (round % 20 == 19)
                QTRY_VERIFY_WITH_TIMEOUT(settled == issued, 60'000);
        }
        QTRY_VERIFY_WITH_TIMEOUT(settled == issued, 60'000);
        session.shutdown();
        QTRY_VERIFY_WITH_TIMEOUT(session.kernelCount() == 0, 30'000);
    }
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QCOMPARE(settled, 200);
    QVERIFY(leaders.size() >= 3);
    const auto groupAlive = [](qint64 leader) {
        const QList<qint64> members = groupMembers(leader);
        return std::any_of(members.cbegin(), members.cend(), processRunning);
    };
    for (qint64 leader : std::as_const(leaders)) {
        QTRY_VERIFY2(!groupAlive(leader),
                     qPrintable(u"group %1 left processes behind"_s.arg(leader)));
    }
    QTRY_COMPARE(zombieChildren(), 0);
    QTRY_COMPARE(openFileDescriptors(), fdsBefore);
}

QTEST_GUILESS_MAIN(TestKernelSession)
#include "tst_kernelsession.moc"
