// SPDX-License-Identifier: MIT
// BackendSupervisor against fake backends (tests/runner/fakebackend.py run
// through resources/launch_backend.py): readiness by HTTP, TCP and heartbeat,
// never ready, exit at once, crash and restart, a death by a named signal,
// crash loop and safe mode, SIGTERM ignored, grandchildren, a port already
// taken, flooding and invalid UTF-8 output, and a launcher killed with SIGKILL.
#include "common/runnertestutil.h"
#include "fakebackend.h"

#include "runner/supervisor/backendsupervisor.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;
using runner::BackendSupervisor;
using State = runner::BackendSupervisor::State;

namespace {

// Group members that are alive (zombies waiting for a reaper do not count).
QList<qint64> livingMembers(qint64 group)
{
    QList<qint64> living;
    for (qint64 pid : test::groupMembers(group)) {
        if (test::processRunning(pid))
            living.append(pid);
    }
    return living;
}

QString readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

// One supervisor on a fake backend, with every transition and line recorded.
struct Harness
{
    QTemporaryDir dir;
    QString bundle = dir.filePath(u"bundle"_s);
    QString data = dir.filePath(u"data"_s);
    std::unique_ptr<BackendSupervisor> supervisor;
    QList<State> states;
    QStringList lines;

    Harness(const QString &scenario, int port, const QString &extra = {},
            runner::SupervisorOptions options = quick(),
            formats::Readiness::Kind kind = formats::Readiness::Kind::Http)
    {
        const bool heartbeat = kind == formats::Readiness::Kind::Heartbeat;
        if (!test::writeFakeBundle(bundle, heartbeat ? u"heartbeat"_s : u"http"_s))
            qFatal("cannot write the fake bundle");
        supervisor = std::make_unique<BackendSupervisor>(
            test::fakePlan(bundle, data, scenario, port, extra, kind), options);
        QObject::connect(supervisor.get(), &BackendSupervisor::stateChanged,
                         [this](State state) { states.append(state); });
        QObject::connect(supervisor.get(), &BackendSupervisor::logLine,
                         [this](const QString &line) { lines.append(line); });
    }

    static runner::SupervisorOptions quick()
    {
        runner::SupervisorOptions options;
        options.restartInitialDelayMs = 200;
        options.stopGraceMs = 2'000;
        options.probeIntervalMs = 20;
        return options;
    }

