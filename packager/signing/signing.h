// SPDX-License-Identifier: MIT
#pragma once

// minisign-compatible keys and signatures (libsodium: Ed25519, BLAKE2b,
// scrypt). Every file this reads or writes is byte for byte what minisign
// 0.11 reads or writes, so a user checks a Deskpack signature with stock
// `minisign -Vm FILE -P RW...` and Deskpack checks stock `minisign -S` output.
//
//   public key  `untrusted comment: minisign public key <KEYID>\n`
//               base64(`Ed` + key id (8) + Ed25519 public key (32)) `\n`
//   secret key  `untrusted comment: ...\n` base64(`Ed` + kdf `Sc`|`\0\0` + `B2` + salt (32)
//               + opslimit (u64 LE) + memlimit (u64 LE) + [key id (8) + secret key (64)
//               + BLAKE2b-256 checksum (32)], the bracket XORed with an scrypt stream
//               when encrypted) `\n`
//   .minisig    `untrusted comment: ...\n` base64(`ED` + key id + Ed25519 signature of
//               BLAKE2b-512(file)) `\ntrusted comment: ...\n` base64(Ed25519 signature of
//               signature || trusted comment) `\n`; legacy `Ed` signs the file itself.
//
// Errors: ErrorKind::Unreadable (exit 2) for a missing file, a malformed or
// foreign key, a wrong password; ErrorKind::Invalid (exit 1) for a signature
// that does not verify, including a malformed, truncated or foreign .minisig
// and a signature by another key. Every message names the file (and the line
// of a .minisig). No message, log or result ever holds secret key bytes or a
// password.

#include "base/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <functional>
#include <optional>

namespace deskpack::signing {

inline constexpr qsizetype KeyIdBytes = 8;
inline constexpr qsizetype PublicKeyBytes = 32;
// The longest comments minisign itself can read back (its fgets buffers).
inline constexpr qsizetype MaxUntrustedCommentBytes = 1003;
inline constexpr qsizetype MaxTrustedCommentBytes = 8173;

// An Ed25519 public key with its minisign key id.
struct PublicKey
{
    QByteArray keyId; // 8 bytes, as stored (minisign reads them as a little-endian u64)
    QByteArray key;   // 32 bytes

    // The key id as minisign prints it: upper-case hex of the little-endian
    // u64, without leading zeros ("signed by key 4F3C...").
    QString keyIdHex() const;
    // The one-line form minisign's -P takes and deskpack.json's
    // signing.publicKey holds: "RW..." (base64 of `Ed` + key id + key).
    QString toBase64() const;
    // The whole .pub file, as minisign -G writes it.
    QByteArray fileText() const;

    friend bool operator==(const PublicKey &, const PublicKey &) = default;
};

// An Ed25519 secret key and its key id, held in libsodium's guarded memory
// (sodium_malloc: locked, wiped when freed). Move-only; never printed.
class SecretKey
{
public:
    SecretKey() = default;
    SecretKey(SecretKey &&other) noexcept;
    SecretKey &operator=(SecretKey &&other) noexcept;
    SecretKey(const SecretKey &) = delete;
    SecretKey &operator=(const SecretKey &) = delete;
    ~SecretKey();

    bool isNull() const { return m_data == nullptr; }
    QByteArray keyId() const;
    // The public half (an Ed25519 secret key carries it).
    PublicKey publicKey() const;

    // For this library's signing code: key id (8) then the secret key (64).
    const unsigned char *keyIdData() const { return m_data; }
    const unsigned char *secretKeyData() const { return m_data + KeyIdBytes; }

