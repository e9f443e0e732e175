// SPDX-License-Identifier: MIT
// Opening a delta file: everything in it is checked before any of it is used.
#include "deltareader.h"

#include "zstdframes.h"

#include <QCryptographicHash>
#include <QHash>
#include <QtEndian>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::delta {

namespace {

Error damaged(const QString &fileName, const QString &why)
{
    return makeError(ErrorKind::Invalid, u"%1: not a usable delta: %2"_s.arg(fileName, why));
}

// The magic, the header's length and digest; returns the header's bytes.
Result<QByteArrayView> headerBytes(const OpenedDelta &delta)
{
    const QByteArrayView bytes = delta.bytes;
    if (bytes.size() < PrefixSize || !bytes.startsWith(QByteArrayView(Magic, MagicSize)))
        return damaged(delta.fileName,
                       u"no DPKDELTA1 header (not a Deskpack delta, or truncated)"_s);
    const quint64 length = qFromLittleEndian<quint64>(bytes.data() + MagicSize);
    if (length > quint64(MaxHeaderSize))
        return damaged(delta.fileName,
                       u"the header claims %1 bytes (at most %2)"_s.arg(length).arg(MaxHeaderSize));
    if (length > quint64(bytes.size() - PrefixSize))
        return damaged(delta.fileName,
                       u"truncated: the header claims %1 bytes, %2 are there"_s.arg(length).arg(
                           bytes.size() - PrefixSize));
    const QByteArrayView text = bytes.sliced(PrefixSize, qsizetype(length));
    const QByteArrayView digest = bytes.sliced(MagicSize + 8, 32);
    if (QCryptographicHash::hash(text, QCryptographicHash::Sha256) != digest)
        return damaged(delta.fileName, u"the header does not match its SHA-256 (damaged)"_s);
    return text;
}

Result<void> readManifest(OpenedDelta &delta)
{
    const DeltaHeader &h = delta.header;
    Result<void> unpacked = decompressFrame(delta.frame(h.manifest), {}, h.manifestSize,
                                            [&delta](QByteArrayView block) -> Result<void> {
                                                delta.manifestText.append(block);
                                                return {};
                                            });
    if (!unpacked)
        return damaged(delta.fileName, u"bundle.json: "_s + unpacked.error().message);
    const QByteArray sha =
        QCryptographicHash::hash(delta.manifestText, QCryptographicHash::Sha256).toHex();
    if (QString::fromLatin1(sha) != h.manifestSha256)
        return damaged(delta.fileName, u"bundle.json: content does not match its SHA-256"_s);
    Result<formats::BundleManifest> manifest =
        formats::parseManifest(delta.manifestText, delta.fileName + u" (bundle.json)"_s);
    if (!manifest)
        return damaged(delta.fileName, manifest.error().message);
    delta.manifest = std::move(*manifest);
    return {};
}

// The header and the bundle.json it carries must agree.
Result<void> crossCheck(const OpenedDelta &delta)
{
    const DeltaHeader &h = delta.header;
    const formats::BundleManifest &m = delta.manifest;
    if (m.id != h.appId || m.version != h.toVersion)
        return damaged(delta.fileName, u"its bundle.json is %1 %2, the header says %3 %4"_s.arg(
                                           m.id, m.version, h.appId, h.toVersion));
    QHash<QString, const formats::BundleFile *> files;
    for (const formats::BundleFile &f : m.files) {
        if (f.path == QLatin1StringView(formats::BundleManifest::FileName))
            return damaged(delta.fileName, u"its bundle.json lists bundle.json"_s);
        files.insert(f.path, &f);
    }
    for (const Operation &op : h.operations) {
        const formats::BundleFile *f = files.value(op.path);
        if (!f || !f->linkTarget.isEmpty())
            return damaged(delta.fileName, u"%1: not a file of the new bundle.json"_s.arg(op.path));
        if (f->size != op.size || f->sha256 != op.sha256)
            return damaged(delta.fileName,
                           u"%1: size or SHA-256 differs from the new bundle.json"_s.arg(op.path));
    }
    return {};
}

} // namespace

Result<OpenedDelta> openDelta(const QString &deltaFile)
{
    OpenedDelta delta;
    delta.fileName = deltaFile;
    delta.file = std::make_unique<QFile>(deltaFile);
    if (!delta.file->open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(deltaFile, delta.file->errorString()));
    const qint64 size = delta.file->size();
    const uchar *mapped = size > 0 ? delta.file->map(0, size) : nullptr;
    if (size > 0 && !mapped)
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(deltaFile, delta.file->errorString()));
    delta.bytes = QByteArrayView(reinterpret_cast<const char *>(mapped), qsizetype(size));
    Result<QByteArrayView> text = headerBytes(delta);
    if (!text)
        return text.error();
    const qsizetype payloadStart = PrefixSize + text->size();
    delta.payload = delta.bytes.sliced(payloadStart);
    Result<DeltaHeader> header = parseHeader(*text, delta.payload.size(), deltaFile);
    if (!header)
        return header.error();
    delta.header = std::move(*header);
    if (Result<void> manifest = readManifest(delta); !manifest)
        return manifest.error();
    if (Result<void> agree = crossCheck(delta); !agree)
        return agree.error();
    return delta;
}

DeltaSummary summaryOf(const OpenedDelta &delta)
{
    DeltaSummary s;
    s.appId = delta.header.appId;
    s.fromVersion = delta.header.fromVersion;
    s.toVersion = delta.header.toVersion;
    qint64 files = 0;
    for (const formats::BundleFile &f : delta.manifest.files)
        files += f.linkTarget.isEmpty() ? 1 : 0;
    for (const Operation &op : delta.header.operations) {
        s.patched += op.kind == Operation::Kind::Patch ? 1 : 0;
        s.added += op.kind == Operation::Kind::Whole ? 1 : 0;
    }
    s.unchanged = files - s.patched - s.added;
    s.removed = delta.header.removed.size();
    s.size = delta.bytes.size();
    s.sha256 = QString::fromLatin1(
        QCryptographicHash::hash(delta.bytes, QCryptographicHash::Sha256).toHex());
    return s;
}

} // namespace deskpack::delta
