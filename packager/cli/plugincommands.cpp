// SPDX-License-Identifier: MIT
#include "plugincommands.h"

#include "commandline.h"
#include "runner/plugins/pluginboundary.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::cli {

namespace {

// The plugin's name in messages: as given, else its requirements file's folder.
QString pluginName(const QString &given, const QString &requirementsPath)
{
    if (!given.isEmpty())
        return given;
    const QString folder = QFileInfo(requirementsPath).absoluteDir().dirName();
    return plugins::isValidPluginName(folder) ? folder : u"plugin"_s;
}

int reportCheck(const plugins::CheckResult &result, const QString &requirementsPath,
                const QString &plugin, const QString &bundleDir, bool asJson)
{
    if (asJson)
        printJson(result.toJson());
    for (const plugins::Clash &clash : std::as_const(result.clashes))
        printErr(u"%1: %2\n"_s.arg(requirementsPath, clash.message()));
    if (!result.ok())
        return ExitProblems;
    int added = 0;
    for (const plugins::ResolvedDistribution &d : std::as_const(result.resolution))
        added += d.where == u"new" ? 1 : 0;
    printErr(u"%1: plugin %2 fits beside the core of %3 (%4 distributions to add, %5 resolved)\n"_s
                 .arg(requirementsPath, plugin, bundleDir)
                 .arg(added)
                 .arg(result.resolution.size()));
    return ExitOk;
}

int runCheck(const QStringList &arguments)
{
    const QString command = u"deskpack plugin check"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Resolves a plugin's requirements against a bundle's core with the bundle's own pip, "
        "every core distribution pinned and installed, and reports each clash with the core "
        "pin it hits. Exit 1 on a clash."_s);
    const QCommandLineOption bundleOption(u"bundle"_s, u"The app bundle."_s, u"BUNDLE"_s);
    const QCommandLineOption requirementsOption({u"r"_s, u"requirements"_s},
                                                u"The plugin's requirements file."_s, u"FILE"_s);
    const QCommandLineOption findLinksOption(
        u"find-links"_s, u"A directory of distributions (repeatable)."_s, u"DIR"_s);
    const QCommandLineOption indexOption(u"index-url"_s, u"A PEP 503 simple index."_s, u"URL"_s);
    const QCommandLineOption noIndexOption(u"no-index"_s, u"Use no package index."_s);
    const QCommandLineOption nameOption(
        u"plugin"_s, u"The plugin's name in messages (default: the requirements file's folder)."_s,
        u"NAME"_s);
    const QCommandLineOption dataOption(
        u"data-dir"_s, u"Also see the plugins installed in this data dir as installed."_s,
        u"DIR"_s);
    const QCommandLineOption jsonOption = jsonReportOption();
    parser.addOptions({bundleOption, requirementsOption, findLinksOption, indexOption,
                       noIndexOption, nameOption, dataOption, jsonOption});
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (!parser.isSet(bundleOption) || !parser.isSet(requirementsOption))
        return usageError(command, u"--bundle and -r are required"_s);
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            command, u"unexpected argument '%1'"_s.arg(parser.positionalArguments().constFirst()));

    const QString requirementsPath = parser.value(requirementsOption);
    Result<QList<plugins::RequirementLine>> requirements =
        plugins::readRequirementsFile(requirementsPath);
    if (!requirements)
        return fail(requirements.error());
    const QString plugin = pluginName(parser.value(nameOption), requirementsPath);

    plugins::PluginBoundary::Options options;
    options.bundleDir = QFileInfo(parser.value(bundleOption)).absoluteFilePath();
    options.dataDir = parser.value(dataOption);
    Result<plugins::PluginBoundary> boundary = plugins::PluginBoundary::open(options);
    if (!boundary)
        return fail(boundary.error());
    plugins::PluginSources sources;
    for (const QString &dir : parser.values(findLinksOption))
        sources.findLinks.append(QFileInfo(dir).absoluteFilePath());
    sources.indexUrl = parser.value(indexOption);
    sources.noIndex = parser.isSet(noIndexOption);
    Result<plugins::CheckResult> result = boundary->check(plugin, *requirements, sources);
    if (!result)
        return fail(result.error());
    return reportCheck(*result, requirementsPath, plugin, options.bundleDir,
                       parser.isSet(jsonOption));
}

} // namespace

int runPluginCommand(const QStringList &arguments)
{
    const QString sub = arguments.value(0);
    if (sub == u"check")
        return runCheck(arguments.mid(1));
    const QString usage = u"Usage: deskpack plugin check --bundle BUNDLE -r REQUIREMENTS "
                          "[--find-links DIR] [--index-url URL] [--no-index] [--json]\n"_s;
    if (sub == u"--help" || sub == u"-h") {
        printOut(usage);
        return ExitOk;
    }
    printErr(sub.isEmpty() ? usage
                           : u"deskpack plugin: unknown command '%1'\n%2"_s.arg(sub, usage));
    return ExitUsage;
}

} // namespace deskpack::cli
