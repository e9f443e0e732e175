// SPDX-License-Identifier: MIT
#include "cli/bundlecommands.h"
#include "cli/commandline.h"
#include "cli/lockcommands.h"
#include "cli/packagecommands.h"
#include "cli/plugincommands.h"
#include "cli/releasecommand.h"
#include "cli/runtimecommands.h"
#include "cli/sbomcommands.h"
#include "cli/signcommands.h"

#include <QCoreApplication>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"deskpack"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(DESKPACK_VERSION));
    const QStringList args = app.arguments().mid(1);
    const QString command = args.value(0);
    if (command == u"lock")
        return cli::runLockCommand(args.mid(1));
    if (command == u"build")
        return cli::runBuildCommand(args.mid(1));
    if (command == u"verify")
        return cli::runVerifyCommand(args.mid(1));
    if (command == u"package")
        return cli::runPackageCommand(args.mid(1));
    if (command == u"runtime")
        return cli::runRuntimeCommand(args.mid(1));
    if (command == u"plugin")
        return cli::runPluginCommand(args.mid(1));
    if (command == u"keygen")
        return cli::runKeygenCommand(args.mid(1));
    if (command == u"sign")
        return cli::runSignCommand(args.mid(1));
    if (command == u"verify-signature")
        return cli::runVerifySignatureCommand(args.mid(1));
    if (command == u"release")
        return cli::runReleaseCommand(args.mid(1));
    if (command == u"sbom")
        return cli::runSbomCommand(args.mid(1));
    if (command == u"--version") {
        cli::printOut(u"deskpack %1\n"_s.arg(QCoreApplication::applicationVersion()));
        return ExitOk;
    }
    const QString usage =
        u"Usage: deskpack COMMAND ...\n"
        "  lock generate|validate|diff   the runtime core lock\n"
        "  runtime pack|extract          base Python runtime archives\n"
        "  build APP.json                build a relocatable app bundle\n"
        "  verify BUNDLE                 check a bundle against its manifest\n"
        "  package BUNDLE --format F     zip, tar.gz, tar.zst or deb of a bundle\n"
        "  release BUNDLE --feed DIR --channel NAME -s KEY.sec   publish to an update feed\n"
        "  plugin check                  a plugin's requirements vs a bundle\n"
        "  keygen -p KEY.pub -s KEY.sec  a minisign key pair (-W: no password)\n"
        "  sign FILE... -s KEY.sec       write FILE.minisig (minisign format)\n"
        "  verify-signature FILE -p KEY.pub|-P RW...   check FILE.minisig\n"
        "  sbom BUNDLE --format F        CycloneDX 1.6 or SPDX 2.3 SBOM of a bundle\n"
        "Run 'deskpack COMMAND --help' for a command's options.\n"_s;
    if (command == u"--help" || command == u"-h") {
        cli::printOut(usage);
        return ExitOk;
    }
    cli::printErr(command.isEmpty() ? usage
                                    : u"deskpack: unknown command '%1'\n%2"_s.arg(command, usage));
    return ExitUsage;
}
