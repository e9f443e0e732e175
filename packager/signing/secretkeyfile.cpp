// SPDX-License-Identifier: MIT
// Secret key files: minisign's SeckeyStruct, optionally scrypt-encrypted.
#include "minisigntext.h"
#include "signing.h"

#include "base/fileio.h"

#include <QFile>
#include <QSaveFile>

#include <sodium.h>

#include <cstring>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::signing {

using namespace detail;

namespace {

// minisign's SeckeyStruct, field offsets.
constexpr qsizetype SaltBytes = crypto_pwhash_scryptsalsa208sha256_SALTBYTES;
constexpr qsizetype SkBytes = crypto_sign_SECRETKEYBYTES;
constexpr qsizetype ChkBytes = crypto_generichash_BYTES;
constexpr qsizetype OffKdf = 2, OffChk = 4, OffSalt = 6, OffOps = OffSalt + SaltBytes,
                    OffMem = OffOps + 8, OffKeynum = OffMem + 8, OffSk = OffKeynum + KeyIdBytes,
                    OffChecksum = OffSk + SkBytes, SeckeyBytes = OffChecksum + ChkBytes;
constexpr qsizetype KeynumSkBytes = SeckeyBytes - OffKeynum;
// The most scrypt a key file may ask of us: a hostile file could otherwise
// ask for exabytes. minisign writes 1 GiB.
constexpr quint64 MaxMemLimit = quint64(4) << 30;
constexpr quint64 MaxOpsLimit = quint64(1) << 34;

// A sodium_malloc'ed SeckeyStruct, freed (and wiped) on every path.
struct SecureSeckey
{
    unsigned char *bytes = secureAlloc(SeckeyBytes);
    SecureSeckey() { sodium_memzero(bytes, SeckeyBytes); }
    ~SecureSeckey() { sodium_free(bytes); }
    SecureSeckey(const SecureSeckey &) = delete;
    SecureSeckey &operator=(const SecureSeckey &) = delete;
};

// BLAKE2b-256 of sig alg, key id and secret key: minisign's seckey_compute_chk.
void computeChecksum(const unsigned char *seckey, unsigned char *out)
{
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, ChkBytes);
    crypto_generichash_update(&state, seckey, 2);
    crypto_generichash_update(&state, seckey + OffKeynum, KeyIdBytes + SkBytes);
    crypto_generichash_final(&state, out, ChkBytes);
}

// XORs the key id, secret key and checksum with scrypt(password, salt).
bool applyScryptStream(unsigned char *seckey, const QByteArray &password)
{
    unsigned char *stream = secureAlloc(KeynumSkBytes);
    const bool ok = crypto_pwhash_scryptsalsa208sha256(stream, KeynumSkBytes, password.constData(),
                                                       size_t(password.size()), seckey + OffSalt,
                                                       loadLe64(seckey + OffOps),
                                                       size_t(loadLe64(seckey + OffMem))) == 0;
    if (ok) {
        for (qsizetype i = 0; i < KeynumSkBytes; ++i)
            seckey[OffKeynum + i] ^= stream[i];
    }
    sodium_free(stream);
    return ok;
}

Result<void> checkHeader(const unsigned char *seckey, const QString &source)
{
    const auto field = [&](qsizetype offset) {
        return QByteArrayView(reinterpret_cast<const char *>(seckey) + offset, 2);
    };
    if (field(0) != "Ed")
        return makeError(ErrorKind::Unreadable,
                         u"%1: unsupported signature algorithm %2 (a minisign key is \"Ed\")"_s.arg(
                             source, algorithmName(field(0))));
    if (field(OffChk) != "B2")
        return makeError(ErrorKind::Unreadable,
                         u"%1: unsupported checksum algorithm %2 (minisign's is \"B2\")"_s.arg(
                             source, algorithmName(field(OffChk))));
    if (field(OffKdf) != "Sc" && field(OffKdf) != QByteArrayView("\0\0", 2))
        return makeError(ErrorKind::Unreadable,
                         u"%1: unsupported key derivation %2 (minisign's is \"Sc\", scrypt, or "
                         "none)"_s.arg(source, algorithmName(field(OffKdf))));
    return {};
}

Result<void> decrypt(unsigned char *seckey, const QString &source,
                     const std::function<Result<QByteArray>()> &password)
{
    const quint64 ops = loadLe64(seckey + OffOps), mem = loadLe64(seckey + OffMem);
    if (ops > MaxOpsLimit || mem > MaxMemLimit)
        return makeError(
            ErrorKind::Unreadable,
            u"%1: asks scrypt for %2 MiB and %3 operations; refusing more than %4 MiB"_s.arg(source)
                .arg(mem >> 20)
                .arg(ops)
                .arg(MaxMemLimit >> 20));
    if (!password)
        return makeError(ErrorKind::Usage, u"%1 is encrypted: a password is needed"_s.arg(source));
    Result<QByteArray> secret = password();
    if (!secret)
        return secret.error();
    const bool derived = applyScryptStream(seckey, *secret);
    wipe(*secret);
    if (!derived)
        return makeError(ErrorKind::Environment,
                         u"%1: scrypt could not derive the key (out of memory?)"_s.arg(source));
    return {};
}

