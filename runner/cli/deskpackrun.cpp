// SPDX-License-Identifier: MIT
#include "deskpackrun.h"

#include "cellrunner.h"
#include "runner/kernel/kernellaunch.h"
#include "boundarydependencies.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>

#include <set>

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

using Step = CellRunner::Step;

// The sources a deps request uses when it names none.
struct DefaultSources
{
    QStringList findLinks;
    QString indexUrl;
    bool noIndex = false;
};

// A "deps" line of a cells file: {"deps": "install", "plugin": "weather",
// "requirements": [...], "requirementsFile": "...", "findLinks": [...],
// "indexUrl": "...", "noIndex": true, "restart": true}. Relative paths are
// relative to the cells file.
Result<DepsRequest> depsFromJson(const nlohmann::json &object, const QString &where,
                                 const QDir &base, const DefaultSources &defaults)
{
    auto bad = [&](const QString &what) {
        return makeError(ErrorKind::Unreadable, u"%1: %2"_s.arg(where, what));
    };
    const std::set<std::string> known{"deps",      "plugin",   "requirements", "requirementsFile",
                                      "findLinks", "indexUrl", "noIndex",      "restart"};
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.count(it.key()))
            return bad(u"unknown key \"%1\" in a deps request (known: deps, plugin, requirements, "
                       "requirementsFile, findLinks, indexUrl, noIndex, restart)"_s.arg(
                           QString::fromStdString(it.key())));
    }
    auto string = [&](const char *key, QString *out) -> Result<void> {
        const auto it = object.find(key);
        if (it == object.end())
            return {};
        if (!it->is_string())
            return bad(u"$.%1: expected a string"_s.arg(QLatin1StringView(key)));
        *out = QString::fromStdString(it->get_ref<const std::string &>());
        return {};
    };
    auto strings = [&](const char *key, QStringList *out) -> Result<void> {
        const auto it = object.find(key);
        if (it == object.end())
            return {};
        if (!it->is_array())
            return bad(u"$.%1: expected an array of strings"_s.arg(QLatin1StringView(key)));
        for (const auto &item : *it) {
            if (!item.is_string())
                return bad(u"$.%1: expected an array of strings"_s.arg(QLatin1StringView(key)));
            out->append(QString::fromStdString(item.get_ref<const std::string &>()));
        }
        return {};
    };
    auto boolean = [&](const char *key, bool *out) -> Result<void> {
        const auto it = object.find(key);
        if (it == object.end())
            return {};
        if (!it->is_boolean())
            return bad(u"$.%1: expected true or false"_s.arg(QLatin1StringView(key)));
        *out = it->get<bool>();
        return {};
    };
    QString op;
    if (auto r = string("deps", &op); !r)
        return r.error();
    const std::optional<DepsOperation> operation = depsOperationFromName(op);
    if (!operation)
        return bad(
            u"$.deps: expected \"install\", \"uninstall\", \"list\" or \"sync\", got \"%1\""_s.arg(
                op));
    DepsRequest request;
    request.operation = *operation;
    QString requirementsFile;
    for (Result<void> r :
         {string("plugin", &request.plugin), strings("requirements", &request.requirements),
          string("requirementsFile", &requirementsFile), strings("findLinks", &request.findLinks),
          string("indexUrl", &request.indexUrl), boolean("noIndex", &request.noIndex),
          boolean("restart", &request.restart)}) {
        if (!r)
            return r.error();
    }
    const bool needsPlugin = request.operation != DepsOperation::List;
    if (needsPlugin && request.plugin.isEmpty())
        return bad(u"$.plugin: a deps %1 request needs the plugin's name"_s.arg(op));
    const bool takesRequirements =
        request.operation == DepsOperation::Install || request.operation == DepsOperation::Sync;
    if (!takesRequirements &&
        (object.contains("requirements") || object.contains("requirementsFile")))
        return bad(u"a deps %1 request takes no requirements"_s.arg(op));
    if (takesRequirements && !object.contains("requirements") && requirementsFile.isEmpty())
        return bad(u"a deps %1 request needs \"requirements\" or \"requirementsFile\""_s.arg(op));
    if (!requirementsFile.isEmpty())
        request.requirementsFile = base.absoluteFilePath(requirementsFile);
    for (QString &dir : request.findLinks)
        dir = base.absoluteFilePath(dir);
    if (!object.contains("findLinks") && !object.contains("indexUrl") &&
        !object.contains("noIndex")) {
        request.findLinks = defaults.findLinks;
        request.indexUrl = defaults.indexUrl;
        request.noIndex = defaults.noIndex;
    }
    return request;
}

