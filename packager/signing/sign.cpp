// SPDX-License-Identifier: MIT
// Writing .minisig text: the signature of the data (or of its BLAKE2b-512)
// and the global signature over signature || trusted comment.
#include "minisigntext.h"
#include "signing.h"

#include "base/fileio.h"

#include <QDateTime>
#include <QFileInfo>

#include <sodium.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::signing {

using namespace detail;

namespace {

Result<void> checkComment(const QByteArray &comment, qsizetype limit, const QString &what)
{
    if (comment.contains('\n') || comment.contains('\r'))
        return makeError(ErrorKind::Usage, u"the %1 must be one line"_s.arg(what));
    if (comment.size() > limit)
        return makeError(ErrorKind::Usage,
                         u"the %1 is %2 bytes; minisign reads at most %3"_s.arg(what)
                             .arg(comment.size())
                             .arg(limit));
    return {};
}

QByteArray detachedSignature(QByteArrayView message, const SecretKey &key)
{
    QByteArray signature(crypto_sign_BYTES, Qt::Uninitialized);
    crypto_sign_detached(reinterpret_cast<unsigned char *>(signature.data()), nullptr,
                         reinterpret_cast<const unsigned char *>(message.data()),
                         size_t(message.size()), key.secretKeyData());
    return signature;
}

// `message` is what the first signature covers: the data (legacy) or its hash.
Result<QByteArray> signatureText(QByteArrayView message, const SecretKey &key,
                                 const QString &trustedComment, const QString &untrustedComment,
                                 SignatureAlgorithm algorithm)
{
    if (key.isNull())
        return makeError(ErrorKind::Usage, u"no secret key to sign with"_s);
    const QByteArray trusted = trustedComment.toUtf8();
    const QByteArray untrusted = untrustedComment.isEmpty()
                                     ? QByteArray("signature from deskpack secret key")
                                     : untrustedComment.toUtf8();
    if (Result<void> r = checkComment(trusted, MaxTrustedCommentBytes, u"trusted comment"_s); !r)
        return r.error();
    if (Result<void> r = checkComment(untrusted, MaxUntrustedCommentBytes, u"untrusted comment"_s);
        !r)
        return r.error();
    const QByteArray signature = detachedSignature(message, key);
    const QByteArray global = detachedSignature(QByteArray(signature + trusted), key);
    const QByteArray sigStruct =
        QByteArray(algorithm == SignatureAlgorithm::Legacy ? "Ed" : "ED") + key.keyId() + signature;
    return QByteArray(QByteArray(CommentPrefix) + untrusted + '\n' + sigStruct.toBase64() + '\n' +
                      TrustedCommentPrefix + trusted + '\n' + global.toBase64() + '\n');
}

} // namespace

Result<QByteArray> signData(QByteArrayView data, const SecretKey &key,
                            const QString &trustedComment, const QString &untrustedComment,
                            SignatureAlgorithm algorithm)
{
    ensureSodium();
    if (algorithm == SignatureAlgorithm::Legacy)
        return signatureText(data, key, trustedComment, untrustedComment, algorithm);
    return signatureText(blake2b512(data), key, trustedComment, untrustedComment, algorithm);
}

Result<QByteArray> signFile(const QString &path, const SecretKey &key,
                            const QString &trustedComment, const QString &untrustedComment)
{
    Result<QByteArray> hash = blake2b512OfFile(path);
    if (!hash)
        return hash.error();
    return signatureText(*hash, key, trustedComment, untrustedComment,
                         SignatureAlgorithm::Prehashed);
}

qint64 signingTimestamp()
{
    return sourceDateEpoch(QDateTime::currentSecsSinceEpoch());
}

QString defaultTrustedComment(const QString &fileName, qint64 size)
{
    return u"timestamp:%1\tfile:%2\tsize:%3"_s.arg(QString::number(signingTimestamp()), fileName,
                                                   QString::number(size));
}

} // namespace deskpack::signing