    bool waitFor(State state, int timeoutMs = 15'000)
    {
        return QTest::qWaitFor([&] { return supervisor->state() == state; }, timeoutMs);
    }
};

} // namespace

class TestBackendSupervisor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(u"/usr/bin/python3"_s).isExecutable(), "Debian's python3 is needed");
        QVERIFY2(QFileInfo::exists(u"/proc/self/stat"_s), "these tests read /proc");
    }

    void readyByProbe_data()
    {
        QTest::addColumn<formats::Readiness::Kind>("kind");
        QTest::addColumn<QString>("scenario");
        QTest::newRow("http") << formats::Readiness::Kind::Http << u"serve"_s;
        QTest::newRow("tcp") << formats::Readiness::Kind::Tcp << u"serve"_s;
        // Nothing listens: launch_backend.py writes the heartbeat file.
        QTest::newRow("heartbeat") << formats::Readiness::Kind::Heartbeat << u"sleep"_s;
    }
    void readyByProbe()
    {
        QFETCH(formats::Readiness::Kind, kind);
        QFETCH(QString, scenario);
        Harness h(scenario, test::freePort(), {}, Harness::quick(), kind);
        h.supervisor->start();
        QVERIFY2(h.waitFor(State::Ready), qPrintable(h.supervisor->failureReason()));
        QCOMPARE(h.states, (QList<State>{State::Starting, State::Ready}));
        const qint64 pid = h.supervisor->processId();
        QVERIFY(pid > 0);
        QVERIFY(h.supervisor->readySince().isValid());
        QCOMPARE(h.supervisor->url().isEmpty(), kind != formats::Readiness::Kind::Http);
        if (kind == formats::Readiness::Kind::Heartbeat)
            QVERIFY(QFileInfo::exists(h.data + u"/backend.heartbeat"_s));
        QCOMPARE(h.supervisor->logFilePath(), h.data + u"/logs/backend.log"_s);
        QVERIFY(readAll(h.supervisor->logFilePath()).contains(u"deskpack: ready"_s));

        h.supervisor->stop();
        QVERIFY(h.waitFor(State::Stopped));
        QCOMPARE(h.states,
                 (QList<State>{State::Starting, State::Ready, State::Stopping, State::Stopped}));
        QCOMPARE(h.supervisor->processId(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(livingMembers(pid).isEmpty(), 5'000);
    }

    // DESKPACK_HEARTBEAT_BY_BACKEND=1: launch_backend.py leaves the heartbeat
    // to the backend, so one that never writes it is never ready.
    void heartbeatByBackend_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<bool>("ready");
        QTest::newRow("backend writes it") << u"heartbeat-self"_s << true;
        QTest::newRow("nobody writes it") << u"sleep"_s << false;
    }
    void heartbeatByBackend()
    {
        QFETCH(QString, scenario);
        QFETCH(bool, ready);
        Harness h(scenario, 0, {}, Harness::quick(), formats::Readiness::Kind::Heartbeat);
        runner::BackendLaunchPlan plan = h.supervisor->plan();
        plan.readiness.timeoutSeconds = 2;
        plan.environment.insert(u"DESKPACK_HEARTBEAT_BY_BACKEND"_s, u"1"_s);
        BackendSupervisor supervisor(plan, Harness::quick());
        supervisor.start();
        QTRY_VERIFY_WITH_TIMEOUT(
            supervisor.state() == State::Ready || supervisor.state() == State::Failed, 15'000);
        QCOMPARE(supervisor.state(), ready ? State::Ready : State::Failed);
        if (ready) {
            QCOMPARE(readAll(h.data + u"/backend.heartbeat"_s), u"self"_s);
        } else {
            QVERIFY2(supervisor.failureReason().contains(u"not ready within 2 s (waited for a "
                                                         "heartbeat in "_s +
                                                         h.data + u"/backend.heartbeat)"_s),
                     qPrintable(supervisor.failureReason()));
        }
    }

    void neverReady()
    {
        const int port = test::freePort();
        Harness h(u"never-ready"_s, port);
        runner::BackendLaunchPlan plan = h.supervisor->plan();
        plan.readiness.timeoutSeconds = 1;
        h.supervisor = std::make_unique<BackendSupervisor>(plan, Harness::quick());
        QObject::connect(h.supervisor.get(), &BackendSupervisor::stateChanged,
                         [&](State state) { h.states.append(state); });
        h.supervisor->start();
        const qint64 pid = h.supervisor->processId();
        QVERIFY(pid > 0);
        QVERIFY(h.waitFor(State::Failed));
        QCOMPARE(h.states, (QList<State>{State::Starting, State::Stopping, State::Failed}));
        const QString reason = h.supervisor->failureReason();
        QVERIFY2(reason.contains(u"not ready within 1 s"_s), qPrintable(reason));
        QVERIFY2(reason.contains(u"http://127.0.0.1:%1/status"_s.arg(port)), qPrintable(reason));
        QVERIFY(!h.supervisor->safeModeSuggested());
        QTRY_VERIFY_WITH_TIMEOUT(livingMembers(pid).isEmpty(), 5'000);
    }

    void exitsAtOnce()
    {
        Harness h(u"exit-now"_s, test::freePort());
        h.supervisor->start();
        QVERIFY(h.waitFor(State::Failed));
        QCOMPARE(h.states, (QList<State>{State::Starting, State::Failed}));
        const QString reason = h.supervisor->failureReason();
        QVERIFY2(reason.contains(u"exited with code 3 before it was ready"_s), qPrintable(reason));
        QVERIFY2(reason.contains(u"fatal: config.yaml is missing"_s), qPrintable(reason));
        QVERIFY(
            h.supervisor->lastLogLines().contains(u"fakebackend: fatal: config.yaml is missing"_s));
        QVERIFY(readAll(h.supervisor->logFilePath()).contains(u"config.yaml is missing"_s));
        // Failed is terminal: nothing restarts it behind the user's back.
        QTest::qWait(500);
        QCOMPARE(h.supervisor->state(), State::Failed);
    }

    void missingProgram()
    {
        Harness h(u"serve"_s, test::freePort());
        runner::BackendLaunchPlan plan = h.supervisor->plan();
        plan.program = h.dir.filePath(u"no-such-python"_s);
        BackendSupervisor supervisor(plan, Harness::quick());
        QList<State> states;
        connect(&supervisor, &BackendSupervisor::stateChanged, [&](State s) { states.append(s); });
        supervisor.start();
        QTRY_COMPARE(supervisor.state(), State::Failed);
        QCOMPARE(states, (QList<State>{State::Starting, State::Failed}));
        QVERIFY2(supervisor.failureReason().contains(u"no-such-python"_s),
                 qPrintable(supervisor.failureReason()));
    }

    void crashIsRestarted()
    {
        Harness h(u"crash-once"_s, test::freePort(), u"1.0"_s);
        h.supervisor->start();
        QVERIFY(h.waitFor(State::Ready));
        const qint64 first = h.supervisor->processId();
        QVERIFY(h.waitFor(State::Crashed));
        QVERIFY2(h.supervisor->failureReason().contains(u"exited with code 1"_s),
                 qPrintable(h.supervisor->failureReason()));
        QVERIFY(h.supervisor->failureReason().contains(u"crashing now"_s));
        QTRY_VERIFY_WITH_TIMEOUT(h.states.size() >= 5, 15'000);
        QCOMPARE(h.states, (QList<State>{State::Starting, State::Ready, State::Crashed,
                                         State::Starting, State::Ready}));
        QVERIFY(h.supervisor->processId() != first);
        QVERIFY(!h.supervisor->safeModeSuggested());
        QVERIFY(readAll(h.supervisor->logFilePath()).contains(u"restarting in 0.2 s"_s));
    }

    // A backend killed by a signal: the reason, the log and so the failure
    // dialog and the headless output name the signal, not just "a signal".
    void killedBySignalIsNamed_data()
    {
        QTest::addColumn<QString>("signal");
        QTest::addColumn<QString>("named");
        QTest::newRow("SIGSEGV") << u"SIGSEGV"_s
                                 << u"was killed by SIGSEGV (signal 11, segmentation fault)"_s;
        QTest::newRow("SIGKILL") << u"SIGKILL"_s << u"was killed by SIGKILL (signal 9, killed)"_s;
        QTest::newRow("SIGABRT") << u"SIGABRT"_s << u"was killed by SIGABRT (signal 6, aborted)"_s;
    }
    void killedBySignalIsNamed()
    {
        QFETCH(QString, signal);
        QFETCH(QString, named);
        runner::SupervisorOptions options = Harness::quick();
        options.restartInitialDelayMs = 60'000;
        Harness h(u"kill-self"_s, test::freePort(), signal, options);
        h.supervisor->start();
        QVERIFY(h.waitFor(State::Crashed));
        const QString reason = h.supervisor->failureReason();
        QVERIFY2(reason.startsWith(u"the backend "_s + named + u"; its last output:"_s),
                 qPrintable(reason));
        QVERIFY2(reason.contains(u"fakebackend: dying by "_s + signal), qPrintable(reason));
        QVERIFY(readAll(h.supervisor->logFilePath()).contains(u"deskpack: the backend "_s + named));
        h.supervisor->stop();
        QCOMPARE(h.supervisor->state(), State::Stopped);
    }

    // Crashes while plugins are on sys.path: three in the window stop the
    // restarts and suggest safe mode, which then comes up and stays up.
    void crashLoopOffersSafeMode()
    {
        Harness h(u"crash-plugins"_s, test::freePort(), u"0.3"_s);
        h.supervisor->start();
        QVERIFY(h.waitFor(State::Failed, 30'000));
        QCOMPARE(h.states, (QList<State>{State::Starting, State::Ready, State::Crashed,
                                         State::Starting, State::Ready, State::Crashed,
                                         State::Starting, State::Ready, State::Failed}));
        QVERIFY(h.supervisor->safeModeSuggested());
        QVERIFY2(h.supervisor->failureReason().contains(u"crashed 3 times within 120 s"_s),
                 qPrintable(h.supervisor->failureReason()));
        // Backoff doubles: 0.2 s, then 0.4 s.
        const QString log = readAll(h.supervisor->logFilePath());
        QVERIFY(log.contains(u"restarting in 0.2 s"_s));
        QVERIFY(log.contains(u"restarting in 0.4 s"_s));
        QTest::qWait(600);
        QCOMPARE(h.supervisor->state(), State::Failed);

        h.states.clear();
        h.supervisor->startSafeMode();
        QVERIFY(h.waitFor(State::SafeMode));
        QVERIFY(h.supervisor->plan().safeMode);
        QVERIFY(!h.supervisor->plan().environment.contains(u"DESKPACK_PLUGIN_SITE_PACKAGES"_s));
        QVERIFY(!h.supervisor->safeModeSuggested());
        QTest::qWait(1'000); // it would have crashed after 0.3 s with plugins on
        QCOMPARE(h.supervisor->state(), State::SafeMode);
        QCOMPARE(h.states, (QList<State>{State::Starting, State::SafeMode}));

        // restart() keeps safe mode; start() after a stop goes back to normal.
        h.supervisor->restart();
        QTRY_VERIFY_WITH_TIMEOUT(h.states.size() == 6, 15'000);
        QCOMPARE(h.states.constLast(), State::SafeMode);
        h.supervisor->stop();
        QVERIFY(h.waitFor(State::Stopped));
        h.states.clear();
        h.supervisor->start();
        QTRY_VERIFY_WITH_TIMEOUT(h.states.size() >= 2, 15'000);
        QCOMPARE(h.states.mid(0, 2), (QList<State>{State::Starting, State::Ready}));
        QVERIFY(!h.supervisor->plan().safeMode);
        QVERIFY(h.supervisor->plan().environment.contains(u"DESKPACK_PLUGIN_SITE_PACKAGES"_s));
        h.supervisor->stop();
    }

    void crashLoopCountIsConfigurable()
    {
        runner::SupervisorOptions options = Harness::quick();
        options.crashLoopCount = 2;
        options.restartInitialDelayMs = 100;
        Harness h(u"crash-always"_s, test::freePort(), u"0.2"_s, options);
        h.supervisor->start();
        QVERIFY(h.waitFor(State::Failed, 30'000));
        QCOMPARE(h.states.count(State::Crashed), 1);
        QVERIFY(h.supervisor->safeModeSuggested());
    }

    // While a restart waits for its backoff: stop() cancels it, start() skips it.
    void backoffCanBeCancelledOrSkipped()
    {
        runner::SupervisorOptions options = Harness::quick();
        options.restartInitialDelayMs = 60'000;
        Harness h(u"crash-always"_s, test::freePort(), u"0.5"_s, options);
        h.supervisor->start();
        QVERIFY(h.waitFor(State::Crashed));
        h.supervisor->stop();
        QCOMPARE(h.supervisor->state(), State::Stopped);
        QTest::qWait(300);
        QCOMPARE(h.states,
                 (QList<State>{State::Starting, State::Ready, State::Crashed, State::Stopped}));

        h.states.clear();
        h.supervisor->start();
        QVERIFY(h.waitFor(State::Crashed));
        h.supervisor->start(); // now, not in 60 s
        QCOMPARE(h.supervisor->state(), State::Starting);
        QVERIFY(h.waitFor(State::Ready));
        h.supervisor->stop();
        QVERIFY(h.waitFor(State::Stopped));
    }

    void ignoresSigterm()
    {
        runner::SupervisorOptions options = Harness::quick();
        options.stopGraceMs = 500;
        Harness h(u"ignore-term"_s, test::freePort(), {}, options);
        h.supervisor->start();
        QVERIFY(h.waitFor(State::Ready));
        const qint64 pid = h.supervisor->processId();
        h.supervisor->stop();
        QCOMPARE(h.supervisor->state(), State::Stopping);
        QVERIFY(test::processRunning(pid)); // still there: SIGTERM is ignored
        QVERIFY(h.waitFor(State::Stopped));
        QVERIFY(readAll(h.supervisor->logFilePath()).contains(u"sending SIGKILL"_s));
        QCOMPARE(h.states.constLast(), State::Stopped);
        QTRY_VERIFY_WITH_TIMEOUT(livingMembers(pid).isEmpty(), 5'000);
    }

    void grandchildIsStoppedToo()
    {
        Harness h(u"grandchild"_s, test::freePort());
        h.supervisor->start();
        QVERIFY(h.waitFor(State::Ready));
        const qint64 pid = h.supervisor->processId();
        const qint64 grandchild = readAll(h.data + u"/grandchild.pid"_s).toLongLong();
        QVERIFY(grandchild > 0);
        QVERIFY(test::processRunning(grandchild));
        QVERIFY(livingMembers(pid).contains(grandchild));
        h.supervisor->stop();
        QVERIFY(h.waitFor(State::Stopped));
        // The backend obeyed SIGTERM; the grandchild, which ignores it, went
        // with the group once the backend was gone, without waiting for the grace.
        QVERIFY(!readAll(h.supervisor->logFilePath()).contains(u"sending SIGKILL"_s));
        QTRY_VERIFY_WITH_TIMEOUT(!test::processRunning(grandchild), 5'000);
        QTRY_VERIFY_WITH_TIMEOUT(livingMembers(pid).isEmpty(), 5'000);
    }

    void portAlreadyTaken_data()
    {
        QTest::addColumn<formats::Readiness::Kind>("kind");
        QTest::addColumn<QHostAddress>("address");
        QTest::newRow("http, IPv4 loopback")
            << formats::Readiness::Kind::Http << QHostAddress(QHostAddress::LocalHost);
        QTest::newRow("tcp, any address")
            << formats::Readiness::Kind::Tcp << QHostAddress(QHostAddress::Any);
        QTest::newRow("http, IPv6 loopback")
            << formats::Readiness::Kind::Http << QHostAddress(QHostAddress::LocalHostIPv6);
    }
    void portAlreadyTaken()
    {
        QFETCH(formats::Readiness::Kind, kind);
        QFETCH(QHostAddress, address);
        QTcpServer squatter;
        if (!squatter.listen(address, 0)) {
            if (address.protocol() == QAbstractSocket::IPv6Protocol)
                SKIP_OR_FAIL_IN_CI(u"no IPv6 loopback on this machine: "_s +
                                   squatter.errorString());
            QFAIL(qPrintable(squatter.errorString()));
        }
        const int port = squatter.serverPort();
        Harness h(u"serve"_s, port, {}, Harness::quick(), kind);
        h.supervisor->start();
        QCOMPARE(h.supervisor->state(), State::Failed);
        QCOMPARE(h.states, (QList<State>{State::Starting, State::Failed}));
        QCOMPARE(h.supervisor->processId(), 0);
        const QString reason = h.supervisor->failureReason();
        QVERIFY2(reason.contains(u"port %1 is already in use by pid %2"_s.arg(port).arg(
                     QCoreApplication::applicationPid())),
                 qPrintable(reason));
        QVERIFY2(reason.contains(u"tst_backendsupervisor"_s), qPrintable(reason));
        // Never attached to: no backend ran, so nothing it would print is logged.
        QVERIFY(h.lines.isEmpty());
    }

    void floodRotatesLogs()
    {
        runner::SupervisorOptions options = Harness::quick();
        options.logMaxBytes = 64 * 1024;
        options.logBackups = 2;
        const int count = 40'000; // ~4 MB
        Harness h(u"flood"_s, test::freePort(), QString::number(count), options);
        // The event loop must keep turning while the flood is read.
        QElapsedTimer clock;
        qint64 last = 0;
        qint64 worstGap = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, [&] {
            worstGap = qMax(worstGap, clock.elapsed() - last);
            last = clock.elapsed();
        });
        h.supervisor->start();
        QVERIFY(h.waitFor(State::Ready));
        clock.start();
        ticker.start(10);
        QTRY_VERIFY_WITH_TIMEOUT(h.lines.contains(u"flood done"_s), 60'000);
        ticker.stop();
        QVERIFY2(worstGap < 2'000, qPrintable(u"the event loop stalled %1 ms"_s.arg(worstGap)));
        int flood = 0;
        for (const QString &line : std::as_const(h.lines))
            flood += line.startsWith(u"flood line "_s);
        QCOMPARE(flood, count);
        const QString log = h.supervisor->logFilePath();
        for (const QString &path : QStringList{log, log + u".1"_s, log + u".2"_s}) {
            QVERIFY2(QFileInfo::exists(path), qPrintable(path));
            QVERIFY2(QFileInfo(path).size() <= options.logMaxBytes, qPrintable(path));
        }
        QVERIFY(!QFileInfo::exists(log + u".3"_s));
        QVERIFY(readAll(log).contains(u"flood done"_s));
        QVERIFY(h.supervisor->lastLogLines().size() <= options.tailLines);
        QCOMPARE(h.supervisor->lastLogLines().constLast(), u"flood done"_s);
    }

    void invalidUtf8IsReplaced()
    {
        Harness h(u"bad-utf8"_s, test::freePort());
        h.supervisor->start();
        QVERIFY(h.waitFor(State::Ready));
        QTRY_VERIFY(!h.lines.isEmpty());
        const QString line = h.lines.constFirst();
        // Each invalid byte, or truncated sequence, becomes U+FFFD.
        static const QRegularExpression expected(
            u"^caf\\x{FFFD} \\x{FFFD}\\x{FFFD} half \\x{FFFD}+ ok$"_s);
        QVERIFY2(expected.match(line).hasMatch(), qPrintable(line));
        QFile file(h.supervisor->logFilePath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QStringDecoder strict(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString text = strict(file.readAll());
        QVERIFY(!strict.hasError()); // the log file itself is valid UTF-8
        QVERIFY(text.contains(u"caf\uFFFD \uFFFD\uFFFD half \uFFFD"_s));
        QCOMPARE(h.supervisor->state(), State::Ready);
    }

    void restartGivesANewProcess()
    {
        Harness h(u"serve"_s, test::freePort());
        h.supervisor->start();
        QVERIFY(h.waitFor(State::Ready));
        const qint64 first = h.supervisor->processId();
        h.states.clear();
        h.supervisor->restart();
        QTRY_VERIFY_WITH_TIMEOUT(h.states.size() == 4, 15'000);
        QCOMPARE(h.states,
                 (QList<State>{State::Stopping, State::Stopped, State::Starting, State::Ready}));
        QVERIFY(h.supervisor->processId() != first);
        QTRY_VERIFY_WITH_TIMEOUT(livingMembers(first).isEmpty(), 5'000);
    }

    void destructorStopsTheGroup()
    {
        Harness h(u"grandchild"_s, test::freePort());
        h.supervisor->start();
        QVERIFY(h.waitFor(State::Ready));
        const qint64 pid = h.supervisor->processId();
        const qint64 grandchild = readAll(h.data + u"/grandchild.pid"_s).toLongLong();
        QVERIFY(grandchild > 0);
        h.supervisor.reset();
        QTRY_VERIFY_WITH_TIMEOUT(livingMembers(pid).isEmpty(), 5'000);
        QVERIFY(!test::processRunning(grandchild));
    }

    // The launcher's process dies by SIGKILL: PR_SET_PDEATHSIG takes the
    // backend, the parent pipe's watchdog takes the rest of its group.
    void killedLauncherLeavesNothing()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(u"data"_s);
        QProcess host;
        host.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        host.start(
            test::binDir() + u"/supervisor_host"_s,
            {dir.filePath(u"bundle"_s), data, u"grandchild"_s, QString::number(test::freePort())});
        QVERIFY2(host.waitForStarted(), qPrintable(host.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(host.canReadLine(), 15'000);
        const QByteArray line = host.readLine().trimmed();
        QVERIFY2(line.startsWith("ready "), line.constData());
        const qint64 pid = line.mid(6).toLongLong();
        const qint64 grandchild = readAll(data + u"/grandchild.pid"_s).toLongLong();
        QVERIFY(pid > 0 && grandchild > 0);
        QVERIFY(test::processRunning(pid) && test::processRunning(grandchild));
        QVERIFY(livingMembers(pid).size() >= 3); // backend, its watchdog, the grandchild

        host.kill(); // SIGKILL: no destructor, no cleanup of any kind
        QVERIFY(host.waitForFinished());
        QTRY_VERIFY_WITH_TIMEOUT(livingMembers(pid).isEmpty(), 10'000);
        QVERIFY(!test::processRunning(grandchild));
    }
};

QTEST_GUILESS_MAIN(TestBackendSupervisor)
#include "tst_backendsupervisor.moc"
