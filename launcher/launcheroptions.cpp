// SPDX-License-Identifier: MIT
#include "launcheroptions.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

#include <cstring>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

Result<LauncherOptions> parseLauncherArguments(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Starts this app's backend, supervises it and shows its status.\n\n"
        "Commands:\n"
        "  (none)              start the app (a window, or --headless)\n"
        "  doctor -o FILE.zip  collect logs, manifest, lock, verification and environment\n"
        "  plugins ...         manage plugins (not available yet)"_s);
    const QCommandLineOption help({u"h"_s, u"help"_s}, u"Show this help."_s);
    const QCommandLineOption version(u"version"_s, u"Show the launcher's version."_s);
    const QCommandLineOption bundle(
        u"bundle"_s, u"The bundle directory (default: the executable's directory)."_s, u"DIR"_s);
    const QCommandLineOption dataDir(
        u"data-dir"_s, u"The user data directory (default: $XDG_DATA_HOME/<app-id>)."_s, u"DIR"_s);
    const QCommandLineOption headless(u"headless"_s,
                                      u"No window: log to stderr, stop on SIGINT/SIGTERM."_s);
    const QCommandLineOption exitWhenReady(
        u"exit-when-ready"_s,
        u"With --headless: print the URL and the time to ready, stop the backend, exit 0."_s);
    const QCommandLineOption safeMode(u"safe-mode"_s,
                                      u"Start with the plugin site-packages off sys.path."_s);
    const QCommandLineOption verify(
        u"verify"_s, u"Check every file's SHA-256 at start, not only sizes and modes."_s);
    const QCommandLineOption output({u"o"_s, u"output"_s}, u"doctor: the zip to write."_s,
                                    u"FILE.zip"_s);
    parser.addOptions(
        {help, version, bundle, dataDir, headless, exitWhenReady, safeMode, verify, output});
    parser.addPositionalArgument(u"command"_s, u"doctor or plugins; none to start the app."_s,
                                 u"[command]"_s);

    LauncherOptions options;
    if (!parser.parse(QStringList{u"deskpack-launcher"_s} + arguments))
        return makeError(ErrorKind::Usage, parser.errorText());
    options.helpText = parser.helpText();
    if (parser.isSet(help)) {
        options.command = LauncherOptions::Command::Help;
        return options;
    }
    if (parser.isSet(version)) {
        options.command = LauncherOptions::Command::Version;
        return options;
    }
    options.bundleDir = parser.value(bundle);
    options.dataDir = parser.value(dataDir);
    options.headless = parser.isSet(headless);
    options.exitWhenReady = parser.isSet(exitWhenReady);
    options.safeMode = parser.isSet(safeMode);
    options.verify = parser.isSet(verify);
    options.output = parser.value(output);
    if (parser.isSet(bundle) && options.bundleDir.isEmpty())
        return makeError(ErrorKind::Usage, u"--bundle needs a directory"_s);
    if (parser.isSet(dataDir) && options.dataDir.isEmpty())
        return makeError(ErrorKind::Usage, u"--data-dir needs a directory"_s);

    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        if (parser.isSet(output))
            return makeError(ErrorKind::Usage, u"-o is an option of the doctor command"_s);
        if (options.exitWhenReady && !options.headless)
            return makeError(ErrorKind::Usage, u"--exit-when-ready needs --headless"_s);
        return options;
    }
    const QString command = positional.constFirst();
    if (command == u"plugins") {
        options.command = LauncherOptions::Command::Plugins;
        return options;
    }
    if (command == u"doctor") {
        if (positional.size() > 1)
            return makeError(ErrorKind::Usage,
                             u"doctor: unexpected argument '%1'"_s.arg(positional.at(1)));
        if (options.output.isEmpty())
            return makeError(ErrorKind::Usage, u"doctor: missing -o FILE.zip"_s);
        if (options.headless || options.exitWhenReady || options.safeMode)
            return makeError(ErrorKind::Usage, u"doctor takes only --bundle, --data-dir and -o"_s);
        options.command = LauncherOptions::Command::Doctor;
        return options;
    }
    return makeError(ErrorKind::Usage,
                     u"unknown command '%1' (expected doctor or plugins)"_s.arg(command));
}

bool wantsNoWindow(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        for (const char *word : {"--headless", "doctor", "plugins", "--help", "-h", "--version"}) {
            if (std::strcmp(a, word) == 0)
                return true;
        }
    }
    return false;
}

} // namespace deskpack::launcher
