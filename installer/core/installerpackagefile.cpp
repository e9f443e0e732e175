// SPDX-License-Identifier: MIT
#include "installerpackagefile.h"
#include "base/sha256.h"

#include <QFile>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

namespace {

Error cancelled()
{
    return makeError(ErrorKind::Environment, u"cancelled"_s);
}

// Reads [offset, offset + size) of `file` in blocks, handing each to `sink`.
template <typename Sink>
Result<void> readRange(QFile &file, qint64 offset, qint64 size, const ByteProgress &progress,
                       Sink sink)
{
    if (!file.seek(offset))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot seek: %2"_s.arg(file.fileName(), file.errorString()));
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    qint64 done = 0;
    while (done < size) {
        const qint64 n = file.read(buffer.data(), std::min<qint64>(buffer.size(), size - done));
        if (n <= 0)
            return makeError(ErrorKind::Unreadable,
                             u"%1: the payload is truncated (%2 of %3 bytes readable)"_s.arg(
                                 file.fileName(), QString::number(done), QString::number(size)));
        if (Result<void> ok = sink(QByteArrayView(buffer.constData(), n)); !ok)
            return ok;
        done += n;
        if (progress && !progress(double(done) / double(size)))
            return cancelled();
    }
    return {};
}

} // namespace

Result<InstallerFile> InstallerFile::open(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    Result<formats::InstallerContents> contents = formats::readInstallerContents(file);
    if (!contents)
        return contents.error();
    const formats::InstallerHeader &h = contents->header;
    if (h.id.isEmpty() || h.version.isEmpty() || h.payloadFormat.isEmpty())
        return makeError(ErrorKind::Unreadable,
                         u"%1: the installer header lacks the app id, version or payload "
                         "format"_s.arg(path));
    InstallerFile result;
    result.m_path = path;
    result.m_contents = std::move(*contents);
    return result;
}

QString InstallerFile::payloadSha256Hex() const
{
    return QString::fromLatin1(m_contents.trailer.payloadSha256.toHex());
}

Result<void> InstallerFile::checkPayload(const ByteProgress &progress) const
{
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(m_path, file.errorString()));
    Sha256 hash;
    Result<void> read = readRange(file, trailer().payloadOffset, trailer().payloadSize, progress,
                                  [&](QByteArrayView block) -> Result<void> {
                                      hash.addData(block);
                                      return {};
                                  });
    if (!read)
        return read;
    if (hash.result() != trailer().payloadSha256)
        return makeError(
            ErrorKind::Invalid,
            u"%1: the payload is damaged: SHA-256 %2, expected %3. Nothing was "
            "installed; download the installer again."_s.arg(
                m_path, QString::fromLatin1(hash.result().toHex()), payloadSha256Hex()));
    return {};
}

Result<void> InstallerFile::copyPayload(const QString &destination,
                                        const ByteProgress &progress) const
{
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(m_path, file.errorString()));
    QFile out(destination);
    if (!out.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return makeError(ErrorKind::Environment,
                         u"%1: cannot create: %2"_s.arg(destination, out.errorString()));
    Result<void> copied = readRange(
        file, trailer().payloadOffset, trailer().payloadSize, progress,
        [&](QByteArrayView block) -> Result<void> {
            if (out.write(block.data(), block.size()) != block.size())
                return makeError(ErrorKind::Environment,
                                 u"%1: cannot write: %2"_s.arg(destination, out.errorString()));
            return {};
        });
    if (copied && !out.flush())
        return makeError(ErrorKind::Environment,
                         u"%1: cannot write: %2"_s.arg(destination, out.errorString()));
    return copied;
}

} // namespace deskpack::installer
