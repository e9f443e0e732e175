// SPDX-License-Identifier: MIT
#include "runtimecommands.h"

#include "commandline.h"
#include "runtime/runtimearchive.h"

#include <QFileInfo>

using nlohmann::json;

namespace deskpack::cli {

namespace {

using namespace deskpack::runtime;

const QCommandLineOption jsonOption(QStringLiteral("json"),
                                    QStringLiteral("Machine-readable report on stdout."));

json metadataToJson(const RuntimeMetadata &m)
{
    return json::parse(serializeRuntimeMetadata(m).toStdString());
}

int pack(const QStringList &arguments)
{
    const QString command = QStringLiteral("deskpack runtime pack");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Copies a host interpreter into a relocatable runtime and writes it as an "
        "install_only-style archive (top directory python/) plus FILE.json with its version, "
        "tags and SHA-256. Entry times come from SOURCE_DATE_EPOCH (default 1980-01-01), so "
        "packing twice gives the same bytes."));
    const QCommandLineOption python(
        QStringLiteral("python"), QStringLiteral("The host interpreter, e.g. /usr/bin/python3.11."),
        QStringLiteral("EXE"));
    const QCommandLineOption output({QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("The archive to write (.tar.gz, .tar.xz, "
                                                   ".tar.zst or .zip)."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption exclude(QStringLiteral("exclude"),
                                     QStringLiteral("Leave out a stdlib module and its extension "
                                                    "modules (repeatable), e.g. tkinter."),
                                     QStringLiteral("MODULE"));
    parser.addOptions({python, output, exclude, jsonOption});
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (!parser.positionalArguments().isEmpty())
        return usageError(command, QStringLiteral("unexpected argument '%1'")
                                       .arg(parser.positionalArguments().constFirst()));
    if (!parser.isSet(python) || !parser.isSet(output))
        return usageError(command, QStringLiteral("give --python EXE and -o FILE"));

    PackOptions options;
    options.excludedModules = parser.values(exclude);
    Result<PackedRuntime> packed =
        packHostRuntime(parser.value(python), parser.value(output), options);
    if (!packed)
        return fail(packed.error());
    if (parser.isSet(jsonOption)) {
        json doc = metadataToJson(packed->metadata);
        doc["archive_path"] = packed->archivePath.toStdString();
        doc["metadata_path"] = packed->metadataPath.toStdString();
        doc["runtime_bytes"] = packed->runtimeBytes;
        doc["entries"] = packed->entries;
        printJson(doc);
    }
    printErr(QStringLiteral("deskpack: wrote %1 (Python %2, %3 from %4 of files, sha256 %5)\n")
                 .arg(packed->archivePath, packed->metadata.pythonVersion,
                      megabytes(packed->metadata.size), megabytes(packed->runtimeBytes),
                      packed->metadata.sha256));
    return ExitOk;
}

int extract(const QStringList &arguments)
{
    const QString command = QStringLiteral("deskpack runtime extract");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Checks an install_only runtime archive's SHA-256, extracts it safely into the runtime "
        "cache (reusing a complete earlier extraction) and prints the interpreter's path."));
    const QCommandLineOption sha256(QStringLiteral("sha256"),
                                    QStringLiteral("The archive's expected SHA-256."),
                                    QStringLiteral("HEX"));
    const QCommandLineOption cacheDir(
        QStringLiteral("cache-dir"),
        QStringLiteral("The runtime cache (default %1).").arg(defaultRuntimeCacheDir()),
        QStringLiteral("DIR"));
    parser.addOptions({sha256, cacheDir, jsonOption});
    parser.addPositionalArgument(QStringLiteral("ARCHIVE"), QStringLiteral("The runtime archive."));
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, QStringLiteral("expected exactly one ARCHIVE"));

    Result<CachedRuntime> runtime = runtimeFromArchive(
        parser.positionalArguments().constFirst(), parser.value(sha256), parser.value(cacheDir));
    if (!runtime)
        return fail(runtime.error());
    if (parser.isSet(jsonOption)) {
        printJson({{"root", runtime->root.toStdString()},
                   {"interpreter", runtime->interpreter.toStdString()},
                   {"sha256", runtime->sha256.toStdString()},
                   {"reused", runtime->reused}});
    } else {
        printOut(runtime->interpreter + u'\n');
    }
    printErr(QStringLiteral("deskpack: %1 %2\n")
                 .arg(runtime->reused ? QStringLiteral("reused") : QStringLiteral("extracted"),
                      runtime->root));
    return ExitOk;
}

} // namespace

int runRuntimeCommand(const QStringList &arguments)
{
    const QString sub = arguments.value(0);
    const QStringList rest = arguments.mid(1);
    if (sub == u"pack")
        return pack(rest);
    if (sub == u"extract")
        return extract(rest);
    if (sub == u"--help" || sub == u"-h" || sub.isEmpty()) {
        (sub.isEmpty() ? printErr : printOut)(
            QStringLiteral("Usage: deskpack runtime pack|extract [options]\n"
                           "  pack     write a host interpreter as a relocatable runtime archive\n"
                           "  extract  check and extract a runtime archive into the cache\n"));
        return sub.isEmpty() ? ExitUsage : ExitOk;
    }
    return usageError(QStringLiteral("deskpack runtime"),
                      QStringLiteral("unknown command '%1' (expected pack or extract)").arg(sub));
}

} // namespace deskpack::cli
