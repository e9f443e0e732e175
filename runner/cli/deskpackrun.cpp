// SPDX-License-Identifier: MIT
#include "deskpackrun.h"

#include "cellrunner.h"
#include "kernellaunch.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner::cli {

namespace {

int usage(const QString &message)
{
    const QByteArray text =
        u"deskpack-run: %1\nRun 'deskpack-run --help' for usage.\n"_s.arg(message).toUtf8();
    std::fwrite(text.constData(), 1, size_t(text.size()), stderr);
    return RunUsage;
}

int environmentFailure(const QString &message)
{
    const QByteArray text = u"deskpack-run: %1\n"_s.arg(message).toUtf8();
    std::fwrite(text.constData(), 1, size_t(text.size()), stderr);
    return RunNoInterpreter;
}

// One {"code": "..."} object per line; blank lines are skipped.
Result<QStringList> readCells(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    }
    QStringList cells;
    int lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        ++lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        const auto object =
            nlohmann::json::parse(line.constData(), line.constData() + line.size(), nullptr, false);
        const auto code = object.is_object() ? object.find("code") : object.end();
        if (object.is_discarded() || !object.is_object() || code == object.end() ||
            !code->is_string()) {
            return makeError(ErrorKind::Unreadable,
                             u"%1:%2: expected a JSON object with a string "
                             "\"code\", like {\"code\": \"print(1)\"}"_s.arg(path)
                                 .arg(lineNumber));
        }
        cells.append(QString::fromStdString(code->get_ref<const std::string &>()));
    }
    return cells;
}

} // namespace

int runDeskpackRun(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Runs Python code in a Deskpack kernel, exactly as a bundle's backend sees Python.\n"
        "Exit codes: 0 ok, 1 a cell raised or its output was lost, 2 usage, 3 no interpreter, "
        "124 timed out, 130 interrupted."_s);
    const QCommandLineOption python(u"python"_s, u"The interpreter."_s, u"EXE"_s);
    const QCommandLineOption bundle(u"bundle"_s, u"A bundle: its interpreter and environment."_s,
                                    u"BUNDLE"_s);
    const QCommandLineOption dataDir(u"data-dir"_s, u"User data directory (with --bundle)."_s,
                                     u"DIR"_s);
    const QCommandLineOption code(QStringList{u"c"_s}, u"Run CODE as one cell."_s, u"CODE"_s);
    const QCommandLineOption cells(u"cells"_s,
                                   u"Run each {\"code\": ...} line as a cell, in "
                                   "one kernel, stopping at the first failure."_s,
                                   u"FILE.ndjson"_s);
    const QCommandLineOption repl(u"repl"_s, u"Read cells from stdin; Ctrl-C interrupts the "
                                             "running cell."_s);
    const QCommandLineOption timeout(u"timeout"_s, u"Per-cell time limit (exit 124)."_s,
                                     u"SECONDS"_s);
    const QCommandLineOption json(u"json"_s, u"Frames as NDJSON on stdout."_s);
    parser.addOptions({python, bundle, dataDir, code, cells, repl, timeout, json});
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    if (!parser.parse(QStringList{u"deskpack-run"_s} + arguments))
        return usage(parser.errorText());
    if (parser.isSet(help) || parser.isSet(version)) {
        const QByteArray text =
            (parser.isSet(help)
                 ? parser.helpText()
                 : u"deskpack-run %1\n"_s.arg(QCoreApplication::applicationVersion()))
                .toUtf8();
        std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
        return RunOk;
    }
    if (!parser.positionalArguments().isEmpty())
        return usage(u"unexpected argument '%1'"_s.arg(parser.positionalArguments().first()));
    if (parser.isSet(python) == parser.isSet(bundle))
        return usage(u"give exactly one of --python EXE and --bundle BUNDLE"_s);
    if (parser.isSet(dataDir) && !parser.isSet(bundle))
        return usage(u"--data-dir only goes with --bundle"_s);
    if (int(parser.isSet(code)) + int(parser.isSet(cells)) + int(parser.isSet(repl)) != 1)
        return usage(u"give exactly one of -c CODE, --cells FILE and --repl"_s);

    CellRunner::Config config;
    config.repl = parser.isSet(repl);
    config.json = parser.isSet(json);
    if (parser.isSet(timeout)) {
        bool ok = false;
        const double seconds = parser.value(timeout).toDouble(&ok);
        if (!ok || seconds <= 0 || seconds > 24 * 3600)
            return usage(u"--timeout wants a positive number of seconds, not '%1'"_s.arg(
                parser.value(timeout)));
        config.timeoutMs = qMax(1, int(seconds * 1000));
    }
    if (parser.isSet(code)) {
        config.cells = {parser.value(code)};
    } else if (parser.isSet(cells)) {
        Result<QStringList> read = readCells(parser.value(cells));
        if (!read)
            return usage(read.error().message);
        config.cells = std::move(read.value());
        if (config.cells.isEmpty())
            return RunOk;
    }
    Result<KernelOptions> kernel =
        parser.isSet(python) ? pythonKernelOptions(parser.value(python))
                             : bundleKernelOptions(parser.value(bundle), parser.value(dataDir));
    if (!kernel) {
        return kernel.error().kind == ErrorKind::Environment
                   ? environmentFailure(kernel.error().message)
                   : usage(kernel.error().message);
    }
    config.kernel = std::move(kernel.value());
    // The host's frame limit, for tests and diagnosis (docs/runner.md, "Oversized frames").
    if (const QString limit = qEnvironmentVariable("DESKPACK_RUN_MAX_FRAME_BYTES");
        !limit.isEmpty()) {
        bool ok = false;
        const qint64 bytes = limit.toLongLong(&ok);
        if (!ok || bytes < 4096)
            return usage(u"DESKPACK_RUN_MAX_FRAME_BYTES wants a number of bytes of at "
                         "least 4096, not '%1'"_s.arg(limit));
        config.kernel.maxFrameBytes = bytes;
    }

    CellRunner runner(std::move(config));
    QEventLoop loop;
    int exitCode = RunOk;
    QObject::connect(&runner, &CellRunner::finished, &loop, [&](int code) {
        exitCode = code;
        loop.quit();
    });
    runner.start();
    loop.exec();
    return exitCode;
}

} // namespace deskpack::runner::cli
