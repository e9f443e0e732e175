// SPDX-License-Identifier: MIT
// After the package and its deltas: the history, the signed channel file,
// and pruning what the new channel no longer names.
#include "releasesteps.h"

#include "base/fileio.h"
#include "signing/signing.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::release::detail {

Result<QByteArray> signChannel(const feed::ChannelFeed &channel, const signing::SecretKey &key,
                               QByteArray *text)
{
    *text = feed::serializeChannel(channel);
    return signing::signData(*text, key, feed::channelTrustedComment(channel));
}

QStringList pruneFeed(const FeedDirs &dirs, const QString &appId,
                      const std::vector<HistoryEntry> &pruned,
                      const std::vector<HistoryEntry> &live)
{
    QSet<QString> liveVersions, livePackages;
    for (const HistoryEntry &e : live) {
        liveVersions.insert(e.version);
        livePackages.insert(e.package.path);
    }
    QStringList removed;
    for (const HistoryEntry &e : pruned) {
        if (!livePackages.contains(e.package.path) && QFile::remove(dirs.absolute(e.package.path)))
            removed.append(e.package.path);
    }
    // deltas/<id>-<from>-to-<to>.delta of this app with an end no longer released.
    const QRegularExpression name(
        u"^%1-(.+)-to-(.+)\\.delta\\z"_s.arg(QRegularExpression::escape(appId)));
    const QStringList files = QDir(dirs.deltas).entryList(QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const QRegularExpressionMatch m = name.match(file);
        if (!m.hasMatch() || !feed::isValidVersion(m.captured(1)) ||
            !feed::isValidVersion(m.captured(2)))
            continue;
        const bool prunedEnd =
            std::any_of(pruned.begin(), pruned.end(), [&](const HistoryEntry &e) {
                return e.version == m.captured(1) || e.version == m.captured(2);
            });
        if (prunedEnd &&
            !(liveVersions.contains(m.captured(1)) && liveVersions.contains(m.captured(2))) &&
            QFile::remove(dirs.deltas + u'/' + file))
            removed.append(u"deltas/"_s + file);
    }
    return removed;
}

} // namespace deskpack::release::detail
