// SPDX-License-Identifier: MIT
#include "launcheroptions.h"

#include "runner/plugins/pluginrequirements.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

#include <algorithm>
#include <cstring>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {

Result<void> parsePluginsCommand(const QStringList &words, bool sourceOptions,
                                 LauncherOptions &options)
{
    using Action = PluginsRequest::Action;
    static const QList<std::pair<QString, Action>> actions = {
        {u"list"_s, Action::List},       {u"check"_s, Action::Check},
        {u"install"_s, Action::Install}, {u"remove"_s, Action::Remove},
        {u"audit"_s, Action::Audit},     {u"restore"_s, Action::Restore}};
    const QString verb = words.value(0);
    const auto it = std::find_if(actions.cbegin(), actions.cend(),
                                 [&](const auto &a) { return a.first == verb; });
    if (it == actions.cend())
        return makeError(
            ErrorKind::Usage,
            verb.isEmpty()
                ? u"plugins: missing command (list, check, install, remove, audit or restore)"_s
                : u"plugins: unknown command '%1' (expected list, check, install, remove, audit "
                  "or restore)"_s.arg(verb));
    PluginsRequest &request = options.plugins;
    request.action = it->second;
    const bool takesName = request.action != Action::List && request.action != Action::Audit;
    const bool resolves = request.action == Action::Check || request.action == Action::Install;
    const int expected = takesName ? 2 : 1;
    if (words.size() > expected)
        return makeError(ErrorKind::Usage,
                         u"plugins %1: unexpected argument '%2'"_s.arg(verb, words.at(expected)));
    if (takesName) {
        request.name = words.value(1);
        const QString what = request.action == Action::Restore ? u"ID"_s : u"NAME"_s;
        if (request.name.isEmpty())
            return makeError(ErrorKind::Usage, u"plugins %1: missing %2"_s.arg(verb, what));
        if (request.action != Action::Restore && !plugins::isValidPluginName(request.name))
            return makeError(
                ErrorKind::Usage,
                u"plugins %1: '%2' is not a plugin name (1-64 letters, digits, '.', "
                "'_' or '-', starting with a letter or digit)"_s.arg(verb, request.name));
    }
    if (resolves && request.requirements.isEmpty())
        return makeError(ErrorKind::Usage, u"plugins %1: missing -r REQUIREMENTS"_s.arg(verb));
    if (!resolves && sourceOptions)
        return makeError(
            ErrorKind::Usage,
            u"plugins %1 takes no -r, --find-links, --index-url or --no-index"_s.arg(verb));
    if (!request.indexUrl.isEmpty() && request.noIndex)
        return makeError(ErrorKind::Usage,
                         u"plugins %1: --index-url and --no-index exclude each other"_s.arg(verb));
    return {};
}

QString launcherDescription()
{
    return u"Starts this app's backend, supervises it and shows its status.\n\n"
           "Commands:\n"
           "  (none)                        start the app (a window, or --headless)\n"
           "  doctor -o FILE.zip            collect logs, manifest, lock, verification, "
           "environment\n"
           "  plugins list                  the plugins, their distributions, the quarantine\n"
           "  plugins check NAME -r FILE    resolve a plugin's requirements against the core\n"
           "  plugins install NAME -r FILE  install them into the plugin site-packages\n"
           "  plugins remove NAME           remove what only that plugin installed\n"
           "  plugins audit                 audit the plugin site-packages, quarantine offenders\n"
           "  plugins restore ID            move a quarantine entry back once it fits\n"
           "  (plugins: exit 0 ok, 1 refused clash or quarantine, 2 bad input, 3 pip or disk)"_s;
}

// In the order --help lists them; looked up by their long name.
QList<QCommandLineOption> launcherOptionTable()
{
    using O = QCommandLineOption;
    return {
        O(QStringList{u"h"_s, u"help"_s}, u"Show this help."_s),
        O(u"version"_s, u"Show the launcher's version."_s),
        O(u"bundle"_s, u"The bundle directory (default: the executable's directory)."_s, u"DIR"_s),
        O(u"data-dir"_s, u"The user data directory (default: $XDG_DATA_HOME/<app-id>)."_s,
          u"DIR"_s),
        O(u"headless"_s, u"No window: log to stderr, stop on SIGINT/SIGTERM."_s),
        O(u"exit-when-ready"_s,
          u"With --headless: print the URL and the time to ready, stop the backend, exit 0."_s),
        O(u"safe-mode"_s, u"Start with the plugin site-packages off sys.path."_s),
        O(u"verify"_s, u"Check every file's SHA-256 at start, not only sizes and modes."_s),
        O(QStringList{u"o"_s, u"output"_s}, u"doctor: the zip to write."_s, u"FILE.zip"_s),
        O(QStringList{u"r"_s, u"requirements"_s},
          u"plugins check/install: the requirements file."_s, u"FILE"_s),
        O(u"find-links"_s, u"plugins check/install: a directory of distributions (repeatable)."_s,
          u"DIR"_s),
        O(u"index-url"_s, u"plugins check/install: a PEP 503 simple index."_s, u"URL"_s),
        O(u"no-index"_s, u"plugins check/install: use no package index."_s),
        O(u"json"_s, u"plugins: the report as JSON on stdout."_s),
    };
}

