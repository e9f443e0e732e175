// SPDX-License-Identifier: MIT
#include "installerformat.h"
#include "appid.h"
#include "base/sha256.h"

#include "base/jsonaccess.h"
#include "base/jsontext.h"
#include "base/terminal.h"

#include <QFile>
#include <QtEndian>

#include <cstring>

using nlohmann::json;
using namespace Qt::Literals::StringLiterals;

namespace deskpack::formats {

namespace {

constexpr qint64 MaxHeaderSize = 16 << 20;

std::string s(const QString &text)
{
    return text.toStdString();
}

void putU64(QByteArray &out, qint64 value)
{
    char buffer[8];
    qToLittleEndian<quint64>(quint64(value), buffer);
    out.append(buffer, 8);
}

qint64 getU64(const char *data)
{
    const quint64 v = qFromLittleEndian<quint64>(data);
    return v > quint64(std::numeric_limits<qint64>::max()) ? -1 : qint64(v);
}

} // namespace

QByteArray serializeInstallerHeader(const InstallerHeader &h)
{
    json root;
    root["schema"] = InstallerHeader::SchemaVersion;
    root["id"] = s(h.id);
    root["name"] = s(h.name);
    root["version"] = s(h.version);
    root["licence"] = h.licence.isEmpty() ? json(nullptr) : json(s(h.licence));
    root["icon"] = h.icon.isEmpty() ? json(nullptr) : json(h.icon.toBase64().toStdString());
    root["iconName"] = h.iconName.isEmpty() ? json(nullptr) : json(s(h.iconName));
    root["launcher"] = s(h.launcher);
    root["payloadFormat"] = s(h.payloadFormat);
    return jsonDocumentText(root);
}

Result<InstallerHeader> parseInstallerHeader(QByteArrayView data, const QString &fileName)
{
    Result<json> parsed = parseJsonText(data, fileName, 8);
    if (!parsed)
        return parsed.error();
    JsonProblems problems(fileName);
    const JsonNode root(*parsed, problems);
    if (!root.object())
        return problems.toError(ErrorKind::Unreadable);
    if (root["schema"].integer(1, 1000) != std::optional<qint64>(InstallerHeader::SchemaVersion)) {
        root["schema"].error(u"unsupported installer header (this installer reads schema %1)"_s.arg(
            InstallerHeader::SchemaVersion));
        return problems.toError(ErrorKind::Unreadable);
    }
    InstallerHeader h;
    h.id = root["id"].nonEmptyString().value_or(QString());
    // The id names directories (~/.local/opt/<id>, the data dir): no walking out.
    if (!h.id.isEmpty() && !isValidAppId(h.id)) {
        root["id"].expected(u"an app id"_s);
        h.id.clear();
    }
    h.name = root["name"].nonEmptyString().value_or(QString());
    h.version = root["version"].nonEmptyString().value_or(QString());
    if (!h.version.isEmpty() && (h.version.contains(u'/') || h.version.startsWith(u'.'))) {
        root["version"].expected(u"a version usable as a directory name"_s);
        h.version.clear();
    }
    h.licence = root["licence"].string(Presence::Optional).value_or(QString());
    if (const auto icon = root["icon"].string(Presence::Optional))
        h.icon = QByteArray::fromBase64(icon->toLatin1());
    h.iconName = root["iconName"].string(Presence::Optional).value_or(QString());
    if (h.iconName.contains(u'/') || h.iconName.startsWith(u'.')) {
        root["iconName"].expected(u"a file name"_s);
        h.iconName.clear();
    }
    h.launcher = root["launcher"].nonEmptyString().value_or(QString());
    // ~/.local/bin/<id> links to current/<launcher>: a file name, nothing more.
    if (h.launcher.contains(u'/') || h.launcher.startsWith(u'.')) {
        root["launcher"].expected(u"a file name"_s);
        h.launcher.clear();
    }
    h.payloadFormat = root["payloadFormat"].nonEmptyString().value_or(QString());
    if (!h.payloadFormat.isEmpty() && h.payloadFormat != u"tar.zst" && h.payloadFormat != u"tar.gz")
        root["payloadFormat"].expected(u"\"tar.zst\" or \"tar.gz\""_s);
    if (!problems.isEmpty())
        return problems.toError(ErrorKind::Unreadable);
    return h;
}

QByteArray serializeInstallerTrailer(const InstallerTrailer &t)
{
    QByteArray out(InstallerTrailer::Magic, 16);
    char version[4];
    qToLittleEndian<quint32>(InstallerTrailer::FormatVersion, version);
    out.append(version, 4);
    out.append(4, '\0');
    putU64(out, t.payloadOffset);
    putU64(out, t.payloadSize);
    putU64(out, t.headerOffset);
    putU64(out, t.headerSize);
    out.append(t.payloadSha256.leftJustified(32, '\0', true));
    out.append(t.headerSha256.leftJustified(32, '\0', true));
    return out;
}

Result<InstallerTrailer> readInstallerTrailer(QFile &file)
{
    const QString name = file.fileName();
    const qint64 size = file.size();
    const auto notAnInstaller = [&](const QString &why) {
        return makeError(ErrorKind::Unreadable,
                         u"%1: %2: not a complete Deskpack installer (a truncated download, or "
                         "the bare deskpack-installer template; build one with 'deskpack package "
                         "BUNDLE --format installer')"_s.arg(name, why));
    };
    if (size < InstallerTrailer::Size)
        return notAnInstaller(u"no installer trailer"_s);
    if (!file.seek(size - InstallerTrailer::Size))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot seek: %2"_s.arg(name, file.errorString()));
    const QByteArray raw = file.read(InstallerTrailer::Size);
    if (raw.size() != InstallerTrailer::Size)
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(name, file.errorString()));
    if (std::memcmp(raw.constData(), InstallerTrailer::Magic, 16) != 0)
        return notAnInstaller(u"no installer trailer at the end of the file"_s);
    const quint32 version = qFromLittleEndian<quint32>(raw.constData() + 16);
    if (version != InstallerTrailer::FormatVersion)
        return makeError(
            ErrorKind::Unreadable,
            u"%1: installer format %2, this installer reads %3"_s.arg(name).arg(version).arg(
                InstallerTrailer::FormatVersion));
    InstallerTrailer t;
    t.payloadOffset = getU64(raw.constData() + 24);
    t.payloadSize = getU64(raw.constData() + 32);
    t.headerOffset = getU64(raw.constData() + 40);
    t.headerSize = getU64(raw.constData() + 48);
    t.payloadSha256 = raw.mid(56, 32);
    t.headerSha256 = raw.mid(88, 32);
    const bool tiles = t.payloadOffset > 0 && t.payloadSize > 0 && t.headerSize > 0 &&
                       t.headerSize <= MaxHeaderSize &&
                       t.payloadOffset + t.payloadSize == t.headerOffset &&
                       t.headerOffset + t.headerSize == size - InstallerTrailer::Size;
    if (!tiles)
        return notAnInstaller(u"the trailer's offsets do not match the file's size %1"_s.arg(size));
    return t;
}

Result<InstallerContents> readInstallerContents(QFile &file)
{
    Result<InstallerTrailer> trailer = readInstallerTrailer(file);
    if (!trailer)
        return trailer.error();
    const QString name = file.fileName();
    if (!file.seek(trailer->headerOffset))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot seek: %2"_s.arg(name, file.errorString()));
    const QByteArray data = file.read(trailer->headerSize);
    if (data.size() != trailer->headerSize)
        return makeError(ErrorKind::Unreadable, u"%1: cannot read the header"_s.arg(name));
    if (Sha256::hash(data) != trailer->headerSha256)
        return makeError(ErrorKind::Invalid,
                         u"%1: the installer header is damaged (SHA-256 mismatch); download the "
                         "installer again"_s.arg(name));
    Result<InstallerHeader> header = parseInstallerHeader(data, name + u" (header)"_s);
    if (!header)
        return header.error();
    return InstallerContents{*trailer, *header};
}

} // namespace deskpack::formats
