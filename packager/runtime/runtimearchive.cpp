// SPDX-License-Identifier: MIT
#include "runtimearchive.h"
#include "base/fileio.h"
#include "base/terminal.h"

#include "archive/archivewriter.h"
#include "archive/extractor.h"
#include "base/filehash.h"
#include "base/jsonaccess.h"
#include "base/jsontext.h"
#include "runtime/elfaudit.h"
#include "runtime/runtimelogging.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <limits>

using namespace Qt::Literals::StringLiterals;

using nlohmann::json;

namespace deskpack::runtime {

namespace {

const QString StampName = u".deskpack-complete"_s;
// Bumped when what happens to an extracted tree changes, so older cache
// entries are extracted again: 2 = ELF search paths normalised.
constexpr int StampFormat = 2;
const QString TopLevel = u"python"_s;

// A complete cache entry: the stamp names the hash and the interpreter exists.
std::optional<CachedRuntime> completeEntry(const QString &entry, const QString &sha256)
{
    QFile stamp(entry + u'/' + StampName);
    if (!stamp.open(QIODevice::ReadOnly))
        return std::nullopt;
    // A damaged stamp only means the entry is rebuilt.
    Result<json> doc = parseJsonText(stamp.read(1 << 16), stamp.fileName());
    if (!doc)
        return std::nullopt;
    JsonProblems ignored(stamp.fileName());
    const JsonNode root(*doc, ignored);
    if (root["sha256"].string(Presence::Optional) != sha256 ||
        root["format"].integer(StampFormat, StampFormat, Presence::Optional) != StampFormat)
        return std::nullopt;
    Result<QString> interpreter = findInterpreter(entry + u'/' + TopLevel);
    if (!interpreter)
        return std::nullopt;
    return CachedRuntime{entry + u'/' + TopLevel, *interpreter, sha256, true};
}

// An extracted archive is a runtime only with exactly one interpreter, every
// ELF file for this machine, and every library it needs inside it or in the
// base system; its search paths are then made $ORIGIN-relative, so the cache
// entry (and every bundle copied from it) runs wherever it is moved.
Result<void> checkArchiveRuntime(const QString &root, const QString &archivePath)
{
    Result<QString> interpreter = findInterpreter(root);
    if (!interpreter) {
        return makeError(ErrorKind::Unreadable,
                         u"%1: not an install_only runtime: no python/bin/python3.X "
                         "or python/bin/python3"_s.arg(archivePath));
    }
    QStringList distinct;
    QStringList names;
    const QFileInfoList bin =
        QDir(root + u"/bin"_s).entryInfoList({u"python3.*"_s}, QDir::Files, QDir::Name);
    static const QRegularExpression versioned(u"^python3\\.\\d+\\z"_s);
    for (const QFileInfo &entry : bin) {
        if (!versioned.match(entry.fileName()).hasMatch())
            continue;
        const QString target = entry.canonicalFilePath();
        if (!distinct.contains(target)) {
            distinct.append(target);
            names.append(TopLevel + u"/bin/"_s + entry.fileName());
        }
    }
    if (distinct.size() > 1) {
        return makeError(ErrorKind::Unreadable,
                         u"%1: more than one interpreter (%2); an install_only "
                         "runtime has exactly one"_s.arg(archivePath, names.join(u", "_s)));
    }
    ElfNormalizeOptions elf;
    elf.missing = MissingLibraries::Fail;
    elf.source = archivePath;
    elf.displayPrefix = TopLevel + u'/';
    Result<ElfNormalizeReport> normalized = normalizeElfTree(root, elf);
    if (!normalized)
        return normalized.error();
    for (const QString &line : std::as_const(normalized->rewritten))
        qCInfo(lcRuntime).noquote() << archivePath << line;
    return {};
}

} // namespace

QByteArray serializeRuntimeMetadata(const RuntimeMetadata &m)
{
    const json doc = {
        {"abi_tag", m.abiTag.toStdString()},
        {"archive", m.archive.toStdString()},
        {"implementation", m.implementation.toStdString()},
        {"interpreter", m.interpreter.toStdString()},
        {"layout", "install_only"},
        {"platform_tag", m.platformTag.toStdString()},
        {"python_version", m.pythonVersion.toStdString()},
        {"schema", 1},
        {"sha256", m.sha256.toStdString()},
        {"size", m.size},
    };
    return jsonDocumentText(doc);
}

Result<RuntimeMetadata> readRuntimeMetadata(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot open: %2"_s.arg(path, file.errorString()));
    }
    Result<json> doc = parseJsonText(file.read(1 << 20), path);
    if (!doc)
        return doc.error();
    JsonProblems problems(path);
    const JsonNode root(*doc, problems);
    RuntimeMetadata m;
    if (root.object()) {
        m.pythonVersion = root["python_version"].nonEmptyString().value_or(QString());
        m.implementation = root["implementation"].string(Presence::Optional).value_or(QString());
        m.abiTag = root["abi_tag"].string(Presence::Optional).value_or(QString());
        m.platformTag = root["platform_tag"].string(Presence::Optional).value_or(QString());
        m.interpreter = root["interpreter"].string(Presence::Optional).value_or(QString());
        m.archive = root["archive"].string(Presence::Optional).value_or(QString());
        if (const auto sha = root["sha256"].string()) {
            if (deskpack::isSha256Hex(*sha))
                m.sha256 = *sha;
            else
                root["sha256"].expected(u"64 hexadecimal digits"_s);
        }
        m.size = root["size"]
                     .integer(0, std::numeric_limits<qint64>::max(), Presence::Optional)
                     .value_or(0);
    }
    if (!problems.isEmpty())
        return problems.toError(ErrorKind::Unreadable);
    return m;
}

