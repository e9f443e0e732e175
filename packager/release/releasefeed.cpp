// SPDX-License-Identifier: MIT
// The feed directory itself: its folders, the channel file already there,
// and writing the new channel pair.
#include "releasesteps.h"

#include "base/fileio.h"
#include "signing/signing.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::release::detail {

QString FeedDirs::channelFile(const QString &channel) const
{
    return channels + u'/' + channel + u".json"_s;
}

QString FeedDirs::historyFile(const QString &channel) const
{
    return channels + u'/' + channel + u".history.json"_s;
}

Result<FeedDirs> prepareFeedDir(const QString &feedDir)
{
    const QFileInfo info(feedDir);
    if (info.exists() && !info.isDir())
        return makeError(ErrorKind::Usage,
                         u"--feed %1: not a directory (a feed is a directory of channels/, "
                         "packages/ and deltas/)"_s.arg(feedDir));
    FeedDirs dirs;
    dirs.root = QDir::cleanPath(info.absoluteFilePath());
    dirs.channels = dirs.root + u"/channels"_s;
    dirs.packages = dirs.root + u"/packages"_s;
    dirs.deltas = dirs.root + u"/deltas"_s;
    for (const QString &dir : {dirs.channels, dirs.packages, dirs.deltas}) {
        const QFileInfo sub(dir);
        if (sub.exists() && !sub.isDir())
            return makeError(ErrorKind::Usage,
                             u"--feed %1: %2 is not a directory"_s.arg(feedDir, dir));
        if (!QDir().mkpath(dir) || !QFileInfo(dir).isWritable())
            return makeError(ErrorKind::Usage,
                             u"--feed %1: cannot write %2 (permissions?)"_s.arg(feedDir, dir));
    }
    return dirs;
}

Result<std::optional<feed::ChannelFeed>>
readCurrentChannel(const FeedDirs &dirs, const QString &channel, const signing::PublicKey &key,
                   const std::optional<signing::PublicKey> &previousKey)
{
    const QString path = dirs.channelFile(channel);
    const QString sigPath = path + u".minisig"_s;
    if (!QFileInfo::exists(path))
        return std::optional<feed::ChannelFeed>();
    const auto unreadable = [&](const QString &why) {
        return makeError(ErrorKind::Unreadable,
                         u"%1: %2; it is left as it is (move it away to start the channel "
                         "again)"_s.arg(path, why));
    };
    Result<QByteArray> bytes = readInputFile(path, feed::MaxChannelBytes, u"channel file"_s);
    if (!bytes)
        return unreadable(bytes.error().message);
    Result<QByteArray> signature = signing::readSignatureFile(sigPath);
    if (!signature)
        return unreadable(signature.error().message);
    Result<signing::SignatureInfo> ok = signing::verifySignature(*bytes, *signature, key, sigPath);
    if (!ok && previousKey)
        ok = signing::verifySignature(*bytes, *signature, *previousKey, sigPath);
    if (!ok)
        return unreadable(u"not signed by this key %1%2 (%3)"_s.arg(
            key.keyIdHex(),
            previousKey ? u" or the previous key %1"_s.arg(previousKey->keyIdHex()) : QString(),
            ok.error().message));
    Result<feed::ChannelFeed> parsed = feed::parseChannel(*bytes, path);
    if (!parsed)
        return unreadable(parsed.error().message);
    if (parsed->channel != channel)
        return unreadable(u"names channel \"%1\""_s.arg(parsed->channel));
    return std::optional<feed::ChannelFeed>(*parsed);
}

Result<void> writeChannelPair(const QString &channelFile, const QByteArray &channel,
                              const QByteArray &signature)
{
    QSaveFile json(channelFile);
    if (!json.open(QIODevice::WriteOnly) || json.write(channel) != channel.size()) {
        json.cancelWriting();
        return makeError(ErrorKind::Environment,
                         u"%1: cannot write: %2"_s.arg(channelFile, json.errorString()));
    }
    const QString sigFile = channelFile + u".minisig"_s;
    Result<QByteArray> previous = QFileInfo::exists(sigFile) ? signing::readSignatureFile(sigFile)
                                                             : Result<QByteArray>(QByteArray());
    if (Result<void> ok = writeFileAtomically(sigFile, signature); !ok) {
        json.cancelWriting();
        return ok;
    }
    Result<void> committed = commitSaveFile(json, channelFile);
    // The old channel file stayed: give it back its own signature.
    if (!committed && previous && !previous->isEmpty())
        (void)writeFileAtomically(sigFile, *previous);
    return committed;
}

} // namespace deskpack::release::detail
