// SPDX-License-Identifier: MIT
// The Deskpack kernel against jupyter_client + ipykernel, in one run, measured
// the same way (jupyter_bench.py is the peer half):
//   cold start   Kernel::start() until the first trivial cell ("1") has settled
//   round trip   execute("x = 1") → onDone on a warm kernel, p50 and p99
//   streaming    a cell printing LINES lines of 99 characters, until done
//   interrupt    cancel() of a cell in time.sleep(30) → onDone (KeyboardInterrupt), p50
//                and max (Deskpack only; tst_kernelpython checks the behaviour)
#include "runner/kernel/kernel.h"
#include "runner/kernel/kernellaunch.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using namespace deskpack::runner;

namespace {

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t index = std::min(values.size() - 1, size_t(p / 100.0 * double(values.size())));
    return values[index];
}

// Runs `code` and returns once it settled.
void runAndWait(Kernel &kernel, const QString &code, qint64 *chars = nullptr)
{
    QEventLoop loop;
    ExecuteCallbacks callbacks;
    if (chars)
        callbacks.onOutput = [chars](const OutputChunk &chunk) {
            *chars += chunk.text.size();
        };
    callbacks.onDone = [&loop](const ExecuteResult &result) {
        if (result.status != ExecuteStatus::Ok)
            qFatal("benchmark cell failed: %s", qPrintable(result.message));
        loop.quit();
    };
    kernel.execute(code, {}, callbacks);
    loop.exec();
}

