// SPDX-License-Identifier: MIT
#include "minisigntext.h"

#include <QFile>
#include <QFileInfo>
#include <QtGlobal>

#include <memory>

#include <sodium.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::signing::detail {

namespace {

bool isBase64Character(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=';
}

Result<void> openRegularFile(QFile &file)
{
    const QFileInfo info(file.fileName());
    if (info.exists() && !info.isFile())
        return makeError(ErrorKind::Unreadable, u"%1: not a regular file"_s.arg(file.fileName()));
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(file.fileName(), file.errorString()));
    return {};
}

} // namespace

QByteArray blake2b512(QByteArrayView data)
{
    ensureSodium();
    QByteArray hash(crypto_generichash_BYTES_MAX, Qt::Uninitialized);
    crypto_generichash(reinterpret_cast<unsigned char *>(hash.data()), size_t(hash.size()),
                       reinterpret_cast<const unsigned char *>(data.data()), size_t(data.size()),
                       nullptr, 0);
    return hash;
}

Result<QByteArray> blake2b512OfFile(const QString &path, qint64 *size)
{
    ensureSodium();
    QFile file(path);
    if (Result<void> r = openRegularFile(file); !r)
        return r.error();
    constexpr qint64 Block = 1 << 20;
    const std::unique_ptr<char[]> buffer(new char[Block]);
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES_MAX);
    qint64 total = 0;
    for (;;) {
        const qint64 n = file.read(buffer.get(), Block);
        if (n < 0)
            return makeError(ErrorKind::Unreadable,
                             u"%1: cannot read: %2"_s.arg(path, file.errorString()));
        if (n == 0)
            break;
        crypto_generichash_update(&state, reinterpret_cast<unsigned char *>(buffer.get()),
                                  size_t(n));
        total += n;
    }
    QByteArray hash(crypto_generichash_BYTES_MAX, Qt::Uninitialized);
    crypto_generichash_final(&state, reinterpret_cast<unsigned char *>(hash.data()),
                             size_t(hash.size()));
    if (size != nullptr)
        *size = total;
    return hash;
}

Result<QByteArray> readWholeFile(const QString &path)
{
    QFile file(path);
    if (Result<void> r = openRegularFile(file); !r)
        return r.error();
    QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    return data;
}

void ensureSodium()
{
    static const int started = sodium_init();
    if (started < 0)
        qFatal("libsodium cannot start (sodium_init failed): no key or signature is safe");
}

unsigned char *secureAlloc(qsizetype size)
{
    ensureSodium();
    auto *data = static_cast<unsigned char *>(sodium_malloc(size_t(size)));
    if (data == nullptr)
        qFatal("out of memory for a secret key (sodium_malloc)");
    return data;
}

QByteArray toBase64(const unsigned char *data, qsizetype size)
{
    return QByteArray::fromRawData(reinterpret_cast<const char *>(data), size).toBase64();
}

QList<QByteArrayView> splitLines(QByteArrayView text)
{
    QList<QByteArrayView> lines;
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype end = text.indexOf('\n', start);
        const qsizetype next = end < 0 ? text.size() : end + 1;
        if (end < 0)
            end = text.size();
        QByteArrayView line = text.sliced(start, end - start);
        if (line.endsWith('\r'))
            line.chop(1);
        lines.append(line);
        start = next;
    }
    return lines;
}

Result<QByteArray> decodeField(QByteArrayView line, qsizetype expected, const QString &source,
                               int lineNumber, const QString &what, ErrorKind kind)
{
    const QString where = u"%1, line %2: %3"_s.arg(source).arg(lineNumber).arg(what);
    if (line.isEmpty())
        return makeError(kind, where + u" is missing (an empty line)"_s);
    for (const char c : line) {
        if (!isBase64Character(c))
            return makeError(kind, where + u" is not base64"_s);
    }
    const auto decoded =
        QByteArray::fromBase64Encoding(line.toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return makeError(kind, where + u" is not base64"_s);
    if (decoded.decoded.size() != expected) {
        return makeError(
            kind,
            where + u" is %1 bytes, expected %2%3"_s.arg(decoded.decoded.size())
                        .arg(expected)
                        .arg(decoded.decoded.size() < expected ? u" (truncated)"_s : QString()));
    }
    if (decoded.decoded.toBase64() != line)
        return makeError(kind, where + u" is not canonical base64 (padding)"_s);
    return decoded.decoded;
}

Result<QByteArrayView> commentAfter(QByteArrayView line, const char *prefix, const QString &source,
                                    int lineNumber, ErrorKind kind)
{
    if (!line.startsWith(prefix)) {
        return makeError(kind, u"%1, line %2: expected a line starting with \"%3\""_s.arg(source)
                                   .arg(lineNumber)
                                   .arg(QLatin1StringView(prefix)));
    }
    return line.sliced(qstrlen(prefix));
}

QString keyIdHex(const unsigned char *keyId)
{
    return QString::number(loadLe64(keyId), 16).toUpper();
}

QString algorithmName(QByteArrayView bytes)
{
    for (const char c : bytes) {
        if (c < 0x21 || c > 0x7e)
            return u"0x"_s + QString::fromLatin1(bytes.toByteArray().toHex());
    }
    return u'"' + QString::fromLatin1(bytes) + u'"';
}

quint64 loadLe64(const unsigned char *bytes)
{
    quint64 value = 0;
    for (int i = 7; i >= 0; --i)
        value = (value << 8) | bytes[i];
    return value;
}

void storeLe64(unsigned char *bytes, quint64 value)
{
    for (int i = 0; i < 8; ++i)
        bytes[i] = static_cast<unsigned char>(value >> (8 * i));
}

} // namespace deskpack::signing::detail
