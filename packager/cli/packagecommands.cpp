// SPDX-License-Identifier: MIT
#include "packagecommands.h"

#include "commandline.h"
#include "package/package.h"

#include <QFileInfo>

using nlohmann::json;
using namespace Qt::Literals::StringLiterals;

namespace deskpack::cli {

namespace {

const QCommandLineOption formatOption(u"format"_s, u"zip, tar.gz, tar.zst, deb or installer."_s,
                                      u"FORMAT"_s);
const QCommandLineOption
    outOption(u"out"_s, u"Write the package into DIR (default: beside the bundle)."_s, u"DIR"_s);
const QCommandLineOption levelOption(u"compression-level"_s,
                                     u"Compression level (default: the format's)."_s, u"N"_s);
const QCommandLineOption
    maintainerOption(u"maintainer"_s, u"deb Maintainer (default: bundle.json \"maintainer\")."_s,
                     u"NAME <EMAIL>"_s);
const QCommandLineOption
    descriptionOption(u"description"_s,
                      u"deb long description (default: bundle.json \"description\")."_s, u"TEXT"_s);
const QCommandLineOption dependsOption(
    u"depends"_s,
    u"deb Depends, comma-separated, instead of asking dpkg which packages own the system "
    "libraries the bundle loads."_s,
    u"LIST"_s);
const QCommandLineOption jsonOption = jsonReportOption();

// Fills `options` from the parsed command line. Returns -1 (go on), or the
// exit code of the usage error it printed.
int readPackageOptions(const QCommandLineParser &parser, const QString &command,
                       package::PackageOptions &options)
{
    if (parser.positionalArguments().size() != 1)
        return usageError(command, u"expected exactly one BUNDLE directory"_s);
    if (!parser.isSet(formatOption))
        return usageError(command,
                          u"--format is required (zip, tar.gz, tar.zst, deb, installer)"_s);
    const std::optional<package::PackageFormat> parsed =
        package::parsePackageFormat(parser.value(formatOption));
    if (!parsed) {
        return usageError(command, u"--format %1: unknown format (zip, tar.gz, tar.zst, deb, "
                                   "installer)"_s.arg(parser.value(formatOption)));
    }
    options.bundleDir = parser.positionalArguments().constFirst();
    options.format = *parsed;
    options.outDir = parser.value(outOption);
    options.maintainer = parser.value(maintainerOption);
    options.description = parser.value(descriptionOption);
    if (parser.isSet(levelOption)) {
        bool ok = false;
        options.compressionLevel = parser.value(levelOption).toInt(&ok);
        if (!ok || options.compressionLevel < 0 || options.compressionLevel > 22)
            return usageError(command, u"--compression-level %1: expected 0..22"_s.arg(
                                           parser.value(levelOption)));
    }
    if (parser.isSet(dependsOption)) {
        QStringList list;
        for (const QString &d : parser.value(dependsOption).split(u','))
            if (!d.trimmed().isEmpty())
                list.append(d.trimmed());
        options.depends = list;
    }
    return -1;
}

void printPackageReport(const package::PackageResult &r, package::PackageFormat format, bool asJson)
{
    for (const QString &w : std::as_const(r.warnings))
        printErr(u"deskpack: warning: %1\n"_s.arg(w));
    if (asJson) {
        printJson({{"package", r.path.toStdString()},
                   {"format", package::packageFormatName(format).toStdString()},
                   {"sha256", r.sha256.toStdString()},
                   {"size", r.size},
                   {"entries", r.entries},
                   {"mtime", r.mtime},
                   {"launcher", r.launcher},
                   {"rootExecutables", jsonStrings(r.rootExecutables)},
                   {"bundledLibraries", jsonStrings(r.bundledLibraries)},
                   {"bundledPlugins", jsonStrings(r.bundledPlugins)},
                   {"depends", jsonStrings(r.depends)}});
    } else {
        printOut(r.path + u'\n');
    }
    printErr(u"deskpack: %1 (%2, %3 entries, sha256 %4)\n"_s.arg(
        QFileInfo(r.path).fileName(), megabytes(r.size), QString::number(r.entries),
        r.sha256.left(16)));
}

} // namespace

int runPackageCommand(const QStringList &arguments)
{
    const QString command = u"deskpack package"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Verifies BUNDLE and packages it reproducibly: the same bundle gives the same bytes "
        "(docs/release-engineering.md). zip and tar formats carry the shared libraries and Qt "
        "plugins of the executables at the bundle root; deb installs to /opt/<app-id>."_s);
    parser.addOptions({formatOption, outOption, levelOption, maintainerOption, descriptionOption,
                       dependsOption, jsonOption});
    parser.addPositionalArgument(u"BUNDLE"_s, u"The bundle directory (from deskpack build)."_s);
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    package::PackageOptions options;
    if (const int code = readPackageOptions(parser, command, options); code >= 0)
        return code;

    Result<package::PackageResult> r = package::packageBundle(options);
    if (!r)
        return fail(r.error());
    printPackageReport(*r, options.format, parser.isSet(jsonOption));
    return ExitOk;
}

} // namespace deskpack::cli