void readOptionValues(const QCommandLineParser &parser, LauncherOptions &options)
{
    options.bundleDir = parser.value(u"bundle"_s);
    options.dataDir = parser.value(u"data-dir"_s);
    options.headless = parser.isSet(u"headless"_s);
    options.exitWhenReady = parser.isSet(u"exit-when-ready"_s);
    options.safeMode = parser.isSet(u"safe-mode"_s);
    options.verify = parser.isSet(u"verify"_s);
    options.output = parser.value(u"output"_s);
    options.json = parser.isSet(u"json"_s);
    options.plugins.requirements = parser.value(u"requirements"_s);
    options.plugins.findLinks = parser.values(u"find-links"_s);
    options.plugins.indexUrl = parser.value(u"index-url"_s);
    options.plugins.noIndex = parser.isSet(u"no-index"_s);
}

Result<LauncherOptions> finishPluginsCommand(const QStringList &positional, bool sourceOptions,
                                             bool outputSet, LauncherOptions options)
{
    if (Result<void> p = parsePluginsCommand(positional.mid(1), sourceOptions, options); !p)
        return p.error();
    if (options.headless || options.exitWhenReady || options.safeMode || options.verify ||
        outputSet)
        return makeError(ErrorKind::Usage,
                         u"plugins takes only --bundle, --data-dir, -r, --find-links, "
                         "--index-url, --no-index and --json"_s);
    options.command = LauncherOptions::Command::Plugins;
    return options;
}

Result<LauncherOptions> finishDoctorCommand(const QStringList &positional, LauncherOptions options)
{
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

// The positional command (none, plugins or doctor) and the options it allows.
Result<LauncherOptions> finishCommand(const QCommandLineParser &parser,
                                      const LauncherOptions &options)
{
    const bool sourceOptions = parser.isSet(u"requirements"_s) || parser.isSet(u"find-links"_s) ||
                               parser.isSet(u"index-url"_s) || parser.isSet(u"no-index"_s);
    const bool outputSet = parser.isSet(u"output"_s);
    const QStringList positional = parser.positionalArguments();
    if (positional.value(0) != u"plugins" && (sourceOptions || options.json))
        return makeError(ErrorKind::Usage,
                         u"-r, --find-links, --index-url, --no-index and --json are options of "
                         "the plugins command"_s);
    if (positional.isEmpty()) {
        if (outputSet)
            return makeError(ErrorKind::Usage, u"-o is an option of the doctor command"_s);
        if (options.exitWhenReady && !options.headless)
            return makeError(ErrorKind::Usage, u"--exit-when-ready needs --headless"_s);
        return options;
    }
    const QString command = positional.constFirst();
    if (command == u"plugins")
        return finishPluginsCommand(positional, sourceOptions, outputSet, options);
    if (command == u"doctor")
        return finishDoctorCommand(positional, options);
    return makeError(ErrorKind::Usage,
                     u"unknown command '%1' (expected doctor or plugins)"_s.arg(command));
}

} // namespace

Result<LauncherOptions> parseLauncherArguments(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(launcherDescription());
    parser.addOptions(launcherOptionTable());
    parser.addPositionalArgument(u"command"_s, u"doctor or plugins; none to start the app."_s,
                                 u"[command]"_s);

    LauncherOptions options;
    if (!parser.parse(QStringList{u"deskpack-launcher"_s} + arguments))
        return makeError(ErrorKind::Usage, parser.errorText());
    options.helpText = parser.helpText();
    if (parser.isSet(u"help"_s)) {
        options.command = LauncherOptions::Command::Help;
        return options;
    }
    if (parser.isSet(u"version"_s)) {
        options.command = LauncherOptions::Command::Version;
        return options;
    }
    readOptionValues(parser, options);
    if (parser.isSet(u"bundle"_s) && options.bundleDir.isEmpty())
        return makeError(ErrorKind::Usage, u"--bundle needs a directory"_s);
    if (parser.isSet(u"data-dir"_s) && options.dataDir.isEmpty())
        return makeError(ErrorKind::Usage, u"--data-dir needs a directory"_s);
    return finishCommand(parser, options);
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
