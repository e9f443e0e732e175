// SPDX-License-Identifier: MIT
#include "runtimecommands.h"

#include "commandline.h"
#include "runtime/runtimearchive.h"

#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

using nlohmann::json;

namespace deskpack::cli {

namespace {

using namespace deskpack::runtime;

const QCommandLineOption jsonOption = jsonReportOption();

json metadataToJson(const RuntimeMetadata &m)
{
    return json::parse(serializeRuntimeMetadata(m).toStdString());
}

int pack(const QStringList &arguments)
{
    const QString command = u"deskpack runtime pack"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Copies a host interpreter into a relocatable runtime and writes it as an "
        "install_only-style archive (top directory python/) plus FILE.json with its version, "
        "tags and SHA-256. Entry times come from SOURCE_DATE_EPOCH (default 1980-01-01), so "
        "packing twice gives the same bytes."_s);
    const QCommandLineOption python(u"python"_s,
                                    u"The host interpreter, e.g. /usr/bin/python3.11."_s, u"EXE"_s);
    const QCommandLineOption output({u"o"_s, u"output"_s},
                                    u"The archive to write (.tar.gz, .tar.xz, "
                                    ".tar.zst or .zip)."_s,
                                    u"FILE"_s);
    const QCommandLineOption exclude(u"exclude"_s,
                                     u"Leave out a stdlib module and its extension "
                                     "modules (repeatable), e.g. tkinter."_s,
                                     u"MODULE"_s);
    parser.addOptions({python, output, exclude, jsonOption});
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            command, u"unexpected argument '%1'"_s.arg(parser.positionalArguments().constFirst()));
    if (!parser.isSet(python) || !parser.isSet(output))
        return usageError(command, u"give --python EXE and -o FILE"_s);

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
    printErr(u"deskpack: wrote %1 (Python %2, %3 from %4 of files, sha256 %5)\n"_s.arg(
        packed->archivePath, packed->metadata.pythonVersion, megabytes(packed->metadata.size),
        megabytes(packed->runtimeBytes), packed->metadata.sha256));
    return ExitOk;
}

int extract(const QStringList &arguments)
{
    const QString command = u"deskpack runtime extract"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Checks an install_only runtime archive's SHA-256, extracts it safely into the runtime "
        "cache (reusing a complete earlier extraction) and prints the interpreter's path."_s);
    const QCommandLineOption sha256(u"sha256"_s, u"The archive's expected SHA-256."_s, u"HEX"_s);
    const QCommandLineOption cacheDir(
        u"cache-dir"_s, u"The runtime cache (default %1)."_s.arg(defaultRuntimeCacheDir()),
        u"DIR"_s);
    parser.addOptions({sha256, cacheDir, jsonOption});
    parser.addPositionalArgument(u"ARCHIVE"_s, u"The runtime archive."_s);
    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, u"expected exactly one ARCHIVE"_s);

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
    printErr(
        u"deskpack: %1 %2\n"_s.arg(runtime->reused ? u"reused"_s : u"extracted"_s, runtime->root));
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
            u"Usage: deskpack runtime pack|extract [options]\n"
            "  pack     write a host interpreter as a relocatable runtime archive\n"
            "  extract  check and extract a runtime archive into the cache\n"_s);
        return sub.isEmpty() ? ExitUsage : ExitOk;
    }
    return usageError(u"deskpack runtime"_s,
                      u"unknown command '%1' (expected pack or extract)"_s.arg(sub));
}

} // namespace deskpack::cli
