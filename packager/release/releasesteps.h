// SPDX-License-Identifier: MIT
#pragma once

// Inside deskpack::release: the steps publishRelease runs, one file each.
// Not part of the API (release.h is).

#include "base/result.h"
#include "feed/channelfeed.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <vector>

namespace deskpack::signing {
struct PublicKey;
class SecretKey;
} // namespace deskpack::signing

namespace deskpack::release::detail {

struct FeedDirs
{
    QString root, channels, packages, deltas; // absolute

    QString channelFile(const QString &channel) const;
    QString historyFile(const QString &channel) const;
    QString absolute(const QString &feedPath) const { return root + u'/' + feedPath; }
};

// The feed directory, created with its three folders when missing. A file
// in its place, or one that cannot be written, is ErrorKind::Usage.
Result<FeedDirs> prepareFeedDir(const QString &feedDir);

// One released version as the publisher remembers it (channels/NAME.history.json).
struct HistoryEntry
{
    QString version;
    feed::FeedFile package;
    QString packageRoot;
    bool operator==(const HistoryEntry &) const = default;
};

struct ChannelHistory
{
    QString appId, channel;
    std::vector<HistoryEntry> versions; // ascending by version
};

QByteArray serializeHistory(const ChannelHistory &history);
// A missing file is an empty history; a damaged one or one for another app
// is ErrorKind::Unreadable naming it.
Result<ChannelHistory> readHistory(const QString &path, const QString &appId,
                                   const QString &channel);
// Adds or replaces `entry` (by version), keeping the order.
void recordVersion(ChannelHistory &history, const HistoryEntry &entry);

// The channel file now in the feed, checked with `key` (or `previousKey`,
// when given, for the first release after a rotation): none (first
// release), or the verified feed. Anything else is ErrorKind::Unreadable
// naming the file: a release never overwrites what it cannot vouch for.
Result<std::optional<feed::ChannelFeed>>
readCurrentChannel(const FeedDirs &dirs, const QString &channel, const signing::PublicKey &key,
                   const std::optional<signing::PublicKey> &previousKey);

// Extracts `package` (checked against its SHA-256) into `scratch`; returns
// the bundle tree inside it (scratch/<packageRoot>).
Result<QString> extractPackage(const FeedDirs &dirs, const HistoryEntry &package,
                               const QString &scratch);

// A delta from each of `from` (ascending) to the tree at `toTree`, written
// into deltas/. Packages of `from` missing from packages/ are skipped.
Result<std::vector<feed::FeedDelta>> writeDeltas(const FeedDirs &dirs, const QString &appId,
                                                 const HistoryEntry &to, const QString &toTree,
                                                 const std::vector<HistoryEntry> &from,
                                                 const QString &scratch);

// Writes the signature then the channel file, each through a temporary:
// both temporaries are complete before the first rename, and the channel
// file is renamed last, so a reader never sees a channel file whose files
// are missing, and a mismatched pair exists only between the two renames
// (the client refuses it and reads again).
Result<void> writeChannelPair(const QString &channelFile, const QByteArray &channel,
                              const QByteArray &signature);

// The channel file's text (into `text`) and its .minisig.
Result<QByteArray> signChannel(const feed::ChannelFeed &channel, const signing::SecretKey &key,
                               QByteArray *text);

// Removes the packages of `pruned` and this app's deltas from or to a pruned
// version, unless `live` (the versions kept here and on other channels)
// still names them. Returns what it removed, relative to the feed.
QStringList pruneFeed(const FeedDirs &dirs, const QString &appId,
                      const std::vector<HistoryEntry> &pruned,
                      const std::vector<HistoryEntry> &live);

} // namespace deskpack::release::detail
