// SPDX-License-Identifier: MIT
// KernelSession: one kernel per key, FIFO, replacement, reset, per-call mode,
// and a stress run that must leave no process, zombie or descriptor behind.
#include "runner/kernel/kernelsession.h"
#include "common/runnertestutil.h"

#include <QFileInfo>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>

#include <atomic>
#include <csignal>
#include <optional>

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
    void depsWaitForEarlierCellsAndHoldLaterOnes();
    void depsChangeAsksForARestartOrRestarts();
    void depsWithoutDependenciesFailAsUsage();
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

namespace {

// Plays a dependency change: records whether MARKER existed when it ran (the
// cell before it must have finished), waits, then writes DONE.
class FakeDependencies : public runner::KernelDependencies
{
public:
    QString marker;
    QString done;
    bool changes = true;
    std::atomic<int> calls{0};
    std::atomic<bool> markerSeen{false};
    runner::DepsResult run(const runner::DepsRequest &request) override
    {
        ++calls;
        markerSeen = !marker.isEmpty() && QFileInfo::exists(marker);
        QThread::msleep(300);
        if (!done.isEmpty()) {
            QFile f(done);
            (void)f.open(QIODevice::WriteOnly);
        }
        runner::DepsResult result;
        result.operation = request.operation;
        result.plugin = request.plugin;
        result.status = runner::DepsResult::Status::Ok;
        result.changed = changes;
        result.report = {{"fake", true}};
        return result;
    }
};

runner::DepsRequest depsRequest(runner::DepsOperation operation, const QString &plugin = {})
{
    runner::DepsRequest request;
    request.operation = operation;
    request.plugin = plugin;
    return request;
}

} // namespace

void TestKernelSession::capabilities()
{
    KernelSession session(pythonKernel());
    const runner::KernelCapabilities caps = session.capabilities();
    QVERIFY(caps.timeout && caps.interrupt && caps.processIsolation && caps.reset);
    QVERIFY(!caps.depsInstall && !caps.depsUninstall);
    QCOMPARE(jtext(caps.toJson()["depsInstall"]), u"false"_s);
    // With a dependency implementation (a bundle and a data dir) they turn true.
    session.setDependencies(std::make_shared<FakeDependencies>());
    QVERIFY(session.capabilities().depsInstall && session.capabilities().depsUninstall);
    QCOMPARE(jtext(session.capabilities().toJson()["depsUninstall"]), u"true"_s);
    session.setDependencies(nullptr);
    QVERIFY(!session.capabilities().depsInstall);
}

// A deps request starts only after every earlier cell (of any key) settled,
// and a cell sent after it runs only once it is done.
void TestKernelSession::depsWaitForEarlierCellsAndHoldLaterOnes()
{
    QTemporaryDir dir;
    auto deps = std::make_shared<FakeDependencies>();
    deps->marker = dir.filePath(u"cell-done"_s);
    deps->done = dir.filePath(u"deps-done"_s);
    KernelSession session(pythonKernel());
    session.setDependencies(deps);
    QStringList order;
    auto before = std::make_shared<Collected>();
    auto beforeCallbacks = collectInto(before);
    auto beforeDone = beforeCallbacks.onDone;
    beforeCallbacks.onDone = [&order, beforeDone](const runner::ExecuteResult &r) {
        order << u"cell"_s;
        beforeDone(r);
    };
    session.execute(u"other"_s,
                    u"import time; time.sleep(0.5); open(%1, 'w').close()"_s.arg(
                        u"'"_s + deps->marker + u"'"_s),
                    {}, beforeCallbacks);
    std::optional<runner::DepsResult> result;
    runner::DepsRequest request;
    request.operation = runner::DepsOperation::Install;
    request.plugin = u"p"_s;
    const QString depsId = session.deps(request, [&](const runner::DepsResult &r) {
        order << u"deps"_s;
        result = r;
    });
    QVERIFY(session.depsPending());
    auto after = std::make_shared<Collected>();
    const QString afterId = session.execute(
        u"main"_s, u"import os; os.path.exists(%1)"_s.arg(u"'"_s + deps->done + u"'"_s), {},
        collectInto(after));
    QTRY_VERIFY_WITH_TIMEOUT(after->done(), 30'000);
    QVERIFY(result.has_value());
    QCOMPARE(order, (QStringList{u"cell"_s, u"deps"_s}));
    QVERIFY(deps->markerSeen);
    QCOMPARE(plain(after), u"True"_s);
    QCOMPARE(after->result.id, afterId); // the id execute() returned, though it was held
    QCOMPARE(result->id, depsId);
    QCOMPARE(result->status, runner::DepsResult::Status::Ok);
    QVERIFY(!session.depsPending());
}

void TestKernelSession::depsChangeAsksForARestartOrRestarts()
{
    KernelSession session(pythonKernel());
    auto deps = std::make_shared<FakeDependencies>();
    session.setDependencies(deps);
    auto first = std::make_shared<Collected>();
    session.execute(u"k"_s, u"kept = 1"_s, {}, collectInto(first));
    QTRY_VERIFY_WITH_TIMEOUT(first->done(), 30'000);

    std::optional<runner::DepsResult> noRestart;
    session.deps(depsRequest(runner::DepsOperation::Sync, u"p"_s),
                 [&](const auto &r) { noRestart = r; });
    QTRY_VERIFY_WITH_TIMEOUT(noRestart.has_value(), 10'000);
    QVERIFY(noRestart->restartRequired); // a kernel started before the change still runs
    QVERIFY(!noRestart->restarted);
    auto still = std::make_shared<Collected>();
    session.execute(u"k"_s, u"'kept' in globals()"_s, {}, collectInto(still));
    QTRY_VERIFY_WITH_TIMEOUT(still->done(), 30'000);
    QCOMPARE(plain(still), u"True"_s);

    runner::DepsRequest restart = depsRequest(runner::DepsOperation::Sync, u"p"_s);
    restart.restart = true;
    std::optional<runner::DepsResult> restarted;
    session.deps(restart, [&](const auto &r) { restarted = r; });
    auto fresh = std::make_shared<Collected>();
    session.execute(u"k"_s, u"'kept' in globals()"_s, {}, collectInto(fresh));
    QTRY_VERIFY_WITH_TIMEOUT(fresh->done(), 30'000);
    QVERIFY(restarted.has_value());
    QVERIFY(restarted->restarted);
    QVERIFY(!restarted->restartRequired);
    QCOMPARE(plain(fresh), u"False"_s);

    // Nothing changed (a refusal, a list): no restart asked for.
    deps->changes = false;
    std::optional<runner::DepsResult> listed;
    session.deps(depsRequest(runner::DepsOperation::List), [&](const auto &r) { listed = r; });
    QTRY_VERIFY_WITH_TIMEOUT(listed.has_value(), 10'000);
    QVERIFY(!listed->restartRequired && !listed->restarted);
    QCOMPARE(deps->calls.load(), 3);
}

void TestKernelSession::depsWithoutDependenciesFailAsUsage()
{
    KernelSession session(pythonKernel());
    std::optional<runner::DepsResult> result;
    int calls = 0;
    session.deps(depsRequest(runner::DepsOperation::Install, u"p"_s), [&](const auto &r) {
        result = r;
        ++calls;
    });
    QTRY_VERIFY(result.has_value());
    QCOMPARE(calls, 1);
    QCOMPARE(result->status, runner::DepsResult::Status::Failed);
    QCOMPARE(result->exitCode(), 2);
    QVERIFY2(result->error->message.contains(u"--bundle"_s), qPrintable(result->error->message));
    QCOMPARE(session.kernelCount(), 0);
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
