// SPDX-License-Identifier: MIT
#include "sbomcommands.h"

#include "base/fileio.h"
#include "commandline.h"
#include "sbom/sbom.h"

#include <QFile>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::cli {

namespace {

const QCommandLineOption
    formatOption(u"format"_s, u"cyclonedx (CycloneDX 1.6) or spdx (SPDX 2.3)."_s, u"FORMAT"_s);
const QCommandLineOption outputOption(QStringList{u"o"_s, u"output"_s},
                                      u"Write the SBOM to FILE (atomically) instead of stdout."_s,
                                      u"FILE"_s);

} // namespace

int runSbomCommand(const QStringList &arguments)
{
    const QString command = u"deskpack sbom"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Writes the software bill of materials of BUNDLE: every core distribution (purl, licence, "
        "Requires-Dist edges), the Python runtime and its origin, the native libraries with the "
        "versions their files state, the launcher and its Qt. The same bundle gives the same "
        "bytes; the time is SOURCE_DATE_EPOCH (default 1980-01-01). "
        "See docs/release-engineering.md."_s);
    parser.addOptions({formatOption, outputOption});
    parser.addPositionalArgument(u"BUNDLE"_s, u"The bundle directory (from deskpack build)."_s);
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, u"expected exactly one BUNDLE directory"_s);
    const QString format = parser.value(formatOption);
    if (!parser.isSet(formatOption))
        return usageError(command, u"--format is required (cyclonedx, spdx)"_s);
    if (format != u"cyclonedx" && format != u"spdx")
        return usageError(command, u"--format %1: unknown format (cyclonedx, spdx)"_s.arg(format));

    Result<sbom::Inventory> inventory =
        sbom::collectInventory(parser.positionalArguments().first());
    if (!inventory)
        return fail(inventory.error());
    for (const QString &w : std::as_const(inventory->warnings))
        printErr(u"deskpack: warning: %1\n"_s.arg(w));
    const sbom::SbomOptions options = sbom::sbomOptionsFromEnvironment();
    const QByteArray document = format == u"spdx" ? sbom::toSpdx(*inventory, options)
                                                  : sbom::toCycloneDx(*inventory, options);
    if (!parser.isSet(outputOption)) {
        QFile out;
        if (!out.open(stdout, QIODevice::WriteOnly) || out.write(document) != document.size())
            return fail(makeError(ErrorKind::Environment, u"stdout: cannot write the SBOM"_s));
        return ExitOk;
    }
    const QString path = parser.value(outputOption);
    if (Result<void> written = writeFileAtomically(path, document); !written)
        return fail(written.error());
    printErr(u"deskpack: %1 (%2, %3 components)\n"_s.arg(
        path, format, QString::number(inventory->components.size())));
    return ExitOk;
}

} // namespace deskpack::cli