// One {"code": "..."} or {"deps": ...} object per line; blank lines are skipped.
Result<QList<Step>> readSteps(const QString &path, const DefaultSources &defaults)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    }
    const QDir base = QFileInfo(path).absoluteDir();
    QList<Step> steps;
    int lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        ++lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        const QString where = u"%1:%2"_s.arg(path).arg(lineNumber);
        const auto object =
            nlohmann::json::parse(line.constData(), line.constData() + line.size(), nullptr, false);
        if (object.is_object() && object.contains("deps")) {
            Result<DepsRequest> request = depsFromJson(object, where, base, defaults);
            if (!request)
                return request.error();
            steps.append({{}, std::move(*request)});
            continue;
        }
        const auto code = object.is_object() ? object.find("code") : object.end();
        if (object.is_discarded() || !object.is_object() || code == object.end() ||
            !code->is_string()) {
            return makeError(ErrorKind::Unreadable,
                             u"%1: expected a JSON object with a string \"code\", like "
                             "{\"code\": \"print(1)\"}, or a deps request, like {\"deps\": "
                             "\"list\"}"_s.arg(where));
        }
        steps.append({QString::fromStdString(code->get_ref<const std::string &>()), {}});
    }
    return steps;
}

} // namespace

int runDeskpackRun(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Runs Python code in a Deskpack kernel, exactly as a bundle's backend sees Python.\n"
        "Dependency operations (--deps-*, or {\"deps\": ...} lines in --cells) go through the "
        "bundle's plugin site-packages boundary and need --bundle; cells given with them run "
        "afterwards.\n"
        "Exit codes: 0 ok, 1 a cell raised or its output was lost, or a dependency change was "
        "refused (a clash), 2 usage or bad input, 3 no interpreter, pip or the disk failed, "
        "124 timed out, 130 interrupted."_s);
    const QCommandLineOption python(u"python"_s, u"The interpreter."_s, u"EXE"_s);
    const QCommandLineOption bundle(u"bundle"_s, u"A bundle: its interpreter and environment."_s,
                                    u"BUNDLE"_s);
    const QCommandLineOption dataDir(u"data-dir"_s, u"User data directory (with --bundle)."_s,
                                     u"DIR"_s);
    const QCommandLineOption code(QStringList{u"c"_s}, u"Run CODE as one cell."_s, u"CODE"_s);
    const QCommandLineOption cells(u"cells"_s,
                                   u"Run each {\"code\": ...} line as a cell, in "
                                   "one kernel, and each {\"deps\": ...} line as a "
                                   "dependency request, stopping at the first failure."_s,
                                   u"FILE.ndjson"_s);
    const QCommandLineOption repl(u"repl"_s, u"Read cells from stdin; Ctrl-C interrupts the "
                                             "running cell."_s);
    const QCommandLineOption timeout(u"timeout"_s, u"Per-cell time limit (exit 124)."_s,
                                     u"SECONDS"_s);
    const QCommandLineOption json(u"json"_s, u"Frames as NDJSON on stdout."_s);
    const QCommandLineOption depsInstall(
        u"deps-install"_s, u"Add the requirements of -r to plugin NAME's and install them."_s,
        u"NAME"_s);
    const QCommandLineOption depsSync(
        u"deps-sync"_s,
        u"Make plugin NAME's requirements exactly those of -r (an empty file removes it)."_s,
        u"NAME"_s);
    const QCommandLineOption depsUninstall(
        u"deps-uninstall"_s, u"Remove plugin NAME and the distributions only it owned."_s,
        u"NAME"_s);
    const QCommandLineOption depsList(u"deps-list"_s,
                                      u"List plugins, their distributions and the quarantine."_s);
    const QCommandLineOption requirements(QStringList{u"r"_s, u"requirement"_s},
                                          u"A plugin requirements file."_s, u"FILE"_s);
    const QCommandLineOption findLinks(u"find-links"_s, u"Look for wheels in DIR (repeatable)."_s,
                                       u"DIR"_s);
    const QCommandLineOption indexUrl(u"index-url"_s, u"A PEP 503 package index."_s, u"URL"_s);
    const QCommandLineOption noIndex(u"no-index"_s, u"Use no package index."_s);
    const QCommandLineOption capabilities(u"capabilities"_s,
                                          u"Print what this kernel can do (JSON) and exit."_s);
    parser.addOptions({python, bundle, dataDir, code, cells, repl, timeout, json, depsInstall,
                       depsSync, depsUninstall, depsList, requirements, findLinks, indexUrl,
                       noIndex, capabilities});
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
    const int depsActions = int(parser.isSet(depsInstall)) + int(parser.isSet(depsSync)) +
                            int(parser.isSet(depsUninstall)) + int(parser.isSet(depsList));
    if (depsActions > 1)
        return usage(u"give at most one of --deps-install, --deps-sync, --deps-uninstall and "
                     "--deps-list"_s);
    const int modes = int(parser.isSet(code)) + int(parser.isSet(cells)) + int(parser.isSet(repl));
    if (modes > 1 || (modes == 0 && depsActions == 0 && !parser.isSet(capabilities)))
        return usage(u"give exactly one of -c CODE, --cells FILE and --repl (or a --deps-* "
                     "operation)"_s);
    const bool takesRequirements = parser.isSet(depsInstall) || parser.isSet(depsSync);
    if (parser.isSet(requirements) && !takesRequirements)
        return usage(u"-r goes with --deps-install or --deps-sync"_s);
    if (takesRequirements && !parser.isSet(requirements))
        return usage(u"--deps-install and --deps-sync need -r REQUIREMENTS"_s);
    if (parser.values(requirements).size() > 1)
        return usage(u"give one -r REQUIREMENTS file"_s);
    const bool sourcesGiven =
        parser.isSet(findLinks) || parser.isSet(indexUrl) || parser.isSet(noIndex);
    if (sourcesGiven && !takesRequirements && !parser.isSet(cells) && !parser.isSet(repl))
        return usage(u"--find-links, --index-url and --no-index go with --deps-install, "
                     "--deps-sync, or --cells / --repl with deps requests"_s);
    if (parser.isSet(python) && (depsActions > 0 || sourcesGiven))
        return usage(u"dependency operations need --bundle BUNDLE [--data-dir DIR]: a bare "
                     "interpreter (--python) has no plugin site-packages to install into"_s);
    DefaultSources sources;
    for (const QString &dir : parser.values(findLinks))
        sources.findLinks.append(QFileInfo(dir).absoluteFilePath());
    sources.indexUrl = parser.value(indexUrl);
    sources.noIndex = parser.isSet(noIndex);

    CellRunner::Config config;
    config.depsDefaults.findLinks = sources.findLinks;
    config.depsDefaults.indexUrl = sources.indexUrl;
    config.depsDefaults.noIndex = sources.noIndex;
    if (depsActions > 0) {
        DepsRequest request;
        if (parser.isSet(depsInstall)) {
            request.operation = DepsOperation::Install;
            request.plugin = parser.value(depsInstall);
        } else if (parser.isSet(depsSync)) {
            request.operation = DepsOperation::Sync;
            request.plugin = parser.value(depsSync);
        } else if (parser.isSet(depsUninstall)) {
            request.operation = DepsOperation::Uninstall;
            request.plugin = parser.value(depsUninstall);
        }
        if (takesRequirements)
            request.requirementsFile = QFileInfo(parser.value(requirements)).absoluteFilePath();
        request.findLinks = sources.findLinks;
        request.indexUrl = sources.indexUrl;
        request.noIndex = sources.noIndex;
        config.steps.append({{}, std::move(request)});
    }
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
        config.steps.append({parser.value(code), {}});
    } else if (parser.isSet(cells)) {
        Result<QList<Step>> read = readSteps(parser.value(cells), sources);
        if (!read)
            return usage(read.error().message);
        config.steps += *read;
        if (config.steps.isEmpty() && !parser.isSet(capabilities))
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
    if (parser.isSet(bundle)) {
        // The kernel's data dir (given, or the platform default) holds the plugin site-packages.
        config.dependencies = std::make_shared<plugins::BoundaryDependencies>(
            parser.value(bundle), config.kernel.environment.value(u"DESKPACK_DATA_DIR"_s));
    }
    if (parser.isSet(capabilities)) {
        KernelSession session(config.kernel);
        session.setDependencies(config.dependencies);
        const std::string text = session.capabilities().toJson().dump(2) + '\n';
        std::fwrite(text.data(), 1, text.size(), stdout);
        return RunOk;
    }
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
