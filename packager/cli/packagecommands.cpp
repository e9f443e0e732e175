// SPDX-License-Identifier: MIT
#include "packagecommands.h"

#include "commandline.h"
#include "package/package.h"

#include <QFileInfo>

using nlohmann::json;
using namespace Qt::Literals::StringLiterals;

namespace deskpack::cli {

int runPackageCommand(const QStringList &arguments)
{
    const QString command = u"deskpack package"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Verifies BUNDLE and packages it reproducibly: the same bundle gives the same bytes "
        "(docs/release-engineering.md). zip and tar formats carry the shared libraries and Qt "
        "plugins of the executables at the bundle root; deb installs to /opt/<app-id>."_s);
    const QCommandLineOption format(u"format"_s, u"zip, tar.gz, tar.zst, deb or installer."_s,
                                    u"FORMAT"_s);
    const QCommandLineOption out(
        u"out"_s, u"Write the package into DIR (default: beside the bundle)."_s, u"DIR"_s);
    const QCommandLineOption level(u"compression-level"_s,
                                   u"Compression level (default: the format's)."_s, u"N"_s);
    const QCommandLineOption maintainer(u"maintainer"_s,
                                        u"deb Maintainer (default: bundle.json \"maintainer\")."_s,
                                        u"NAME <EMAIL>"_s);
    const QCommandLineOption description(
        u"description"_s, u"deb long description (default: bundle.json \"description\")."_s,
        u"TEXT"_s);
    const QCommandLineOption depends(
        u"depends"_s,
        u"deb Depends, comma-separated, instead of asking dpkg which packages own the system "
        "libraries the bundle loads."_s,
        u"LIST"_s);
    const QCommandLineOption jsonOption = jsonReportOption();
    parser.addOptions({format, out, level, maintainer, description, depends, jsonOption});
    parser.addPositionalArgument(u"BUNDLE"_s, u"The bundle directory (from deskpack build)."_s);
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, u"expected exactly one BUNDLE directory"_s);
    if (!parser.isSet(format))
        return usageError(command,
                          u"--format is required (zip, tar.gz, tar.zst, deb, installer)"_s);
    const std::optional<package::PackageFormat> parsed =
        package::parsePackageFormat(parser.value(format));
    if (!parsed) {
        return usageError(command, u"--format %1: unknown format (zip, tar.gz, tar.zst, deb, "
                                   "installer)"_s.arg(parser.value(format)));
    }

    package::PackageOptions options;
    options.bundleDir = parser.positionalArguments().constFirst();
    options.format = *parsed;
    options.outDir = parser.value(out);
    options.maintainer = parser.value(maintainer);
    options.description = parser.value(description);
    if (parser.isSet(level)) {
        bool ok = false;
        options.compressionLevel = parser.value(level).toInt(&ok);
        if (!ok || options.compressionLevel < 0 || options.compressionLevel > 22)
            return usageError(command,
                              u"--compression-level %1: expected 0..22"_s.arg(parser.value(level)));
    }
    if (parser.isSet(depends)) {
        QStringList list;
        for (const QString &d : parser.value(depends).split(u','))
            if (!d.trimmed().isEmpty())
                list.append(d.trimmed());
        options.depends = list;
    }

    Result<package::PackageResult> r = package::packageBundle(options);
    if (!r)
        return fail(r.error());
    for (const QString &w : std::as_const(r->warnings))
        printErr(u"deskpack: warning: %1\n"_s.arg(w));
    if (parser.isSet(jsonOption)) {
        printJson({{"package", r->path.toStdString()},
                   {"format", package::packageFormatName(options.format).toStdString()},
                   {"sha256", r->sha256.toStdString()},
                   {"size", r->size},
                   {"entries", r->entries},
                   {"mtime", r->mtime},
                   {"launcher", r->launcher},
                   {"rootExecutables", jsonStrings(r->rootExecutables)},
                   {"bundledLibraries", jsonStrings(r->bundledLibraries)},
                   {"bundledPlugins", jsonStrings(r->bundledPlugins)},
                   {"depends", jsonStrings(r->depends)}});
    } else {
        printOut(r->path + u'\n');
    }
    printErr(u"deskpack: %1 (%2, %3 entries, sha256 %4)\n"_s.arg(
        QFileInfo(r->path).fileName(), megabytes(r->size), QString::number(r->entries),
        r->sha256.left(16)));
    return ExitOk;
}

} // namespace deskpack::cli
