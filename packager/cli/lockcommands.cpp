// SPDX-License-Identifier: MIT
#include "lockcommands.h"

#include "commandline.h"
#include "lock/lockdiff.h"
#include "lock/lockfile.h"
#include "lock/lockvalidator.h"
#include "lock/sitepackages.h"
#include "runner/python/distributionprobe.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

using nlohmann::json;

namespace deskpack::cli {

namespace {

using namespace deskpack::lock;

const QCommandLineOption sitePackagesOption(u"site-packages"_s,
                                            u"A site-packages directory (repeat for "
                                            "several, in sys.path order)."_s,
                                            u"DIR"_s);
const QCommandLineOption jsonOption = jsonReportOption();

void printProblems(const QList<Problem> &problems)
{
    // Cap what a hostile file can make us print; the count stays exact.
    constexpr qsizetype MaxPrinted = 200;
    for (qsizetype i = 0; i < problems.size() && i < MaxPrinted; ++i)
        printErr(problems[i].toString() + u'\n');
    if (problems.size() > MaxPrinted)
        printErr(u"... and %1 more problems\n"_s.arg(problems.size() - MaxPrinted));
}

json problemsToJson(const QList<Problem> &problems)
{
    json out = json::array();
    for (const Problem &p : problems)
        out.push_back(problemToJson(p));
    return out;
}

QStringList absoluteDirectories(const QStringList &dirs)
{
    QStringList out;
    for (const QString &d : dirs)
        out.append(QDir::cleanPath(QFileInfo(d).absoluteFilePath()));
    return out;
}

int generate(const QStringList &arguments)
{
    const QString command = u"deskpack lock generate"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Writes runtime-core-lock.json for the distributions installed in the "
        "given site-packages directories (stdout without -o)."_s);
    const QCommandLineOption output({u"o"_s, u"output"_s},
                                    u"Write the lock to FILE (atomically)."_s, u"FILE"_s);
    parser.addOptions({sitePackagesOption, output});
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            command, u"unexpected argument '%1'"_s.arg(parser.positionalArguments().constFirst()));
    const QStringList dirs = absoluteDirectories(parser.values(sitePackagesOption));
    if (dirs.isEmpty())
        return usageError(command, u"give at least one --site-packages DIR"_s);

    Result<InstalledSet> installed = scanInstalled(dirs);
    if (!installed)
        return fail(installed.error());
    Lock generated = lockFromInstalled(*installed);
    QList<Problem> problems = installed->problems;
    const QString outName = parser.isSet(output) ? parser.value(output) : u"<stdout>"_s;
    // The scan already warned about what the rules would; only their errors matter here.
    for (const Problem &p : checkLockRules(generated, outName)) {
        if (p.severity == Severity::Error)
            problems.append(p);
    }
    printProblems(problems);
    if (errorCount(problems) > 0) {
        printErr(u"deskpack: no lock written: %1 error(s)\n"_s.arg(errorCount(problems)));
        return ExitProblems;
    }
    if (!parser.isSet(output)) {
        printOut(QString::fromUtf8(serializeLock(generated)));
    } else {
        if (Result<void> written = writeLockFile(parser.value(output), generated); !written)
            return fail(written.error());
        printErr(u"deskpack: wrote %1 (%2 distributions)\n"_s.arg(parser.value(output))
                     .arg(generated.distributions.size()));
    }
    return ExitOk;
}

int reportValidation(const QString &lockPath, const ParsedLock &parsed,
                     const QList<Problem> &problems, bool asJson)
{
    const int errors = errorCount(problems);
    if (asJson) {
        printJson({{"lock", lockPath.toStdString()},
                   {"valid", errors == 0},
                   {"readable", true},
                   {"distributions", parsed.lock.distributions.size()},
                   {"errors", errors},
                   {"warnings", problems.size() - errors},
                   {"problems", problemsToJson(problems)}});
    } else {
        printProblems(problems);
    }
    if (errors > 0) {
        printErr(u"%1: invalid: %2 error(s), %3 warning(s)\n"_s.arg(lockPath).arg(errors).arg(
            problems.size() - errors));
        return ExitProblems;
    }
    printErr(u"%1: valid (%2 distributions%3)\n"_s.arg(lockPath)
                 .arg(parsed.lock.distributions.size())
                 .arg(problems.isEmpty() ? QString() : u", %1 warning(s)"_s.arg(problems.size())));
    return ExitOk;
}

