// SPDX-License-Identifier: MIT
// Key material in memory and public key files.
#include "minisigntext.h"
#include "signing.h"

#include "base/fileio.h"

#include <sodium.h>

#include <cstring>
#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::signing {

using namespace detail;

namespace {

constexpr qsizetype SecretKeyBytes = crypto_sign_SECRETKEYBYTES;
constexpr qsizetype PublicKeyStructBytes = 2 + KeyIdBytes + PublicKeyBytes;

Result<PublicKey> decodePublicKeyLine(QByteArrayView line, const QString &source, int lineNumber)
{
    Result<QByteArray> bytes = decodeField(line.trimmed(), PublicKeyStructBytes, source, lineNumber,
                                           u"public key"_s, ErrorKind::Unreadable);
    if (!bytes)
        return bytes.error();
    if (!bytes->startsWith("Ed")) {
        return makeError(ErrorKind::Unreadable,
                         u"%1: unsupported signature algorithm %2 (a minisign key is \"Ed\")"_s.arg(
                             source, algorithmName(bytes->first(2))));
    }
    return PublicKey{bytes->sliced(2, KeyIdBytes), bytes->sliced(2 + KeyIdBytes)};
}

} // namespace

QString PublicKey::keyIdHex() const
{
    if (keyId.size() != KeyIdBytes)
        return {};
    return detail::keyIdHex(reinterpret_cast<const unsigned char *>(keyId.constData()));
}

QString PublicKey::toBase64() const
{
    const QByteArray bytes = QByteArray("Ed") + keyId + key;
    return QString::fromLatin1(bytes.toBase64());
}

QByteArray PublicKey::fileText() const
{
    return QByteArray(CommentPrefix) + QByteArray("minisign public key ") + keyIdHex().toLatin1() +
           '\n' + toBase64().toLatin1() + '\n';
}

Result<PublicKey> parsePublicKey(const QString &base64OrFileText, const QString &source)
{
    const QByteArray text = base64OrFileText.toUtf8();
    const QList<QByteArrayView> lines = splitLines(text);
    if (lines.size() <= 1)
        return decodePublicKeyLine(lines.value(0), source, 1);
    if (!lines[0].startsWith(CommentPrefix)) {
        return makeError(ErrorKind::Unreadable,
                         u"%1, line 1: expected \"%2...\" or a single \"RW...\" line (not a "
                         "minisign public key)"_s.arg(source, QLatin1StringView(CommentPrefix)));
    }
    for (qsizetype i = 2; i < lines.size(); ++i) {
        if (!lines[i].trimmed().isEmpty())
            return makeError(
                ErrorKind::Unreadable,
                u"%1, line %2: unexpected text after the public key"_s.arg(source).arg(i + 1));
    }
    return decodePublicKeyLine(lines[1], source, 2);
}

Result<PublicKey> readPublicKeyFile(const QString &path)
{
    Result<QByteArray> text = readInputFile(path, 16 * 1024, u"minisign public key"_s);
    if (!text)
        return text.error();
    return parsePublicKey(QString::fromUtf8(*text), path);
}

SecretKey::SecretKey(SecretKey &&other) noexcept
    : m_data(std::exchange(other.m_data, nullptr))
{
}

SecretKey &SecretKey::operator=(SecretKey &&other) noexcept
{
    if (this != &other) {
        sodium_free(m_data);
        m_data = std::exchange(other.m_data, nullptr);
    }
    return *this;
}

SecretKey::~SecretKey()
{
    sodium_free(m_data); // wipes before freeing; null is fine
}

QByteArray SecretKey::keyId() const
{
    if (isNull())
        return {};
    return QByteArray(reinterpret_cast<const char *>(m_data), KeyIdBytes);
}

PublicKey SecretKey::publicKey() const
{
    if (isNull())
        return {};
    // An Ed25519 secret key is seed (32) || public key (32).
    const auto *pk = m_data + KeyIdBytes + SecretKeyBytes - PublicKeyBytes;
    return PublicKey{keyId(), QByteArray(reinterpret_cast<const char *>(pk), PublicKeyBytes)};
}

SecretKey SecretKey::generate()
{
    SecretKey key;
    key.m_data = secureAlloc(KeyIdBytes + SecretKeyBytes);
    randombytes_buf(key.m_data, KeyIdBytes);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_keypair(pk, key.m_data + KeyIdBytes);
    return key;
}

SecretKey SecretKey::fromBytes(const unsigned char *keyId, const unsigned char *secretKey)
{
    SecretKey key;
    key.m_data = secureAlloc(KeyIdBytes + SecretKeyBytes);
    std::memcpy(key.m_data, keyId, KeyIdBytes);
    std::memcpy(key.m_data + KeyIdBytes, secretKey, SecretKeyBytes);
    return key;
}

KdfCost KdfCost::sensitive()
{
    return {crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE,
            crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE};
}

KdfCost KdfCost::interactive()
{
    return {crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_INTERACTIVE,
            crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_INTERACTIVE};
}

void wipe(QByteArray &bytes)
{
    if (!bytes.isEmpty())
        sodium_memzero(bytes.data(), size_t(bytes.size()));
    bytes.clear();
}

} // namespace deskpack::signing
