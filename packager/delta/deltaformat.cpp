// SPDX-License-Identifier: MIT
// The delta file's header: writing it deterministically and reading it as
// hostile input (every path, offset and length checked before use).
#include "deltaformat.h"

#include "base/filehash.h"
#include "base/jsonaccess.h"
#include "base/jsontext.h"
#include "base/terminal.h"

#include <QCryptographicHash>
#include <QDir>
#include <QtEndian>

#include <limits>

using namespace Qt::Literals::StringLiterals;
using json = nlohmann::json;

namespace deskpack::delta {

namespace {

constexpr qint64 MaxInt = std::numeric_limits<qint64>::max();

const char *kindName(Operation::Kind kind)
{
    switch (kind) {
    case Operation::Kind::Same:
        return "same";
    case Operation::Kind::Patch:
        return "patch";
    case Operation::Kind::Whole:
        return "whole";
    }
    return "whole";
}

json operationJson(const Operation &op)
{
    json entry = {
        {"op", kindName(op.kind)}, {"size", op.size}, {"sha256", op.sha256.toStdString()}};
    if (op.kind != Operation::Kind::Whole)
        entry["from"] = op.from.toStdString();
    if (op.kind == Operation::Kind::Patch)
        entry["fromSha256"] = op.fromSha256.toStdString();
    if (op.kind != Operation::Kind::Same) {
        entry["offset"] = op.frame.offset;
        entry["length"] = op.frame.length;
    }
    return entry;
}

std::optional<QString> readPath(const JsonNode &node)
{
    const auto path = node.string();
    if (path && !isTreePath(*path)) {
        node.error(u"expected a relative path inside the tree, got %1"_s.arg(node.describe()));
        return std::nullopt;
    }
    return path;
}

std::optional<QString> readSha(const JsonNode &node)
{
    const auto sha = node.string();
    if (sha && !isSha256Hex(*sha)) {
        node.expected(u"64 hexadecimal digits"_s);
        return std::nullopt;
    }
    return sha ? std::optional<QString>(sha->toLower()) : std::nullopt;
}

Frame readFrame(const JsonNode &node, qint64 payloadSize)
{
    return Frame{node["offset"].integer(0, payloadSize).value_or(0),
                 node["length"].integer(1, payloadSize).value_or(0)};
}

void readOperation(const QString &path, const JsonNode &entry, qint64 payloadSize,
                   DeltaHeader &header)
{
    if (!entry.object())
        return;
    Operation op;
    op.path = path;
    const auto kind = entry["op"].string();
    if (kind == u"same")
        op.kind = Operation::Kind::Same;
    else if (kind == u"patch")
        op.kind = Operation::Kind::Patch;
    else if (kind == u"whole")
        op.kind = Operation::Kind::Whole;
    else if (kind)
        entry["op"].expected(u"\"same\", \"patch\" or \"whole\""_s);
    op.size = entry["size"].integer(0, MaxInt).value_or(0);
    op.sha256 = readSha(entry["sha256"]).value_or(QString());
    if (op.kind != Operation::Kind::Whole)
        op.from = readPath(entry["from"]).value_or(QString());
    if (op.kind == Operation::Kind::Same)
        op.fromSha256 = op.sha256;
    if (op.kind == Operation::Kind::Patch)
        op.fromSha256 = readSha(entry["fromSha256"]).value_or(QString());
    if (op.kind != Operation::Kind::Same)
        op.frame = readFrame(entry, payloadSize);
    header.operations.push_back(std::move(op));
}

// The frames must follow each other from 0 to the end of the file: nothing
// overlaps, nothing is hidden between them, nothing trails.
void checkTiling(const DeltaHeader &header, qint64 payloadSize, JsonProblems &problems)
{
    qint64 end = header.manifest.offset + header.manifest.length;
    if (header.manifest.offset != 0)
        problems.add(u"$.manifest.offset"_s, u"expected 0, the first frame"_s);
    for (const Operation &op : header.operations) {
        if (op.kind == Operation::Kind::Same)
            continue;
        if (op.frame.offset != end)
            problems.add(
                jsonMemberPath(u"$.files"_s, op.path.toStdString()),
                u"frame at %1, expected %2 (frames follow each other)"_s.arg(op.frame.offset)
                    .arg(end));
        end = op.frame.offset + op.frame.length;
    }
    if (problems.isEmpty() && end != payloadSize)
        problems.add(u"$"_s,
                     u"the frames end at %1 of %2 payload bytes"_s.arg(end).arg(payloadSize));
}

} // namespace

bool isTreePath(const QString &path)
{
    return !path.isEmpty() && !QDir::isAbsolutePath(path) && QDir::cleanPath(path) == path &&
           path != u"." && path != u".." && !path.startsWith(u"../") && !path.contains(QChar(0)) &&
           !path.contains(u'\\') && path != QLatin1StringView("bundle.json");
}

QByteArray serializeHeader(const DeltaHeader &header)
{
    json files = json::object();
    for (const Operation &op : header.operations)
        files[op.path.toStdString()] = operationJson(op);
    json removed = json::array();
    for (const QString &path : header.removed)
        removed.push_back(path.toStdString());
    const json document = {{"format", "deskpack-delta"},
                           {"schema", SchemaVersion},
                           {"appId", header.appId.toStdString()},
                           {"fromVersion", header.fromVersion.toStdString()},
                           {"toVersion", header.toVersion.toStdString()},
                           {"manifest",
                            {{"offset", header.manifest.offset},
                             {"length", header.manifest.length},
                             {"size", header.manifestSize},
                             {"sha256", header.manifestSha256.toStdString()}}},
                           {"files", files},
                           {"removed", removed}};
    return jsonDocumentText(document);
}

QByteArray encodePrefix(const QByteArray &headerText)
{
    QByteArray prefix(Magic, MagicSize);
    char length[8];
    qToLittleEndian<quint64>(quint64(headerText.size()), length);
    prefix.append(length, 8);
    prefix.append(QCryptographicHash::hash(headerText, QCryptographicHash::Sha256));
    return prefix;
}

Result<DeltaHeader> parseHeader(QByteArrayView text, qint64 payloadSize, const QString &fileName)
{
    Result<json> parsed = parseJsonText(text, fileName, 8);
    if (!parsed)
        return makeError(ErrorKind::Invalid, parsed.error().message);
    JsonProblems problems(fileName);
    const JsonNode root(*parsed, problems);
    if (!root.object())
        return problems.toError(ErrorKind::Invalid);
    if (root["format"].string() != u"deskpack-delta")
        root["format"].expected(u"\"deskpack-delta\""_s);
    (void)root["schema"].integer(SchemaVersion, SchemaVersion);
    DeltaHeader header;
    header.appId = root["appId"].nonEmptyString().value_or(QString());
    header.fromVersion = root["fromVersion"].nonEmptyString().value_or(QString());
    header.toVersion = root["toVersion"].nonEmptyString().value_or(QString());
    const JsonNode manifest = root["manifest"];
    if (manifest.object()) {
        header.manifest = readFrame(manifest, payloadSize);
        header.manifestSize = manifest["size"].integer(1, 256 << 20).value_or(0);
        header.manifestSha256 = readSha(manifest["sha256"]).value_or(QString());
    }
    if (root["files"].object()) {
        for (const auto &[path, entry] : root["files"].members()) {
            if (isTreePath(path))
                readOperation(path, entry, payloadSize, header);
            else
                entry.error(u"not a relative path inside the tree"_s);
        }
    }
    if (root["removed"].array()) {
        for (const JsonNode &element : root["removed"].elements())
            header.removed.append(readPath(element).value_or(QString()));
    }
    if (problems.isEmpty())
        checkTiling(header, payloadSize, problems);
    if (!problems.isEmpty())
        return problems.toError(ErrorKind::Invalid);
    return header;
}

} // namespace deskpack::delta