Result<PackedRuntime> packHostRuntime(const QString &hostInterpreter, const QString &archivePath,
                                      const PackOptions &options)
{
    const QString output = QFileInfo(archivePath).absoluteFilePath();
    if (!archive::formatForFileName(output)) {
        return makeError(ErrorKind::Usage,
                         u"%1: unknown archive type (use .tar.gz, .tar.xz, .tar.zst "
                         "or .zip)"_s.arg(archivePath));
    }
    QTemporaryDir work(QDir::tempPath() + u"/deskpack-runtime-XXXXXX"_s);
    if (!work.isValid())
        return makeError(ErrorKind::Environment, u"cannot create a temporary directory"_s);
    Result<HostRuntime> runtime =
        copyHostRuntime(hostInterpreter, work.path() + u'/' + TopLevel, {options.excludedModules});
    if (!runtime)
        return runtime.error();

    archive::WriteOptions write;
    write.mtime = options.mtime >= 0 ? options.mtime : sourceDateEpoch(ZipEpochSeconds);
    write.topLevel = TopLevel;
    Result<archive::WriteSummary> written = archive::writeArchive(runtime->root, output, write);
    if (!written)
        return written.error();

    PackedRuntime packed;
    packed.archivePath = output;
    packed.metadataPath = output + u".json"_s;
    packed.runtimeBytes = written->contentBytes;
    packed.entries = written->entries;
    RuntimeMetadata &m = packed.metadata;
    m.pythonVersion = runtime->info.version;
    m.implementation = runtime->info.implementation;
    m.abiTag = runtime->info.abiTag;
    m.platformTag = runtime->info.platformTag;
    m.interpreter = TopLevel + u"/bin/python"_s + runtime->info.versionShort;
    m.archive = QFileInfo(output).fileName();
    m.sha256 = written->sha256;
    m.size = written->archiveSize;
    if (Result<void> done = writeFileAtomically(packed.metadataPath, serializeRuntimeMetadata(m));
        !done) {
        return done.error();
    }
    return packed;
}

QString defaultRuntimeCacheDir()
{
    QString base = qEnvironmentVariable("XDG_CACHE_HOME");
    if (base.isEmpty() || !QDir::isAbsolutePath(base))
        base = QDir::homePath() + u"/.cache"_s;
    return base + u"/deskpack/runtimes"_s;
}

Result<CachedRuntime> runtimeFromArchive(const QString &archivePath, const QString &expectedSha256,
                                         const QString &cacheDir)
{
    QString sha256 = expectedSha256.toLower();
    if (sha256.isEmpty()) {
        Result<QString> computed = deskpack::sha256OfFile(archivePath);
        if (!computed)
            return computed.error();
        sha256 = *computed;
    } else if (!deskpack::isSha256Hex(sha256)) {
        return makeError(ErrorKind::Usage,
                         u"'%1' is not a SHA-256 (expected 64 hex digits)"_s.arg(expectedSha256));
    }
    const QString cache = cacheDir.isEmpty() ? defaultRuntimeCacheDir() : cacheDir;
    const QString entry = QDir::cleanPath(QFileInfo(cache).absoluteFilePath()) + u'/' + sha256;

    if (std::optional<CachedRuntime> cached = completeEntry(entry, sha256)) {
        // Still prove the archive is the one the config pins: a cache hit must
        // not hide a corrupted or swapped download.
        if (Result<void> verified = deskpack::verifySha256(archivePath, sha256); !verified)
            return verified.error();
        return *cached;
    }

    archive::ExtractOptions options;
    options.expectedSha256 = sha256;
    options.replaceExisting = true; // an entry without the stamp is a leftover
    options.beforeCommit = [&](const QString &staging) -> Result<void> {
        if (Result<void> checked = checkArchiveRuntime(staging + u'/' + TopLevel, archivePath);
            !checked)
            return checked;
        const json stamp = {{"sha256", sha256.toStdString()},
                            {"archive", QFileInfo(archivePath).fileName().toStdString()},
                            {"format", StampFormat}};
        return writeFileAtomically(staging + u'/' + StampName,
                                   jsonDocumentText(stamp));
    };
    Result<archive::ExtractSummary> extracted =
        archive::extractArchive(archivePath, entry, options);
    if (!extracted) {
        // Another build may have finished the same entry meanwhile.
        if (std::optional<CachedRuntime> cached = completeEntry(entry, sha256))
            return *cached;
        return extracted.error();
    }
    std::optional<CachedRuntime> fresh = completeEntry(extracted->destination, sha256);
    if (!fresh) {
        return makeError(ErrorKind::Environment,
                         u"%1: extraction finished but is incomplete"_s.arg(entry));
    }
    fresh->reused = false;
    return *fresh;
}

} // namespace deskpack::runtime