// The checksum proves the password (encrypted keys); minisign leaves it zero
// in unencrypted keys, so there zero is accepted too.
Result<void> checkChecksum(const unsigned char *seckey, bool encrypted, const QString &source)
{
    unsigned char expected[ChkBytes];
    computeChecksum(seckey, expected);
    const bool matches = sodium_memcmp(expected, seckey + OffChecksum, ChkBytes) == 0;
    sodium_memzero(expected, sizeof expected);
    if (matches || (!encrypted && sodium_is_zero(seckey + OffChecksum, ChkBytes)))
        return {};
    if (encrypted)
        return makeError(ErrorKind::Unreadable, u"wrong password for %1"_s.arg(source));
    return makeError(ErrorKind::Unreadable,
                     u"%1: corrupt secret key (its checksum does not match)"_s.arg(source));
}

// Ed25519 secret keys repeat their public half: a mismatch is a corrupt file.
Result<void> checkKeyPair(const unsigned char *sk, const QString &source)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char regenerated[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pk, regenerated, sk);
    const bool same = sodium_memcmp(regenerated, sk, SkBytes) == 0;
    sodium_memzero(regenerated, sizeof regenerated);
    if (!same)
        return makeError(ErrorKind::Unreadable,
                         u"%1: corrupt secret key (its public half does not match)"_s.arg(source));
    return {};
}

Result<void> decodeSecretKeyLine(const QList<QByteArrayView> &lines, const QString &source,
                                 unsigned char *seckey)
{
    if (lines.size() < 2)
        return makeError(ErrorKind::Unreadable,
                         u"%1: truncated: a minisign secret key has two lines"_s.arg(source));
    if (Result<QByteArrayView> c =
            commentAfter(lines[0], CommentPrefix, source, 1, ErrorKind::Unreadable);
        !c)
        return c.error();
    for (qsizetype i = 2; i < lines.size(); ++i) {
        if (!lines[i].trimmed().isEmpty())
            return makeError(
                ErrorKind::Unreadable,
                u"%1, line %2: unexpected text after the secret key"_s.arg(source).arg(i + 1));
    }
    Result<QByteArray> bytes = decodeField(lines[1].trimmed(), SeckeyBytes, source, 2,
                                           u"secret key"_s, ErrorKind::Unreadable);
    if (!bytes)
        return bytes.error();
    std::memcpy(seckey, bytes->constData(), SeckeyBytes);
    wipe(*bytes);
    return {};
}

} // namespace

Result<QByteArray> secretKeyFileText(const SecretKey &key, const QByteArray &password, KdfCost cost)
{
    if (key.isNull())
        return makeError(ErrorKind::Usage, u"no secret key to write"_s);
    SecureSeckey s;
    const bool encrypted = !password.isEmpty();
    std::memcpy(s.bytes, "Ed", 2);
    std::memcpy(s.bytes + OffKdf, encrypted ? "Sc" : "\0\0", 2);
    std::memcpy(s.bytes + OffChk, "B2", 2);
    std::memcpy(s.bytes + OffKeynum, key.keyIdData(), KeyIdBytes);
    std::memcpy(s.bytes + OffSk, key.secretKeyData(), SkBytes);
    if (encrypted) {
        randombytes_buf(s.bytes + OffSalt, SaltBytes);
        storeLe64(s.bytes + OffOps, cost.opsLimit);
        storeLe64(s.bytes + OffMem, cost.memLimit);
        computeChecksum(s.bytes, s.bytes + OffChecksum);
        if (!applyScryptStream(s.bytes, password))
            return makeError(ErrorKind::Environment,
                             u"scrypt could not encrypt the secret key (out of memory?)"_s);
    }
    const QByteArray comment = encrypted ? "minisign encrypted secret key" : "minisign secret key";
    QByteArray encoded = toBase64(s.bytes, SeckeyBytes);
    QByteArray text = QByteArray(CommentPrefix) + comment + '\n' + encoded + '\n';
    wipe(encoded);
    return text;
}

Result<SecretKey> parseSecretKey(QByteArrayView fileText, const QString &source,
                                 const std::function<Result<QByteArray>()> &password)
{
    SecureSeckey s;
    if (Result<void> r = decodeSecretKeyLine(splitLines(fileText), source, s.bytes); !r)
        return r.error();
    if (Result<void> r = checkHeader(s.bytes, source); !r)
        return r.error();
    const bool encrypted = QByteArrayView(reinterpret_cast<char *>(s.bytes) + OffKdf, 2) == "Sc";
    if (encrypted) {
        if (Result<void> r = decrypt(s.bytes, source, password); !r)
            return r.error();
    }
    if (Result<void> r = checkChecksum(s.bytes, encrypted, source); !r)
        return r.error();
    if (Result<void> r = checkKeyPair(s.bytes + OffSk, source); !r)
        return r.error();
    return SecretKey::fromBytes(s.bytes + OffKeynum, s.bytes + OffSk);
}

Result<SecretKey> readSecretKeyFile(const QString &path,
                                    const std::function<Result<QByteArray>()> &password)
{
    Result<QByteArray> text = readInputFile(path, 16 * 1024, u"minisign secret key"_s);
    if (!text)
        return text.error();
    Result<SecretKey> key = parseSecretKey(*text, path, password);
    wipe(*text);
    return key;
}

} // namespace deskpack::signing