std::vector<double> coldStarts(const KernelOptions &options, int count)
{
    std::vector<double> ms;
    for (int i = 0; i < count; ++i) {
        QElapsedTimer clock;
        clock.start();
        Kernel kernel(options);
        kernel.start();
        runAndWait(kernel, u"1"_s);
        ms.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    return ms;
}

std::vector<double> roundTrips(Kernel &kernel, int count)
{
    for (int i = 0; i < 50; ++i)
        runAndWait(kernel, u"x = 1"_s);
    std::vector<double> us;
    us.reserve(size_t(count));
    QEventLoop loop;
    QElapsedTimer clock;
    std::function<void()> next = [&] {
        clock.start();
        ExecuteCallbacks callbacks;
        callbacks.onDone = [&](const ExecuteResult &) {
            us.push_back(double(clock.nsecsElapsed()) / 1e3);
            if (int(us.size()) < count)
                next();
            else
                loop.quit();
        };
        kernel.execute(u"x = 1"_s, {}, callbacks);
    };
    next();
    loop.exec();
    return us;
}

// cancel() of a sleeping cell until it settled, in ms; the kernel must survive.
std::vector<double> interrupts(Kernel &kernel, int count)
{
    std::vector<double> ms;
    for (int i = 0; i < count; ++i) {
        QEventLoop loop;
        QElapsedTimer clock;
        QString id;
        ExecuteCallbacks callbacks;
        callbacks.onOutput = [&](const OutputChunk &) {
            if (!clock.isValid()) { // the cell is in time.sleep now
                clock.start();
                kernel.cancel(id);
            }
        };
        callbacks.onDone = [&](const ExecuteResult &result) {
            if (!result.cancelled || result.kernelKilled || !clock.isValid())
                qFatal("interrupt benchmark: the cell was not interrupted: %s",
                       qPrintable(result.message));
            ms.push_back(double(clock.nsecsElapsed()) / 1e6);
            loop.quit();
        };
        id =
            kernel.execute(u"import time\nprint('s', flush=True)\ntime.sleep(30)"_s, {}, callbacks);
        loop.exec();
    }
    return ms;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption python(u"python"_s, u"Interpreter."_s, u"EXE"_s,
                                    u"/usr/bin/python3"_s);
    const QCommandLineOption starts(u"starts"_s, u"Cold starts."_s, u"N"_s, u"10"_s);
    const QCommandLineOption trips(u"round-trips"_s, u"Round trips."_s, u"N"_s, u"2000"_s);
    const QCommandLineOption lines(u"lines"_s, u"Streamed lines."_s, u"N"_s, u"100000"_s);
    const QCommandLineOption interruptCount(u"interrupts"_s, u"Interrupted cells."_s, u"N"_s,
                                            u"20"_s);
    const QCommandLineOption noPeer(u"no-jupyter"_s, u"Skip jupyter_client + ipykernel."_s);
    const QCommandLineOption json(u"json"_s, u"JSON on stdout."_s);
    parser.addOptions({python, starts, trips, lines, interruptCount, noPeer, json});
    parser.process(app);

    Result<KernelOptions> options = pythonKernelOptions(parser.value(python));
    if (!options)
        qFatal("%s", qPrintable(options.error().message));
    const int lineCount = parser.value(lines).toInt();

    nlohmann::json report;
    const std::vector<double> cold = coldStarts(*options, parser.value(starts).toInt());
    Kernel kernel(*options);
    kernel.start();
    const std::vector<double> rtt = roundTrips(kernel, parser.value(trips).toInt());
    qint64 chars = 0;
    QElapsedTimer clock;
    clock.start();
    runAndWait(kernel, u"for i in range(%1): print('x' * 99)"_s.arg(lineCount), &chars);
    const double streamSeconds = double(clock.nsecsElapsed()) / 1e9;
    const std::vector<double> interrupted =
        interrupts(kernel, parser.value(interruptCount).toInt());
    report["deskpack"] = {{"coldStartMsP50", percentile(cold, 50)},
                          {"roundTripUsP50", percentile(rtt, 50)},
                          {"roundTripUsP99", percentile(rtt, 99)},
                          {"streamMBps", double(chars) / 1e6 / streamSeconds},
                          {"streamChars", chars},
                          {"interruptMsP50", percentile(interrupted, 50)},
                          {"interruptMsMax", percentile(interrupted, 100)}};

    if (!parser.isSet(noPeer)) {
        QTemporaryDir scratch;
        const QString outFile = scratch.filePath(u"jupyter.json"_s);
        QProcess peer;
        peer.setStandardOutputFile(QProcess::nullDevice());
        peer.setStandardErrorFile(QProcess::nullDevice()); // ipykernel's debugger warnings
        peer.start(u"/usr/bin/python3"_s,
                   {QStringLiteral(DESKPACK_SOURCE_DIR "/benchmarks/runner/jupyter_bench.py"),
                    u"--lines"_s, QString::number(lineCount), u"--out"_s, outFile});
        QFile result(outFile);
        if (!peer.waitForFinished(30 * 60 * 1000) || peer.exitCode() != 0 ||
            !result.open(QIODevice::ReadOnly))
            qFatal("jupyter_bench.py failed (are python3-jupyter-client and python3-ipykernel "
                   "installed?)");
        const auto out = nlohmann::json::parse(result.readAll().toStdString());
        const auto jcold = out["coldStartMs"].get<std::vector<double>>();
        const auto jrtt = out["roundTripUs"].get<std::vector<double>>();
        report["jupyter"] = {{"coldStartMsP50", percentile(jcold, 50)},
                             {"roundTripUsP50", percentile(jrtt, 50)},
                             {"roundTripUsP99", percentile(jrtt, 99)},
                             {"streamMBps", out["streamChars"].get<double>() / 1e6 /
                                                out["streamSeconds"].get<double>()},
                             {"streamChars", out["streamChars"]}};
        report["ratio"] = {{"coldStart", percentile(jcold, 50) / percentile(cold, 50)},
                           {"roundTripP50", percentile(jrtt, 50) / percentile(rtt, 50)},
                           {"roundTripP99", percentile(jrtt, 99) / percentile(rtt, 99)}};
    }
    if (parser.isSet(json)) {
        std::printf("%s\n", report.dump(2).c_str());
        return 0;
    }
    const auto row = [&](const char *what, const char *key, const char *unit) {
        std::printf("%-22s %12.1f %s", what, report["deskpack"][key].get<double>(), unit);
        if (report.contains("jupyter"))
            std::printf("   jupyter %12.1f %s", report["jupyter"][key].get<double>(), unit);
        std::printf("\n");
    };
    row("cold start p50", "coldStartMsP50", "ms");
    row("round trip p50", "roundTripUsP50", "us");
    row("round trip p99", "roundTripUsP99", "us");
    row("streaming", "streamMBps", "MB/s");
    std::printf("%-22s %12.2f ms (max %.2f ms, Deskpack only)\n", "interrupt p50",
                report["deskpack"]["interruptMsP50"].get<double>(),
                report["deskpack"]["interruptMsMax"].get<double>());
    if (report.contains("ratio")) {
        std::printf("jupyter/deskpack: cold start %.1fx, round trip p50 %.1fx, p99 %.1fx\n",
                    report["ratio"]["coldStart"].get<double>(),
                    report["ratio"]["roundTripP50"].get<double>(),
                    report["ratio"]["roundTripP99"].get<double>());
    }
    return 0;
}
