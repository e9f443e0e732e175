// SPDX-License-Identifier: MIT
// Reading and checking .minisig text, as `minisign -V` does, with a message
// naming the line for every way a file can be wrong.
#include "minisigntext.h"
#include "signing.h"

#include <QFile>
#include <QFileInfo>

#include <sodium.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::signing {

using namespace detail;

namespace {

// A .minisig is four lines of at most 8 KiB; reading a little more than that
// is enough to name what is wrong with anything larger.
constexpr qint64 MaxSignatureFileBytes = 4 * MaxLineBytes + 1024;
constexpr qsizetype SigStructBytes = 2 + KeyIdBytes + crypto_sign_BYTES;

struct ParsedSignature
{
    QByteArray keyId, signature, global;
    QByteArray trusted, untrusted;
    bool legacy = false;
};

Error invalid(const QString &message)
{
    return makeError(ErrorKind::Invalid, message);
}

Result<void> checkShape(const QList<QByteArrayView> &lines, QByteArrayView text,
                        const QString &source)
{
    if (text.startsWith("-----BEGIN PGP") || text.startsWith("-----BEGIN SSH"))
        return invalid(u"%1: an OpenPGP or SSH signature, not a minisign one"_s.arg(source));
    if (lines.isEmpty())
        return invalid(u"%1: empty (not a minisign signature)"_s.arg(source));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines[i].size() > MaxLineBytes)
            return invalid(
                u"%1, line %2: longer than %3 bytes (not a minisign signature)"_s.arg(source)
                    .arg(i + 1)
                    .arg(MaxLineBytes));
    }
    if (!lines[0].startsWith(CommentPrefix))
        return invalid(u"%1, line 1: expected \"%2...\" (not a minisign signature)"_s.arg(
            source, QLatin1StringView(CommentPrefix)));
    static const char *const missing[] = {
        "", "no signature line",
        "no trusted comment (a signify signature? minisign's have four lines)",
        "no trusted comment signature"};
    if (lines.size() < 4)
        return invalid(u"%1: truncated after line %2: %3"_s.arg(source)
                           .arg(lines.size())
                           .arg(QLatin1StringView(missing[lines.size()])));
    for (qsizetype i = 4; i < lines.size(); ++i) {
        if (!lines[i].trimmed().isEmpty())
            return invalid(
                u"%1, line %2: unexpected text after the signature"_s.arg(source).arg(i + 1));
    }
    return {};
}

Result<ParsedSignature> parseSignature(QByteArrayView text, const QString &source)
{
    const QList<QByteArrayView> lines = splitLines(text);
    if (Result<void> r = checkShape(lines, text, source); !r)
        return r.error();
    ParsedSignature parsed;
    parsed.untrusted = lines[0].sliced(qstrlen(CommentPrefix)).toByteArray();
    Result<QByteArray> sig =
        decodeField(lines[1], SigStructBytes, source, 2, u"the signature"_s, ErrorKind::Invalid);
    if (!sig)
        return sig.error();
    const QByteArrayView algorithm = QByteArrayView(*sig).first(2);
    if (algorithm != "ED" && algorithm != "Ed")
        return invalid(
            u"%1, line 2: unsupported signature algorithm %2 (minisign signs with "
            "\"ED\", or \"Ed\" for legacy signatures)"_s.arg(source, algorithmName(algorithm)));
    parsed.legacy = algorithm == "Ed";
    parsed.keyId = sig->sliced(2, KeyIdBytes);
    parsed.signature = sig->sliced(2 + KeyIdBytes);
    Result<QByteArrayView> trusted =
        commentAfter(lines[2], TrustedCommentPrefix, source, 3, ErrorKind::Invalid);
    if (!trusted)
        return trusted.error();
    parsed.trusted = trusted->toByteArray();
    Result<QByteArray> global =
        decodeField(lines[3], crypto_sign_BYTES, source, 4, u"the trusted comment's signature"_s,
                    ErrorKind::Invalid);
    if (!global)
        return global.error();
    parsed.global = *global;
    return parsed;
}

