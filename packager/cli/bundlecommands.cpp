// SPDX-License-Identifier: MIT
#include "bundlecommands.h"

#include "bundle/bundlebuilder.h"
#include "commandline.h"
#include "lock/lockvalidator.h"
#include "lock/sitepackages.h"
#include "runner/bundlemanifest.h"
#include "runtime/elfaudit.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <cstdio>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

using nlohmann::json;

namespace deskpack::cli {

namespace {

const QCommandLineOption jsonOption(QStringLiteral("json"),
                                    QStringLiteral("Machine-readable summary on stdout."));

bool stderrIsTerminal()
{
#ifdef Q_OS_UNIX
    return ::isatty(fileno(stderr));
#else
    return false;
#endif
}

// The launcher every bundle ships: built (and installed) beside deskpack.
QString builtLauncher()
{
    return QCoreApplication::applicationDirPath() + QStringLiteral("/deskpack-launcher");
}

} // namespace

int runBuildCommand(const QStringList &arguments)
{
    const QString command = QStringLiteral("deskpack build");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Builds the relocatable app bundle described by APP.json (see docs/app-config.md)."));
    const QCommandLineOption out(
        QStringLiteral("out"),
        QStringLiteral("Write the bundle under DIR (default: dist/ beside APP.json)."),
        QStringLiteral("DIR"));
    const QCommandLineOption cache(QStringLiteral("cache-dir"),
                                   QStringLiteral("Runtime extraction cache (default: "
                                                  "$XDG_CACHE_HOME/deskpack/runtimes)."),
                                   QStringLiteral("DIR"));
    parser.addOptions({out, cache, jsonOption});
    parser.addPositionalArgument(QStringLiteral("APP.json"), QStringLiteral("The app config."));
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, QStringLiteral("expected exactly one APP.json"));

    bundle::BuildOptions options;
    options.configPath = parser.positionalArguments().constFirst();
    options.outDir = parser.value(out);
    options.cacheDir = parser.value(cache);
    options.launcher = builtLauncher();
    const bool terminal = stderrIsTerminal();
    options.progress = [terminal](int phase, int phases, const QString &what) {
        // A live line on a terminal; plain lines in logs.
        printErr(
            terminal
                ? QStringLiteral("\r\033[K[%1/%2] %3").arg(phase).arg(phases).arg(what)
                : QStringLiteral("deskpack build: [%1/%2] %3\n").arg(phase).arg(phases).arg(what));
    };
    Result<bundle::BuildResult> built = bundle::buildBundle(options);
    if (terminal)
        printErr(QStringLiteral("\r\033[K"));
    if (!built)
        return fail(built.error());
    const bundle::BuildResult &r = *built;
    for (const lock::Problem &p : r.lockWarnings)
        printErr(p.toString() + u'\n');
    if (parser.isSet(jsonOption)) {
        json phases = json::object();
        for (const bundle::PhaseTiming &p : r.phases)
            phases[p.name.toStdString()] = p.milliseconds;
        printJson({{"bundle", r.bundleDir.toStdString()},
                   {"log", r.logFile.toStdString()},
                   {"bytes", r.bytes},
                   {"files", r.files},
                   {"runtimeSourceBytes", r.runtimeSourceBytes},
                   {"pythonVersion", r.pythonVersion.toStdString()},
                   {"distributions", r.distributions},
                   {"launcher", r.launcherIncluded},
                   {"runtimeFromCache", r.runtimeFromCache},
                   {"pip",
                    {{"source", r.pipSource.toStdString()},
                     {"version", r.pipVersion.toStdString()},
                     {"location", r.pipLocation.toStdString()}}},
                   {"phasesMs", phases},
                   {"relocation",
                    {{"rewritten", jsonStrings(r.relocation.rewritten)},
                     {"reported", jsonStrings(r.relocation.reported)}}}});
    }
    printErr(QStringLiteral("deskpack: built %1 (%2 files, %3, Python %4, %5 distributions)\n")
                 .arg(r.bundleDir)
                 .arg(r.files)
                 .arg(megabytes(r.bytes))
                 .arg(r.pythonVersion)
                 .arg(r.distributions));
    printErr(QStringLiteral("deskpack: dependencies installed with pip %1 (%2: %3)\n")
                 .arg(r.pipVersion, r.pipSource, r.pipLocation));
    return ExitOk;
}

