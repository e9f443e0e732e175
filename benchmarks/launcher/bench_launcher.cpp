// SPDX-License-Identifier: MIT
// Supervisor overhead, in one run: the time from BackendSupervisor::start()
// to Ready, against starting the same backend (same interpreter, arguments,
// environment and working directory) with a bare QProcess and polling the
// same readiness probe at the same interval. Rounds alternate which goes
// first; one warm-up round is discarded. Both sides stop their backend and
// wait for the port to be free again, untimed.
//
//   bench_launcher --bundle BUNDLE [--repeat N] [--interval MS] [--json]
#include "runner/supervisor/backendsupervisor.h"
#include "runner/supervisor/readinessprobe.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>

using namespace deskpack;
using namespace deskpack::runner;
using namespace Qt::Literals::StringLiterals;

namespace {

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

void waitForFreePort(const formats::Readiness &readiness)
{
    const int port = readinessPort(readiness);
    for (int i = 0; port > 0 && i < 500 && findPortOwner(port); ++i)
        QThread::msleep(10);
}

// Returns ms from start() to Ready, or -1.
double supervised(const BackendLaunchPlan &plan, int intervalMs)
{
    SupervisorOptions options;
    options.probeIntervalMs = intervalMs;
    BackendSupervisor supervisor(plan, options);
    QEventLoop loop;
    QObject::connect(&supervisor, &BackendSupervisor::stateChanged, &loop,
                     [&](BackendSupervisor::State state) {
                         if (state == BackendSupervisor::State::Ready ||
                             state == BackendSupervisor::State::Failed ||
                             state == BackendSupervisor::State::Stopped)
                             loop.quit();
                     });
    QElapsedTimer clock;
    clock.start();
    supervisor.start();
    if (supervisor.state() == BackendSupervisor::State::Starting)
        loop.exec();
    const double ms = clock.nsecsElapsed() / 1e6;
    if (supervisor.state() != BackendSupervisor::State::Ready) {
        std::fprintf(stderr, "supervisor: %s\n", qPrintable(supervisor.failureReason()));
        return -1;
    }
    supervisor.stop();
    loop.exec(); // Stopped
    waitForFreePort(plan.readiness);
    return ms;
}

double bare(const BackendLaunchPlan &plan, int intervalMs)
{
    QProcess process;
    process.setProgram(plan.program);
    process.setArguments(plan.arguments);
    process.setProcessEnvironment(plan.environment);
    process.setWorkingDirectory(plan.workingDirectory);
    process.setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(&process, &QProcess::readyRead, [&] { process.readAll(); });
    ReadinessProbe probe;
    QEventLoop loop;
    QObject::connect(&probe, &ReadinessProbe::ready, &loop, &QEventLoop::quit);
    QObject::connect(&process, &QProcess::finished, &loop, &QEventLoop::quit);
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    process.start();
    probe.start(plan.readiness, {}, intervalMs);
    deadline.start(plan.readiness.timeoutSeconds * 1000);
    loop.exec();
    const double ms = clock.nsecsElapsed() / 1e6;
    const bool ok =
        probe.isActive() == false && process.state() == QProcess::Running && deadline.isActive();
    process.terminate();
    if (!process.waitForFinished(5000)) {
        process.kill();
        process.waitForFinished();
    }
    waitForFreePort(plan.readiness);
    return ok ? ms : -1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({u"bundle"_s, u"A built bundle (deskpack build)."_s, u"DIR"_s});
    parser.addOption({u"repeat"_s, u"Timed rounds (default 15)."_s, u"N"_s, u"15"_s});
    parser.addOption(
        {u"interval"_s, u"Probe interval in ms, both sides (default 5)."_s, u"MS"_s, u"5"_s});
    parser.addOption({u"json"_s, u"Print the result as JSON."_s});
    parser.process(app);
    if (!parser.isSet(u"bundle"_s)) {
        std::fprintf(stderr, "bench_launcher: --bundle DIR is required\n");
        return 2;
    }
    QTemporaryDir data;
    Result<BackendLaunchPlan> plan =
        backendLaunchPlan(parser.value(u"bundle"_s), data.filePath(u"data"_s));
    if (!plan) {
        std::fprintf(stderr, "bench_launcher: %s\n", qPrintable(plan.error().message));
        return 2;
    }
    if (plan->readiness.kind == formats::Readiness::Kind::Heartbeat) {
        std::fprintf(stderr, "bench_launcher: needs an HTTP or TCP probe\n");
        return 2;
    }
    const int repeat = qMax(1, parser.value(u"repeat"_s).toInt());
    const int interval = qMax(1, parser.value(u"interval"_s).toInt());
    std::vector<double> sup, raw, diff;
    for (int round = 0; round <= repeat; ++round) {
        double s = 0, r = 0;
        if (round % 2) {
            r = bare(*plan, interval);
            s = supervised(*plan, interval);
        } else {
            s = supervised(*plan, interval);
            r = bare(*plan, interval);
        }
        if (s < 0 || r < 0)
            return 1;
        if (round == 0)
            continue; // warm-up
        sup.push_back(s);
        raw.push_back(r);
        diff.push_back(s - r);
    }
    const nlohmann::json result = {{"rounds", repeat},
                                   {"probeIntervalMs", interval},
                                   {"probe", plan->readiness.url.toStdString()},
                                   {"supervisorMedianMs", median(sup)},
                                   {"bareMedianMs", median(raw)},
                                   {"overheadMedianMs", median(diff)},
                                   {"supervisorMs", sup},
                                   {"bareMs", raw}};
    if (parser.isSet(u"json"_s)) {
        std::printf("%s\n", result.dump(2).c_str());
    } else {
        std::printf("start to ready, median of %d: supervisor %.1f ms, bare QProcess + probe "
                    "%.1f ms, overhead (median of paired differences) %.1f ms\n",
                    repeat, median(sup), median(raw), median(diff));
    }
    return 0;
}