bool verifyDetached(const QByteArray &signature, QByteArrayView message, const PublicKey &key)
{
    return crypto_sign_verify_detached(
               reinterpret_cast<const unsigned char *>(signature.data()),
               reinterpret_cast<const unsigned char *>(message.data()), size_t(message.size()),
               reinterpret_cast<const unsigned char *>(key.key.data())) == 0;
}

Result<void> checkKey(const ParsedSignature &parsed, const PublicKey &key, const QString &source)
{
    if (key.keyId.size() != KeyIdBytes || key.key.size() != PublicKeyBytes)
        return makeError(ErrorKind::Usage, u"no valid public key to verify %1 with"_s.arg(source));
    if (parsed.keyId != key.keyId)
        return invalid(u"%1: signed by key %2, expected key %3"_s.arg(
            source, keyIdHex(reinterpret_cast<const unsigned char *>(parsed.keyId.constData())),
            key.keyIdHex()));
    return {};
}

// `message` is the data (legacy) or its BLAKE2b-512; `subject` names the data.
Result<SignatureInfo> checkSignature(const ParsedSignature &parsed, QByteArrayView message,
                                     const PublicKey &key, const QString &source,
                                     const QString &subject)
{
    if (!verifyDetached(parsed.signature, message, key))
        return invalid(u"%1: the signature does not match %2"_s.arg(source, subject));
    if (!verifyDetached(parsed.global, QByteArray(parsed.signature + parsed.trusted), key))
        return invalid(u"%1: the trusted comment's signature does not verify (the comment was "
                       "altered)"_s.arg(source));
    return SignatureInfo{key.keyIdHex(), QString::fromUtf8(parsed.trusted),
                         QString::fromUtf8(parsed.untrusted), parsed.legacy};
}

} // namespace

Result<SignatureInfo> verifySignature(QByteArrayView data, QByteArrayView minisigText,
                                      const PublicKey &key, const QString &signatureSource)
{
    ensureSodium();
    Result<ParsedSignature> parsed = parseSignature(minisigText, signatureSource);
    if (!parsed)
        return parsed.error();
    if (Result<void> r = checkKey(*parsed, key, signatureSource); !r)
        return r.error();
    const QByteArray hash = parsed->legacy ? QByteArray() : blake2b512(data);
    return checkSignature(*parsed, parsed->legacy ? data : QByteArrayView(hash), key,
                          signatureSource, u"the data"_s);
}

Result<SignatureInfo> verifyFileSignature(const QString &path, QByteArrayView minisigText,
                                          const PublicKey &key, const QString &signatureSource)
{
    ensureSodium();
    Result<ParsedSignature> parsed = parseSignature(minisigText, signatureSource);
    if (!parsed)
        return parsed.error();
    if (Result<void> r = checkKey(*parsed, key, signatureSource); !r)
        return r.error();
    // minisign's legacy signatures sign the file itself: it is read whole.
    Result<QByteArray> message = parsed->legacy ? readWholeFile(path) : blake2b512OfFile(path);
    if (!message)
        return message.error();
    return checkSignature(*parsed, *message, key, signatureSource, path);
}

Result<QString> signatureKeyIdHex(QByteArrayView minisigText, const QString &signatureSource)
{
    Result<ParsedSignature> parsed = parseSignature(minisigText, signatureSource);
    if (!parsed)
        return parsed.error();
    return keyIdHex(reinterpret_cast<const unsigned char *>(parsed->keyId.constData()));
}

Result<QByteArray> readSignatureFile(const QString &path)
{
    const QFileInfo info(path);
    if (info.exists() && !info.isFile())
        return makeError(ErrorKind::Unreadable,
                         u"%1: not a regular file (expected a .minisig)"_s.arg(path));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    // Bounded: the parser names the overlong line or trailing text.
    QByteArray text = file.read(MaxSignatureFileBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    return text;
}

} // namespace deskpack::signing
