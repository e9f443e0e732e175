// SPDX-License-Identifier: MIT
#include "deskpackrun.h"

#include "cellrunner.h"
#include "base/terminal.h"
#include "boundarydependencies.h"
#include "cellsfile.h"
#include "runner/kernel/kernellaunch.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFileInfo>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner::cli {

namespace {

int usage(const QString &message)
{
    printText(stderr, u"deskpack-run: %1\nRun 'deskpack-run --help' for usage.\n"_s.arg(message));
    return RunUsage;
}

int environmentFailure(const QString &message)
{
    printText(stderr, u"deskpack-run: %1\n"_s.arg(message));
    return RunNoInterpreter;
}

using Step = CellRunner::Step;

// deskpack-run's options, declared once for the parser and the checks.
struct RunOptions
{
    QCommandLineOption python{u"python"_s, u"The interpreter."_s, u"EXE"_s};
    QCommandLineOption bundle{u"bundle"_s, u"A bundle: its interpreter and environment."_s,
                              u"BUNDLE"_s};
    QCommandLineOption dataDir{u"data-dir"_s, u"User data directory (with --bundle)."_s, u"DIR"_s};
    QCommandLineOption code{QStringList{u"c"_s}, u"Run CODE as one cell."_s, u"CODE"_s};
    QCommandLineOption cells{u"cells"_s,
                             u"Run each {\"code\": ...} line as a cell, in "
                             "one kernel, and each {\"deps\": ...} line as a "
                             "dependency request, stopping at the first failure."_s,
                             u"FILE.ndjson"_s};
    QCommandLineOption repl{u"repl"_s, u"Read cells from stdin; Ctrl-C interrupts the "
                                       "running cell."_s};
    QCommandLineOption timeout{u"timeout"_s, u"Per-cell time limit (exit 124)."_s, u"SECONDS"_s};
    QCommandLineOption json{u"json"_s, u"Frames as NDJSON on stdout."_s};
    QCommandLineOption depsInstall{
        u"deps-install"_s, u"Add the requirements of -r to plugin NAME's and install them."_s,
        u"NAME"_s};
    QCommandLineOption depsSync{
        u"deps-sync"_s,
        u"Make plugin NAME's requirements exactly those of -r (an empty file removes it)."_s,
        u"NAME"_s};
    QCommandLineOption depsUninstall{u"deps-uninstall"_s,
                                     u"Remove plugin NAME and the distributions only it owned."_s,
                                     u"NAME"_s};
    QCommandLineOption depsList{u"deps-list"_s,
                                u"List plugins, their distributions and the quarantine."_s};
    QCommandLineOption requirements{QStringList{u"r"_s, u"requirement"_s},
                                    u"A plugin requirements file."_s, u"FILE"_s};
    QCommandLineOption findLinks{u"find-links"_s, u"Look for wheels in DIR (repeatable)."_s,
                                 u"DIR"_s};
    QCommandLineOption indexUrl{u"index-url"_s, u"A PEP 503 package index."_s, u"URL"_s};
    QCommandLineOption noIndex{u"no-index"_s, u"Use no package index."_s};
    QCommandLineOption capabilities{u"capabilities"_s,
                                    u"Print what this kernel can do (JSON) and exit."_s};

    QList<QCommandLineOption> all() const
    {
        return {python,       bundle,    dataDir,     code,     cells,         repl,
                timeout,      json,      depsInstall, depsSync, depsUninstall, depsList,
                requirements, findLinks, indexUrl,    noIndex,  capabilities};
    }
};

// The parsed command line and its options.
struct CommandLine
{
    QCommandLineParser parser;
    RunOptions options;

    bool isSet(const QCommandLineOption &option) const { return parser.isSet(option); }
    QString value(const QCommandLineOption &option) const { return parser.value(option); }

