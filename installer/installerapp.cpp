// SPDX-License-Identifier: MIT
#include "installerapp.h"
#include "base/terminal.h"

#include "base/fileio.h"
#include "core/installops.h"
#include "ui/installerwizard.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QProcessEnvironment>

#include <memory>
#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

namespace {

int fail(const Error &error)
{
    printText(stderr, u"deskpack-installer: error: %1\n"_s.arg(error.message));
    return exitCodeFor(error.kind);
}

int usage(const QString &message)
{
    printText(stderr, u"deskpack-installer: %1\nusage: <installer> [--silent] [--prefix DIR] | "
                      "--rollback | --uninstall [--purge]\n"_s.arg(message));
    return ExitUsage;
}

// Test seam: DESKPACK_INSTALLER_REPORT_LIBS=1 lists the Qt and libarchive
// files this process mapped, so a test can prove they came from the
// installer's own runtime and not from the system.
void reportLibraries()
{
    if (!qEnvironmentVariableIsSet("DESKPACK_INSTALLER_REPORT_LIBS"))
        return;
    QFile maps(u"/proc/self/maps"_s);
    if (!maps.open(QIODevice::ReadOnly))
        return;
    QStringList seen;
    for (const QByteArray &line : maps.readAll().split('\n')) {
        const qsizetype slash = line.indexOf('/');
        if (slash < 0)
            continue;
        const QString path = QString::fromLocal8Bit(line.mid(slash));
        if ((path.contains(u"libQt6"_s) || path.contains(u"libarchive"_s)) && !seen.contains(path))
            seen.append(path);
    }
    for (const QString &path : std::as_const(seen))
        printText(stderr, u"deskpack-installer: mapped %1\n"_s.arg(path));
}

bool hasDisplay()
{
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY") ||
           qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

// What the command line asks for.
struct Request
{
    bool silent = false;
    bool rollback = false;
    bool uninstall = false;
    bool purge = false;
    QString prefix;
};

// Without a QCoreApplication, helpText() says "<executable_name>": name the
// installer file the user ran instead (the stub passes it on).
int printHelp(const QCommandLineParser &parser, const QStringList &arguments)
{
    const QString fromStub = qEnvironmentVariable("DESKPACK_INSTALLER_FILE");
    const QString name =
        QFileInfo(fromStub.isEmpty() ? arguments.constFirst() : fromStub).fileName();
    QString text = parser.helpText();
    text.replace(u"<executable_name> [options]"_s,
                 name + u" [--silent] [--prefix DIR] | --rollback | --uninstall [--purge]"_s);
    printText(stdout, text);
    return ExitOk;
}

// Fills `request`; returns the exit code when the command line is already
// answered (--help, or a usage error).
std::optional<int> parseArguments(const QStringList &arguments, Request &request)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Installs, upgrades, rolls back or removes the app this installer carries, for the "
        "current user (docs/installing.md)."_s);
    const QCommandLineOption help(u"help"_s, u"Show this help."_s);
    const QCommandLineOption silent(u"silent"_s, u"Install without showing a window."_s);
    const QCommandLineOption prefix(
        u"prefix"_s, u"Install into DIR instead of ~/.local/opt/<app-id>."_s, u"DIR"_s);
    const QCommandLineOption rollbackOption(
        u"rollback"_s, u"Switch back to the version installed before the last upgrade."_s);
    const QCommandLineOption uninstallOption(
        u"uninstall"_s, u"Remove the app, its menu entry and icon; keep the user data."_s);
    const QCommandLineOption purge(u"purge"_s, u"With --uninstall: remove the user data too."_s);
    parser.addOptions({help, silent, prefix, rollbackOption, uninstallOption, purge});
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (parser.isSet(help))
        return printHelp(parser, arguments);
    if (!parser.positionalArguments().isEmpty())
        return usage(u"unexpected argument: "_s + parser.positionalArguments().constFirst());
    request = {parser.isSet(silent), parser.isSet(rollbackOption), parser.isSet(uninstallOption),
               parser.isSet(purge), parser.value(prefix)};
    const int actions = int(request.rollback) + int(request.uninstall);
    if (actions > 1 || (actions == 1 && request.silent))
        return usage(u"--silent, --rollback and --uninstall are exclusive"_s);
    if (request.purge && !request.uninstall)
        return usage(u"--purge goes with --uninstall"_s);
    if (parser.isSet(prefix) && request.prefix.isEmpty())
        return usage(u"--prefix: expected a directory"_s);
    return std::nullopt;
}

int runRollback(const formats::InstallerHeader &header, const InstallLayout &layout)
{
    Result<RollbackReport> r = rollback(layout);
    if (!r)
        return fail(r.error());
    printText(stderr, u"deskpack-installer: %1: rolled back from %2 to %3\n"_s.arg(header.name,
                                                                                   r->from, r->to));
    return ExitOk;
}

int runUninstall(const formats::InstallerHeader &header, const InstallLayout &layout, bool purge)
{
    Result<UninstallReport> r = uninstall(layout, purge);
    if (!r)
        return fail(r.error());
    printText(stderr, u"deskpack-installer: %1 removed from %2; %3\n"_s.arg(
                          header.name, layout.root,
                          r->dataKept ? u"your data is kept in "_s + layout.dataDir()
                                      : u"user data removed"_s));
    return ExitOk;
}

int runSilent(int argc, char **argv, const InstallerFile &file, const InstallLayout &layout)
{
    QCoreApplication app(argc, argv);
    const formats::InstallerHeader &header = file.header();
    Result<InstallReport> r = install(file, layout);
    if (!r)
        return fail(r.error());
    printText(stderr, u"deskpack-installer: %1 %2 installed in %3%4\n  start it with: %5\n"_s.arg(
                          header.name, header.version, r->versionDir,
                          r->previousVersion.isEmpty() || r->previousVersion == header.version
                              ? QString()
                              : u" (previous version %1 kept)"_s.arg(r->previousVersion),
                          r->launcherLink));
    return ExitOk;
}

int runWizard(int argc, char **argv, const InstallerFile &file, const InstallLayout &layout)
{
    if (!hasDisplay())
        return usage(u"no display to show the wizard on (DISPLAY is not set); use --silent"_s);
    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(InstallerWizard::titleFor(file.header()));
    InstallerWizard wizard(file, layout);
    wizard.show();
    const int code = app.exec();
    return code != 0 ? code : wizard.exitCode();
}

// The installer file: named by the stub that started us from its runtime
// section, else /proc/self/exe (the plain template with a payload).
QString installerFilePath(const QStringList &arguments)
{
    const QString fromStub = qEnvironmentVariable("DESKPACK_INSTALLER_FILE");
    const QString self =
        !fromStub.isEmpty() ? fromStub : QFileInfo(u"/proc/self/exe"_s).canonicalFilePath();
    return self.isEmpty() ? arguments.constFirst() : self;
}

} // namespace

int runInstaller(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    Request request;
    if (const std::optional<int> answered = parseArguments(arguments, request))
        return *answered;
    const QString path = installerFilePath(arguments);
    reportLibraries();
    Result<InstallerFile> file = InstallerFile::open(path);
    if (!file)
        return fail(file.error());
    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    Result<InstallLayout> layout = layoutFor(file->header().id, request.prefix, environment);
    if (!layout)
        return fail(layout.error());
    if (request.rollback)
        return runRollback(file->header(), *layout);
    if (request.uninstall)
        return runUninstall(file->header(), *layout, request.purge);
    if (request.silent)
        return runSilent(argc, argv, *file, *layout);
    return runWizard(argc, argv, *file, *layout);
}

} // namespace deskpack::installer
