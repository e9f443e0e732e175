// SPDX-License-Identifier: MIT
#include "lockcommands.h"

#include "commandline.h"
#include "lock/lockdiff.h"
#include "lock/lockfile.h"
#include "lock/lockvalidator.h"
#include "lock/sitepackages.h"
#include "runner/distributionprobe.h"

#include <QDir>
#include <QFileInfo>

using nlohmann::json;

namespace deskpack::cli {

namespace {

using namespace deskpack::lock;

const QCommandLineOption sitePackagesOption(QStringLiteral("site-packages"),
                                            QStringLiteral("A site-packages directory (repeat for "
                                                           "several, in sys.path order)."),
                                            QStringLiteral("DIR"));
const QCommandLineOption jsonOption(QStringLiteral("json"),
                                    QStringLiteral("Machine-readable report on stdout."));

void printProblems(const QList<Problem> &problems)
{
    // Cap what a hostile file can make us print; the count stays exact.
    constexpr qsizetype MaxPrinted = 200;
    for (qsizetype i = 0; i < problems.size() && i < MaxPrinted; ++i)
        printErr(problems[i].toString() + u'\n');
    if (problems.size() > MaxPrinted)
        printErr(QStringLiteral("... and %1 more problems\n").arg(problems.size() - MaxPrinted));
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
    const QString command = QStringLiteral("deskpack lock generate");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Writes runtime-core-lock.json for the distributions installed in the "
                       "given site-packages directories (stdout without -o)."));
    const QCommandLineOption output({QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("Write the lock to FILE (atomically)."),
                                    QStringLiteral("FILE"));
    parser.addOptions({sitePackagesOption, output});
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (!parser.positionalArguments().isEmpty())
        return usageError(command, QStringLiteral("unexpected argument '%1'")
                                       .arg(parser.positionalArguments().constFirst()));
    const QStringList dirs = absoluteDirectories(parser.values(sitePackagesOption));
    if (dirs.isEmpty())
        return usageError(command, QStringLiteral("give at least one --site-packages DIR"));

    Result<InstalledSet> installed = scanInstalled(dirs);
    if (!installed)
        return fail(installed.error());
    Lock generated = lockFromInstalled(*installed);
    QList<Problem> problems = installed->problems;
    const QString outName =
        parser.isSet(output) ? parser.value(output) : QStringLiteral("<stdout>");
    // The scan already warned about what the rules would; only their errors matter here.
    for (const Problem &p : checkLockRules(generated, outName)) {
        if (p.severity == Severity::Error)
            problems.append(p);
    }
    printProblems(problems);
    if (errorCount(problems) > 0) {
        printErr(
            QStringLiteral("deskpack: no lock written: %1 error(s)\n").arg(errorCount(problems)));
        return ExitProblems;
    }
    if (!parser.isSet(output)) {
        printOut(QString::fromUtf8(serializeLock(generated)));
    } else {
        if (Result<void> written = writeLockFile(parser.value(output), generated); !written)
            return fail(written.error());
        printErr(QStringLiteral("deskpack: wrote %1 (%2 distributions)\n")
                     .arg(parser.value(output))
                     .arg(generated.distributions.size()));
    }
    return ExitOk;
}

int validate(const QStringList &arguments)
{
    const QString command = QStringLiteral("deskpack lock validate");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Checks a runtime core lock: its schema and rules, and optionally "
                       "against site-packages directories and an interpreter's view."));
    const QCommandLineOption python(
        QStringLiteral("python"),
        QStringLiteral("Also compare with what this interpreter's importlib.metadata sees "
                       "(run with -I)."),
        QStringLiteral("EXE"));
    parser.addOptions({sitePackagesOption, python, jsonOption});
    parser.addPositionalArgument(QStringLiteral("LOCK"), QStringLiteral("The lock file."));
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, QStringLiteral("expected exactly one LOCK file"));
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

    const int errors = errorCount(problems);
    if (parser.isSet(jsonOption)) {
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
        printErr(QStringLiteral("%1: invalid: %2 error(s), %3 warning(s)\n")
                     .arg(lockPath)
                     .arg(errors)
                     .arg(problems.size() - errors));
        return ExitProblems;
    }
    printErr(QStringLiteral("%1: valid (%2 distributions%3)\n")
                 .arg(lockPath)
                 .arg(parsed.lock.distributions.size())
                 .arg(problems.isEmpty() ? QString()
                                         : QStringLiteral(", %1 warning(s)").arg(problems.size())));
    return ExitOk;
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
                         QStringLiteral("%1: not a valid schema-1 lock (%2 error(s))")
                             .arg(path)
                             .arg(errorCount(parsed->problems)));
    }
    return std::move(parsed->lock);
}

int diff(const QStringList &arguments)
{
    const QString command = QStringLiteral("deskpack lock diff");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Shows distributions added, removed, re-versioned or with changed "
                       "modules between two locks. Exit 0 when identical, 1 when they differ."));
    parser.addOptions({jsonOption});
    parser.addPositionalArgument(QStringLiteral("OLD"), QStringLiteral("The old lock."));
    parser.addPositionalArgument(QStringLiteral("NEW"), QStringLiteral("The new lock."));
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 2)
        return usageError(command, QStringLiteral("expected two lock files, OLD and NEW"));
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
        (sub.isEmpty() ? printErr : printOut)(
            QStringLiteral("Usage: deskpack lock generate|validate|diff [options]\n"
                           "  generate  write the lock of site-packages directories\n"
                           "  validate  check a lock (schema, rules, files, interpreter)\n"
                           "  diff      compare two locks\n"));
        return sub.isEmpty() ? ExitUsage : ExitOk;
    }
    return usageError(
        QStringLiteral("deskpack lock"),
        QStringLiteral("unknown command '%1' (expected generate, validate or diff)").arg(sub));
}

} // namespace deskpack::cli