    int depsActions() const
    {
        return int(isSet(options.depsInstall)) + int(isSet(options.depsSync)) +
               int(isSet(options.depsUninstall)) + int(isSet(options.depsList));
    }
    bool takesRequirements() const { return isSet(options.depsInstall) || isSet(options.depsSync); }
    bool sourcesGiven() const
    {
        return isSet(options.findLinks) || isSet(options.indexUrl) || isSet(options.noIndex);
    }
};

// Parses `arguments`; an exit code when that already ended the run (an error, --help,
// --version).
std::optional<int> parseArguments(CommandLine &line, const QStringList &arguments)
{
    QCommandLineParser &parser = line.parser;
    parser.setApplicationDescription(
        u"Runs Python code in a Deskpack kernel, exactly as a bundle's backend sees Python.\n"
        "Dependency operations (--deps-*, or {\"deps\": ...} lines in --cells) go through the "
        "bundle's plugin site-packages boundary and need --bundle; cells given with them run "
        "afterwards.\n"
        "Exit codes: 0 ok, 1 a cell raised or its output was lost, or a dependency change was "
        "refused (a clash), 2 usage or bad input, 3 no interpreter, pip or the disk failed, "
        "124 timed out, 130 interrupted."_s);
    parser.addOptions(line.options.all());
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    if (!parser.parse(QStringList{u"deskpack-run"_s} + arguments))
        return usage(parser.errorText());
    if (parser.isSet(help) || parser.isSet(version)) {
        printText(stdout, parser.isSet(help) ? parser.helpText()
                                             : u"deskpack-run %1\n"_s.arg(
                                                   QCoreApplication::applicationVersion()));
        return RunOk;
    }
    return std::nullopt;
}

// Options that do not go together; the usage exit code when some are given.
std::optional<int> checkCombination(const CommandLine &line)
{
    const RunOptions &o = line.options;
    if (!line.parser.positionalArguments().isEmpty())
        return usage(u"unexpected argument '%1'"_s.arg(line.parser.positionalArguments().first()));
    if (line.isSet(o.python) == line.isSet(o.bundle))
        return usage(u"give exactly one of --python EXE and --bundle BUNDLE"_s);
    if (line.isSet(o.dataDir) && !line.isSet(o.bundle))
        return usage(u"--data-dir only goes with --bundle"_s);
    const int depsActions = line.depsActions();
    if (depsActions > 1)
        return usage(u"give at most one of --deps-install, --deps-sync, --deps-uninstall and "
                     "--deps-list"_s);
    const int modes = int(line.isSet(o.code)) + int(line.isSet(o.cells)) + int(line.isSet(o.repl));
    if (modes > 1 || (modes == 0 && depsActions == 0 && !line.isSet(o.capabilities)))
        return usage(u"give exactly one of -c CODE, --cells FILE and --repl (or a --deps-* "
                     "operation)"_s);
    const bool takesRequirements = line.takesRequirements();
    if (line.isSet(o.requirements) && !takesRequirements)
        return usage(u"-r goes with --deps-install or --deps-sync"_s);
    if (takesRequirements && !line.isSet(o.requirements))
        return usage(u"--deps-install and --deps-sync need -r REQUIREMENTS"_s);
    if (line.parser.values(o.requirements).size() > 1)
        return usage(u"give one -r REQUIREMENTS file"_s);
    const bool sourcesGiven = line.sourcesGiven();
    if (sourcesGiven && !takesRequirements && !line.isSet(o.cells) && !line.isSet(o.repl))
        return usage(u"--find-links, --index-url and --no-index go with --deps-install, "
                     "--deps-sync, or --cells / --repl with deps requests"_s);
    if (line.isSet(o.python) && (depsActions > 0 || sourcesGiven))
        return usage(u"dependency operations need --bundle BUNDLE [--data-dir DIR]: a bare "
                     "interpreter (--python) has no plugin site-packages to install into"_s);
    return std::nullopt;
}

DefaultSources sourcesFrom(const CommandLine &line)
{
    DefaultSources sources;
    for (const QString &dir : line.parser.values(line.options.findLinks))
        sources.findLinks.append(QFileInfo(dir).absoluteFilePath());
    sources.indexUrl = line.value(line.options.indexUrl);
    sources.noIndex = line.isSet(line.options.noIndex);
    return sources;
}

// The --deps-* operation of the command line.
DepsRequest depsFromOptions(const CommandLine &line, const DefaultSources &sources)
{
    const RunOptions &o = line.options;
    DepsRequest request;
    if (line.isSet(o.depsInstall)) {
        request.operation = DepsOperation::Install;
        request.plugin = line.value(o.depsInstall);
    } else if (line.isSet(o.depsSync)) {
        request.operation = DepsOperation::Sync;
        request.plugin = line.value(o.depsSync);
    } else if (line.isSet(o.depsUninstall)) {
        request.operation = DepsOperation::Uninstall;
        request.plugin = line.value(o.depsUninstall);
    }
    if (line.takesRequirements())
        request.requirementsFile = QFileInfo(line.value(o.requirements)).absoluteFilePath();
    request.findLinks = sources.findLinks;
    request.indexUrl = sources.indexUrl;
    request.noIndex = sources.noIndex;
    return request;
}

// The steps to run, the mode and the time limit; an exit code when the input is bad or
// there is nothing to run.
std::optional<int> configureSteps(const CommandLine &line, CellRunner::Config &config)
{
    const RunOptions &o = line.options;
    const DefaultSources sources = sourcesFrom(line);
    config.depsDefaults.findLinks = sources.findLinks;
    config.depsDefaults.indexUrl = sources.indexUrl;
    config.depsDefaults.noIndex = sources.noIndex;
    if (line.depsActions() > 0)
        config.steps.append({{}, depsFromOptions(line, sources)});
    config.repl = line.isSet(o.repl);
    config.json = line.isSet(o.json);
    if (line.isSet(o.timeout)) {
        bool ok = false;
        const double seconds = line.value(o.timeout).toDouble(&ok);
        if (!ok || seconds <= 0 || seconds > 24 * 3600)
            return usage(u"--timeout wants a positive number of seconds, not '%1'"_s.arg(
                line.value(o.timeout)));
        config.timeoutMs = qMax(1, int(seconds * 1000));
    }
    if (line.isSet(o.code)) {
        config.steps.append({line.value(o.code), {}});
    } else if (line.isSet(o.cells)) {
        Result<QList<Step>> read = readSteps(line.value(o.cells), sources);
        if (!read)
            return usage(read.error().message);
        config.steps += *read;
        if (config.steps.isEmpty() && !line.isSet(o.capabilities))
            return RunOk;
    }
    return std::nullopt;
}

// The interpreter (bare or a bundle's) and, for a bundle, its plugin boundary; an exit
// code when there is none.
std::optional<int> configureKernel(const CommandLine &line, CellRunner::Config &config)
{
    const RunOptions &o = line.options;
    Result<KernelOptions> kernel =
        line.isSet(o.python) ? pythonKernelOptions(line.value(o.python))
                             : bundleKernelOptions(line.value(o.bundle), line.value(o.dataDir));
    if (!kernel) {
        return kernel.error().kind == ErrorKind::Environment
                   ? environmentFailure(kernel.error().message)
                   : usage(kernel.error().message);
    }
    config.kernel = std::move(kernel.value());
    if (line.isSet(o.bundle)) {
        // The kernel's data dir (given, or the platform default) holds the plugin site-packages.
        config.dependencies = std::make_shared<plugins::BoundaryDependencies>(
            line.value(o.bundle), config.kernel.environment.value(u"DESKPACK_DATA_DIR"_s));
    }
    return std::nullopt;
}

int printCapabilities(const CellRunner::Config &config)
{
    KernelSession session(config.kernel);
    session.setDependencies(config.dependencies);
    printJson(session.capabilities().toJson());
    return RunOk;
}

// The host's frame limit, for tests and diagnosis (docs/runner.md, "Oversized frames").
std::optional<int> applyFrameLimit(KernelOptions &kernel)
{
    const QString limit = qEnvironmentVariable("DESKPACK_RUN_MAX_FRAME_BYTES");
    if (limit.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 bytes = limit.toLongLong(&ok);
    if (!ok || bytes < 4096)
        return usage(u"DESKPACK_RUN_MAX_FRAME_BYTES wants a number of bytes of at "
                     "least 4096, not '%1'"_s.arg(limit));
    kernel.maxFrameBytes = bytes;
    return std::nullopt;
}

int runSteps(CellRunner::Config config)
{
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

} // namespace

int runDeskpackRun(const QStringList &arguments)
{
    CommandLine line;
    if (std::optional<int> done = parseArguments(line, arguments))
        return *done;
    if (std::optional<int> bad = checkCombination(line))
        return *bad;
    CellRunner::Config config;
    if (std::optional<int> done = configureSteps(line, config))
        return *done;
    if (std::optional<int> failed = configureKernel(line, config))
        return *failed;
    if (line.isSet(line.options.capabilities))
        return printCapabilities(config);
    if (std::optional<int> bad = applyFrameLimit(config.kernel))
        return *bad;
    return runSteps(std::move(config));
}

} // namespace deskpack::runner::cli
