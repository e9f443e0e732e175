// SPDX-License-Identifier: MIT
// What an installed app accepts from a channel file: the rules of DESIGN.md
// ("Client"), in the order that gives the most useful message.
#include "channelfeed.h"

#include "signing/signing.h"

#include <QDateTime>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::feed {

namespace {

Error refused(const QString &file, const QString &why)
{
    return makeError(ErrorKind::Invalid, u"%1: %2"_s.arg(file, why));
}

QString utcDate(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(u"yyyy-MM-dd HH:mm:ss 'UTC'"_s);
}

struct Signer
{
    QString keyIdHex;
    bool rotated = false;
};

// A key rotation is honoured only when the trusted key signed the new key
// (rotation.endorsement over publicKey + "\n") and the new key signed the file.
Result<Signer> verifyRotation(QByteArrayView bytes, QByteArrayView signature, const QString &file,
                              const signing::PublicKey &trusted, const QString &signerId)
{
    // Unverified until the signatures below hold: read only for its rotation.
    Result<ChannelFeed> unverified = parseChannel(bytes, file);
    const std::optional<KeyRotation> rotation =
        unverified ? unverified->rotation : std::optional<KeyRotation>();
    Result<signing::PublicKey> next =
        rotation ? signing::parsePublicKey(rotation->publicKey, file + u": rotation.publicKey"_s)
                 : Result<signing::PublicKey>(makeError(ErrorKind::Invalid, QString()));
    if (!rotation || !next || next->keyIdHex() != signerId)
        return refused(
            file, u"signed by key %1; this app trusts key %2"_s.arg(signerId, trusted.keyIdHex()));
    const QByteArray endorsed = rotation->publicKey.toUtf8() + '\n';
    if (Result<signing::SignatureInfo> e = signing::verifySignature(
            endorsed, rotation->endorsement.toUtf8(), trusted, file + u": rotation.endorsement"_s);
        !e)
        return refused(file,
                       u"signed by key %1, a rotation this app's key %2 did not endorse (%3)"_s.arg(
                           signerId, trusted.keyIdHex(), e.error().message));
    if (Result<signing::SignatureInfo> v =
            signing::verifySignature(bytes, signature, *next, file + u".minisig"_s);
        !v)
        return v.error();
    return Signer{signerId, true};
}

Result<Signer> verifySigner(QByteArrayView bytes, QByteArrayView signature, const QString &file,
                            const ClientView &view)
{
    Result<signing::PublicKey> trusted = signing::parsePublicKey(
        view.trustedPublicKey, u"the installed bundle.json's signing.publicKey"_s);
    if (!trusted)
        return refused(file, u"this app declares no valid signing key, so no feed can be "
                             "trusted: %1"_s.arg(trusted.error().message));
    const QString sigFile = file + u".minisig"_s;
    Result<QString> signerId = signing::signatureKeyIdHex(signature, sigFile);
    if (!signerId)
        return makeError(ErrorKind::Invalid, signerId.error().message);
    if (*signerId != trusted->keyIdHex())
        return verifyRotation(bytes, signature, file, *trusted, *signerId);
    if (Result<signing::SignatureInfo> v =
            signing::verifySignature(bytes, signature, *trusted, sigFile);
        !v)
        return v.error();
    return Signer{*signerId, false};
}

// Channel, app id, expiry and replay: a refusal names why.
Result<void> checkIdentity(const ChannelFeed &feed, const QString &file, const QString &channelName,
                           const ClientView &view)
{
    if (feed.channel != channelName)
        return refused(file,
                       u"a feed for channel \"%1\", not \"%2\""_s.arg(feed.channel, channelName));
    if (feed.appId != view.appId)
        return refused(file, u"a feed for app \"%1\", not \"%2\""_s.arg(feed.appId, view.appId));
    if (view.now >= feed.expires)
        return refused(file, u"expired on %1: the publisher has not renewed it; refusing a "
                             "frozen feed"_s.arg(utcDate(feed.expires)));
    if (view.requestedVersion.isEmpty() && feed.issued < view.lastSeenIssued)
        return refused(file,
                       u"older than a feed already seen here (issued %1 < %2): refusing a "
                       "replayed feed"_s.arg(utcDate(feed.issued), utcDate(view.lastSeenIssued)));
    return {};
}

// Whether the feed's version is one to install; the reason when not.
QString whyNotOffered(const ChannelFeed &feed, const ClientView &view)
{
    if (!view.requestedVersion.isEmpty()) {
        if (feed.version != view.requestedVersion)
            return u"the channel offers %1, not the requested %2"_s.arg(feed.version,
                                                                        view.requestedVersion);
        if (compareVersions(feed.version, view.installedVersion) == 0)
            return u"%1 is installed"_s.arg(feed.version);
        return {};
    }
    const int order = compareVersions(feed.version, view.installedVersion);
    if (order == 0)
        return u"%1 is installed: up to date"_s.arg(view.installedVersion);
    if (order < 0)
        return u"the channel offers %1, older than the installed %2: not going back (ask for %1 "
               "by version to downgrade)"_s.arg(feed.version, view.installedVersion);
    if (view.badVersions.contains(feed.version))
        return u"%1 failed to start here before: waiting for a newer version"_s.arg(feed.version);
    return {};
}

} // namespace

Result<FeedVerdict> checkChannel(QByteArrayView channelBytes, QByteArrayView signatureText,
                                 const QString &channelName, const ClientView &view,
                                 ChannelFeed *parsed)
{
    const QString file = u"channels/%1.json"_s.arg(channelName);
    Result<Signer> signer = verifySigner(channelBytes, signatureText, file, view);
    if (!signer)
        return signer.error();
    Result<ChannelFeed> feed = parseChannel(channelBytes, file);
    if (!feed)
        return makeError(ErrorKind::Invalid, feed.error().message);
    if (Result<void> ok = checkIdentity(*feed, file, channelName, view); !ok)
        return ok.error();
    if (parsed)
        *parsed = *feed;
    FeedVerdict verdict;
    verdict.version = feed->version;
    verdict.signedByKeyId = signer->keyIdHex;
    verdict.keyRotated = signer->rotated;
    verdict.reason = whyNotOffered(*feed, view);
    verdict.updateAvailable = verdict.reason.isEmpty();
    return verdict;
}

} // namespace deskpack::feed