    // A fresh random key pair with a random key id.
    static SecretKey generate();
    // From raw key id (8) and secret key (64) bytes; the caller wipes its copy.
    static SecretKey fromBytes(const unsigned char *keyId, const unsigned char *secretKey);

private:
    unsigned char *m_data = nullptr; // sodium_malloc'ed, KeyIdBytes + 64
};

// Parses a public key: either the bare "RW..." base64 line or the text of a
// .pub file (an untrusted comment line, then the base64 line). `source` names
// it in messages ("-P", "keys/app.pub"). Refuses bad base64, a wrong length,
// another algorithm and trailing text, as ErrorKind::Unreadable.
Result<PublicKey> parsePublicKey(const QString &base64OrFileText, const QString &source);
Result<PublicKey> readPublicKeyFile(const QString &path);

// scrypt's cost when a password encrypts a secret key. minisign uses
// `sensitive` (1 GiB, seconds); tests pass `interactive` to stay fast. The
// cost is stored in the file, so a reader always uses the writer's.
struct KdfCost
{
    quint64 opsLimit = 0;
    quint64 memLimit = 0;
    static KdfCost sensitive();
    static KdfCost interactive();
};

// The text of a secret key file. An empty `password` writes an unencrypted
// key (kdf `\0\0`, as minisign -G -W does); otherwise scrypt with `cost`.
// The result holds the secret: wipe it (wipe()) after writing it.
Result<QByteArray> secretKeyFileText(const SecretKey &key, const QByteArray &password,
                                     KdfCost cost = KdfCost::sensitive());

// Reads a secret key file. `password` is asked only when the key is
// encrypted; a password that does not open it is "wrong password for PATH".
Result<SecretKey> parseSecretKey(QByteArrayView fileText, const QString &source,
                                 const std::function<Result<QByteArray>()> &password);
Result<SecretKey> readSecretKeyFile(const QString &path,
                                    const std::function<Result<QByteArray>()> &password);

struct KeyGenOptions
{
    QByteArray password; // empty: unencrypted (-W)
    KdfCost cost = KdfCost::sensitive();
    bool force = false; // overwrite existing key files
};

// Generates a key pair and writes both files, each atomically, the secret
// one with mode 0600. Refuses (ErrorKind::Usage, nothing written) when
// either file exists unless `force`. Returns the public key.
Result<PublicKey> generateKeyFiles(const QString &publicKeyPath, const QString &secretKeyPath,
                                   const KeyGenOptions &options);

enum class SignatureAlgorithm
{
    Prehashed, // `ED`: signs BLAKE2b-512 of the data (minisign's default)
    Legacy,    // `Ed`: signs the data itself (minisign -l); verify only, in practice
};

// The .minisig text for `data`. Comments must be one line each and at most
// MaxUntrustedCommentBytes / MaxTrustedCommentBytes of UTF-8 (what minisign
// can read back); an empty untrusted comment becomes minisign's default.
Result<QByteArray> signData(QByteArrayView data, const SecretKey &key,
                            const QString &trustedComment, const QString &untrustedComment = {},
                            SignatureAlgorithm algorithm = SignatureAlgorithm::Prehashed);
// The same for a file, hashed streaming (1 MiB blocks; never held whole).
Result<QByteArray> signFile(const QString &path, const SecretKey &key,
                            const QString &trustedComment, const QString &untrustedComment = {});

// `timestamp:<T>\tfile:<name>\tsize:<bytes>` with T = signingTimestamp().
QString defaultTrustedComment(const QString &fileName, qint64 size);
// SOURCE_DATE_EPOCH when set (reproducible signatures: Ed25519 is
// deterministic), else the current time, in seconds since 1970.
qint64 signingTimestamp();

struct SignatureInfo
{
    QString keyIdHex;
    QString trustedComment;
    QString untrustedComment;
    bool legacy = false; // an `Ed` (non-prehashed) signature
};

// Checks `minisigText` (named `signatureSource` in messages) against the data
// and `key`: the key id, the signature and the trusted comment's signature.
Result<SignatureInfo> verifySignature(QByteArrayView data, QByteArrayView minisigText,
                                      const PublicKey &key, const QString &signatureSource);
// The same for a file, hashed streaming; legacy signatures read the file whole.
Result<SignatureInfo> verifyFileSignature(const QString &path, QByteArrayView minisigText,
                                          const PublicKey &key, const QString &signatureSource);
// The key id a .minisig names, as PublicKey::keyIdHex() prints it, after
// checking its shape only (not verified): to say which key signed what a
// caller refuses, or to pick the key to verify with.
Result<QString> signatureKeyIdHex(QByteArrayView minisigText, const QString &signatureSource);
// Reads a .minisig with a bound (a 10 MB comment line is refused, not read).
Result<QByteArray> readSignatureFile(const QString &path);

// Overwrites a buffer that held a secret or a password.
void wipe(QByteArray &bytes);

} // namespace deskpack::signing
