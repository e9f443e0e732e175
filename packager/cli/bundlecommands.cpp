// SPDX-License-Identifier: MIT
#include "bundlecommands.h"

#include "bundle/bundlebuilder.h"
#include "commandline.h"
#include "formats/bundlemanifest.h"
#include "lock/lockvalidator.h"
#include "lock/sitepackages.h"
#include "runtime/elfaudit.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <cstdio>

#ifdef Q_OS_UNIX
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;
#endif

using nlohmann::json;

namespace deskpack::cli {

namespace {

const QCommandLineOption jsonOption = jsonReportOption();

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
    return QCoreApplication::applicationDirPath() + u"/deskpack-launcher"_s;
}

void printBuildJson(const bundle::BuildResult &r)
{
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

// What `deskpack verify` checks beyond the files: the lock against the core,
// and the interpreter.
QStringList lockProblemsOf(const QString &dir, const formats::BundleManifest &manifest)
{
    QStringList lockProblems;
    const QString lockPath = QDir(dir).filePath(manifest.lock);
    Result<lock::LockFileCheck> checked =
        lock::checkLockFile(lockPath, {QDir(dir).filePath(manifest.coreSitePackages)});
    if (!checked) {
        lockProblems.append(checked.error().message);
    } else {
        for (const lock::Problem &p : std::as_const(checked->problems)) {
            if (p.severity == lock::Severity::Error)
                lockProblems.append(p.toString());
        }
    }
    if (!QFileInfo(QDir(dir).filePath(manifest.python)).isExecutable())
        lockProblems.append(u"%1: the interpreter is missing or not executable"_s.arg(
            QDir(dir).filePath(manifest.python)));
    return lockProblems;
}

// One line per problem on stderr, and the count of each kind when any.
void printVerifyProblems(const QString &dir, const formats::VerifyReport &files,
                         const QStringList &lockProblems, const QStringList &elfProblems, bool ok)
{
    for (const QString &f : std::as_const(files.missing))
        printErr(u"%1: missing: %2\n"_s.arg(dir, f));
    for (const QString &f : std::as_const(files.changed))
        printErr(u"%1: changed: %2\n"_s.arg(dir, f));
    for (const QString &f : std::as_const(files.extra))
        printErr(u"%1: extra: %2\n"_s.arg(dir, f));
    for (const QString &f : std::as_const(files.unsafe))
        printErr(u"%1: unsafe: %2\n"_s.arg(dir, f));
    for (const QString &p : std::as_const(lockProblems))
        printErr(p + u'\n');
    for (const QString &p : std::as_const(elfProblems))
        printErr(u"%1: %2\n"_s.arg(dir, p));
    if (!ok) {
        printErr(u"%1: verification failed: %2 missing, %3 changed, %4 extra, %5 unsafe, "
                 "%6 lock problem(s), %7 ELF problem(s)\n"_s.arg(dir)
                     .arg(files.missing.size())
                     .arg(files.changed.size())
                     .arg(files.extra.size())
                     .arg(files.unsafe.size())
                     .arg(lockProblems.size())
                     .arg(elfProblems.size()));
    }
}

} // namespace

int runBuildCommand(const QStringList &arguments)
{
    const QString command = u"deskpack build"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Builds the relocatable app bundle described by APP.json (see docs/app-config.md)."_s);
    const QCommandLineOption out(
        u"out"_s, u"Write the bundle under DIR (default: dist/ beside APP.json)."_s, u"DIR"_s);
    const QCommandLineOption cache(u"cache-dir"_s,
                                   u"Runtime extraction cache (default: "
                                   "$XDG_CACHE_HOME/deskpack/runtimes)."_s,
                                   u"DIR"_s);
    parser.addOptions({out, cache, jsonOption});
    parser.addPositionalArgument(u"APP.json"_s, u"The app config."_s);
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, u"expected exactly one APP.json"_s);

    bundle::BuildOptions options;
    options.configPath = parser.positionalArguments().constFirst();
    options.outDir = parser.value(out);
    options.cacheDir = parser.value(cache);
    options.launcher = builtLauncher();
    const bool terminal = stderrIsTerminal();
    options.progress = [terminal](int phase, int phases, const QString &what) {
        // A live line on a terminal; plain lines in logs.
        printErr(terminal ? u"\r\033[K[%1/%2] %3"_s.arg(phase).arg(phases).arg(what)
                          : u"deskpack build: [%1/%2] %3\n"_s.arg(phase).arg(phases).arg(what));
    };
    Result<bundle::BuildResult> built = bundle::buildBundle(options);
    if (terminal)
        printErr(u"\r\033[K"_s);
    if (!built)
        return fail(built.error());
    const bundle::BuildResult &r = *built;
    for (const lock::Problem &p : r.lockWarnings)
        printErr(p.toString() + u'\n');
    if (parser.isSet(jsonOption))
        printBuildJson(r);
    printErr(u"deskpack: built %1 (%2 files, %3, Python %4, %5 distributions)\n"_s.arg(r.bundleDir)
                 .arg(r.files)
                 .arg(megabytes(r.bytes))
                 .arg(r.pythonVersion)
                 .arg(r.distributions));
    printErr(u"deskpack: dependencies installed with pip %1 (%2: %3)\n"_s.arg(
        r.pipVersion, r.pipSource, r.pipLocation));
    return ExitOk;
}

int runVerifyCommand(const QStringList &arguments)
{
    const QString command = u"deskpack verify"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Re-hashes every file of BUNDLE against bundle.json, compares every link and directory, "
        "and checks the runtime core lock against the runtime. Exit 1 on any missing, changed, "
        "extra or unsafe entry (a link leaving the bundle, a fifo, socket or device) or lock "
        "problem."_s);
    parser.addOptions({jsonOption});
    parser.addPositionalArgument(u"BUNDLE"_s, u"The bundle directory."_s);
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, u"expected exactly one BUNDLE directory"_s);
    const QString dir = QFileInfo(parser.positionalArguments().constFirst()).absoluteFilePath();

    Result<formats::BundleManifest> manifest = formats::readManifest(dir);
    if (!manifest)
        return fail(manifest.error());
    Result<formats::VerifyReport> files = formats::verifyBundleFiles(*manifest, dir);
    if (!files)
        return fail(files.error());

    const QStringList lockProblems = lockProblemsOf(dir, *manifest);

    // What the loader would read: absolute search paths, libraries the bundle lacks.
    QStringList elfProblems;
    for (const runtime::ElfFinding &f : runtime::auditBundleElf(dir))
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
    printVerifyProblems(dir, *files, lockProblems, elfProblems, ok);
    if (!ok)
        return ExitProblems;
    printErr(u"%1: verified (%2 files)\n"_s.arg(dir).arg(manifest->files.size()));
    return ExitOk;
}

} // namespace deskpack::cli