int validate(const QStringList &arguments)
{
    const QString command = u"deskpack lock validate"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Checks a runtime core lock: its schema and rules, and optionally "
        "against site-packages directories and an interpreter's view."_s);
    const QCommandLineOption python(
        u"python"_s,
        u"Also compare with what this interpreter's importlib.metadata sees "
        "(run with -I)."_s,
        u"EXE"_s);
    parser.addOptions({sitePackagesOption, python, jsonOption});
    parser.addPositionalArgument(u"LOCK"_s, u"The lock file."_s);
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, u"expected exactly one LOCK file"_s);
    const QString lockPath = parser.positionalArguments().constFirst();
    const QStringList dirs = absoluteDirectories(parser.values(sitePackagesOption));

    Result<LockFileCheck> checked = checkLockFile(lockPath, dirs);
    if (!checked) {
        if (parser.isSet(jsonOption)) {
            printJson({{"lock", lockPath.toStdString()},
                       {"valid", false},
                       {"readable", false},
                       {"error", checked.error().message.toStdString()}});
        }
        return fail(checked.error());
    }
    const ParsedLock &parsed = checked->parsed;
    QList<Problem> problems = checked->problems;
    if (parser.isSet(python)) {
        const QString interpreter = parser.value(python);
        auto observed = runner::probeDistributions(interpreter, dirs);
        if (!observed)
            return fail(observed.error());
        problems += checkAgainstObserved(parsed.lock, lockPath, *observed, interpreter);
    }

    return reportValidation(lockPath, parsed, problems, parser.isSet(jsonOption));
}

// A lock for diffing: must be readable and follow the schema.
Result<Lock> readLockStrict(const QString &path)
{
    Result<ParsedLock> parsed = readLockFile(path);
    if (!parsed)
        return parsed.error();
    if (errorCount(parsed->problems) > 0) {
        printProblems(parsed->problems);
        return makeError(ErrorKind::Unreadable,
                         u"%1: not a valid schema-1 lock (%2 error(s))"_s.arg(path).arg(
                             errorCount(parsed->problems)));
    }
    return std::move(parsed->lock);
}

int diff(const QStringList &arguments)
{
    const QString command = u"deskpack lock diff"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Shows distributions added, removed, re-versioned or with changed "
        "modules between two locks. Exit 0 when identical, 1 when they differ."_s);
    parser.addOptions({jsonOption});
    parser.addPositionalArgument(u"OLD"_s, u"The old lock."_s);
    parser.addPositionalArgument(u"NEW"_s, u"The new lock."_s);
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 2)
        return usageError(command, u"expected two lock files, OLD and NEW"_s);
    Result<Lock> oldLock = readLockStrict(parser.positionalArguments().at(0));
    if (!oldLock)
        return fail(oldLock.error());
    Result<Lock> newLock = readLockStrict(parser.positionalArguments().at(1));
    if (!newLock)
        return fail(newLock.error());
    const LockDiff changes = diffLocks(*oldLock, *newLock);
    if (parser.isSet(jsonOption))
        printJson(diffToJson(changes));
    else
        printOut(diffToText(changes));
    return changes.isEmpty() ? ExitOk : ExitProblems;
}

} // namespace

int runLockCommand(const QStringList &arguments)
{
    const QString sub = arguments.value(0);
    const QStringList rest = arguments.mid(1);
    if (sub == u"generate")
        return generate(rest);
    if (sub == u"validate")
        return validate(rest);
    if (sub == u"diff")
        return diff(rest);
    if (sub == u"--help" || sub == u"-h" || sub.isEmpty()) {
        (sub.isEmpty() ? printErr
                       : printOut)(u"Usage: deskpack lock generate|validate|diff [options]\n"
                                   "  generate  write the lock of site-packages directories\n"
                                   "  validate  check a lock (schema, rules, files, interpreter)\n"
                                   "  diff      compare two locks\n"_s);
        return sub.isEmpty() ? ExitUsage : ExitOk;
    }
    return usageError(u"deskpack lock"_s,
                      u"unknown command '%1' (expected generate, validate or diff)"_s.arg(sub));
}

} // namespace deskpack::cli