int runVerifyCommand(const QStringList &arguments)
{
    const QString command = QStringLiteral("deskpack verify");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Re-hashes every file of BUNDLE against bundle.json, compares every link and directory, "
        "and checks the runtime core lock against the runtime. Exit 1 on any missing, changed, "
        "extra or unsafe entry (a link leaving the bundle, a fifo, socket or device) or lock "
        "problem."));
    parser.addOptions({jsonOption});
    parser.addPositionalArgument(QStringLiteral("BUNDLE"), QStringLiteral("The bundle directory."));
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, QStringLiteral("expected exactly one BUNDLE directory"));
    const QString dir = QFileInfo(parser.positionalArguments().constFirst()).absoluteFilePath();

    Result<runner::BundleManifest> manifest = runner::readManifest(dir);
    if (!manifest)
        return fail(manifest.error());
    Result<runner::VerifyReport> files = runner::verifyBundleFiles(*manifest, dir);
    if (!files)
        return fail(files.error());

    QStringList lockProblems;
    const QString lockPath = QDir(dir).filePath(manifest->lock);
    Result<lock::LockFileCheck> checked =
        lock::checkLockFile(lockPath, {QDir(dir).filePath(manifest->coreSitePackages)});
    if (!checked) {
        lockProblems.append(checked.error().message);
    } else {
        for (const lock::Problem &p : std::as_const(checked->problems)) {
            if (p.severity == lock::Severity::Error)
                lockProblems.append(p.toString());
        }
    }
    if (!QFileInfo(QDir(dir).filePath(manifest->python)).isExecutable())
        lockProblems.append(QStringLiteral("%1: the interpreter is missing or not executable")
                                .arg(QDir(dir).filePath(manifest->python)));

    // What the loader would read: absolute search paths, libraries the bundle lacks.
    QStringList elfProblems;
    for (const runtime::ElfFinding &f : runtime::auditElfTree(dir))
        elfProblems.append(f.message);

    const bool ok = files->ok() && lockProblems.isEmpty() && elfProblems.isEmpty();
    if (parser.isSet(jsonOption)) {
        printJson({{"bundle", dir.toStdString()},
                   {"ok", ok},
                   {"files", manifest->files.size()},
                   {"missing", jsonStrings(files->missing)},
                   {"changed", jsonStrings(files->changed)},
                   {"extra", jsonStrings(files->extra)},
                   {"unsafe", jsonStrings(files->unsafe)},
                   {"lock", jsonStrings(lockProblems)},
                   {"elf", jsonStrings(elfProblems)}});
    }
    for (const QString &f : std::as_const(files->missing))
        printErr(QStringLiteral("%1: missing: %2\n").arg(dir, f));
    for (const QString &f : std::as_const(files->changed))
        printErr(QStringLiteral("%1: changed: %2\n").arg(dir, f));
    for (const QString &f : std::as_const(files->extra))
        printErr(QStringLiteral("%1: extra: %2\n").arg(dir, f));
    for (const QString &f : std::as_const(files->unsafe))
        printErr(QStringLiteral("%1: unsafe: %2\n").arg(dir, f));
    for (const QString &p : std::as_const(lockProblems))
        printErr(p + u'\n');
    for (const QString &p : std::as_const(elfProblems))
        printErr(QStringLiteral("%1: %2\n").arg(dir, p));
    if (!ok) {
        printErr(
            QStringLiteral("%1: verification failed: %2 missing, %3 changed, %4 extra, %5 unsafe, "
                           "%6 lock problem(s), %7 ELF problem(s)\n")
                .arg(dir)
                .arg(files->missing.size())
                .arg(files->changed.size())
                .arg(files->extra.size())
                .arg(files->unsafe.size())
                .arg(lockProblems.size())
                .arg(elfProblems.size()));
        return ExitProblems;
    }
    printErr(QStringLiteral("%1: verified (%2 files)\n").arg(dir).arg(manifest->files.size()));
    return ExitOk;
}

} // namespace deskpack::cli
