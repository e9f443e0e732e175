// SPDX-License-Identifier: MIT
#include "release.h"
#include "releasesteps.h"

#include "base/filehash.h"
#include "base/fileio.h"
#include "formats/bundlemanifest.h"
#include "package/package.h"
#include "signing/signing.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::release {

using namespace detail;

namespace {

// The key must be the one the bundle's installed copies trust: a feed they
// cannot check, or one signed by another key, would be refused by every one.
Result<formats::BundleManifest> checkBundle(const ReleaseOptions &o, QStringList &warnings)
{
    Result<formats::BundleManifest> m = formats::readManifest(o.bundleDir);
    if (!m)
        return m.error();
    const signing::PublicKey ours = o.key->publicKey();
    const QString declared = o.bundleDir + u"/bundle.json: signing.publicKey"_s;
    if (m->signingPublicKey.isEmpty())
        return makeError(
            ErrorKind::Usage,
            u"%1/bundle.json declares no signing.publicKey: its installed copies could "
            "not check any feed, so releasing it would be useless (add \"signing\": "
            "{\"publicKey\": \"%2\"} to deskpack.json and rebuild)"_s.arg(o.bundleDir,
                                                                          ours.toBase64()));
    if (m->signingPublicKey != ours.toBase64()) {
        Result<signing::PublicKey> theirs = signing::parsePublicKey(m->signingPublicKey, declared);
        return makeError(ErrorKind::Usage,
                         u"-s %1: key %2 is not the key %3 the bundle trusts (%4); release with "
                         "that key, or rebuild the bundle declaring this one"_s.arg(
                             o.keyPath, ours.keyIdHex(),
                             theirs ? theirs->keyIdHex() : m->signingPublicKey, declared));
    }
    if (!feed::isValidVersion(m->version))
        return makeError(
            ErrorKind::Usage,
            u"%1/bundle.json: version \"%2\" is not one updates can order "
            "(N.N..., optionally aN, bN or rcN, .postN, .devN)"_s.arg(o.bundleDir, m->version));
    if (m->updateFeed.isEmpty())
        warnings.append(u"%1/bundle.json declares no update feed: its installed copies will not "
                        "look for updates (add \"update\": {\"feed\": URL} to deskpack.json)"_s.arg(
                            o.bundleDir));
    else if (m->updateChannel != o.channel)
        warnings.append(u"%1/bundle.json follows channel \"%2\", not \"%3\": installed copies of "
                        "this version will look for updates there"_s.arg(
                            o.bundleDir, m->updateChannel, o.channel));
    if (Result<void> ok = package::verifyBundle(o.bundleDir); !ok)
        return ok.error();
    return m;
}

// Newer than the channel's version; the same version only with the same bytes.
Result<void> checkVersion(const std::optional<feed::ChannelFeed> &current,
                          const formats::BundleManifest &m, const QString &sha256,
                          const QString &channelFile)
{
    if (!current)
        return {};
    if (current->appId != m.id)
        return makeError(ErrorKind::Unreadable, u"%1: a channel of app \"%2\", not \"%3\""_s.arg(
                                                    channelFile, current->appId, m.id));
    const int order = feed::compareVersions(m.version, current->version);
    if (order > 0 || (order == 0 && (sha256.isEmpty() || sha256 == current->package.sha256)))
        return {};
    if (order == 0)
        return makeError(
            ErrorKind::Invalid,
            u"%1 is already released on channel \"%2\" with other package bytes "
            "(sha256 %3, now %4): give this build a new version"_s.arg(
                m.version, current->channel, current->package.sha256.left(16), sha256.left(16)));
    return makeError(ErrorKind::Invalid,
                     u"%1 is older than %2, the current version of channel \"%3\": not released "
                     "(clients refuse a version older than the one they have)"_s.arg(
                         m.version, current->version, current->channel));
}

// Histories of the other channels: what pruning must not remove.
std::vector<HistoryEntry> otherChannelsVersions(const FeedDirs &dirs, const QString &appId,
                                                const QString &channel)
{
    std::vector<HistoryEntry> versions;
    const QStringList files =
        QDir(dirs.channels).entryList({u"*.history.json"_s}, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const QString name = file.chopped(int(qstrlen(".history.json")));
        if (name == channel)
            continue;
        Result<ChannelHistory> other = readHistory(dirs.channels + u'/' + file, appId, name);
        if (other)
            versions.insert(versions.end(), other->versions.begin(), other->versions.end());
    }
    return versions;
}

// Puts the package written in `staged` into packages/, unless the same bytes
// are there; other bytes that another channel released are never replaced.
Result<QString> placePackage(const FeedDirs &dirs, const package::PackageResult &staged,
                             const std::vector<HistoryEntry> &others)
{
    const QString relative = u"packages/"_s + QFileInfo(staged.path).fileName();
    const QString target = dirs.absolute(relative);
    for (const HistoryEntry &e : others) {
        if (e.package.path == relative && e.package.sha256 != staged.sha256)
            return makeError(ErrorKind::Invalid,
                             u"%1: another channel released version %2 with other bytes: give "
                             "this build a new version"_s.arg(target, e.version));
    }
    // The same bytes are left alone: a client may be downloading them.
    if (Result<QString> there = sha256OfFile(target); there && *there == staged.sha256)
        return relative;
    // rename(2) replaces a leftover of a release that did not finish in one step.
    if (std::rename(QFile::encodeName(staged.path).constData(),
                    QFile::encodeName(target).constData()) != 0)
        return makeError(ErrorKind::Environment,
                         u"%1: cannot move the package into place: %2"_s.arg(
                             target, QString::fromLocal8Bit(std::strerror(errno))));
    return relative;
}

} // namespace

namespace {

struct Staged
{
    HistoryEntry entry; // packageRoot known once extracted (makeDeltas)
};

// Packages the bundle into a scratch folder of the feed (same filesystem),
// checks the version against the channel's, and moves the package into place.
Result<Staged> stagePackage(const ReleaseOptions &o, const FeedDirs &dirs,
                            const formats::BundleManifest &m,
                            const std::optional<feed::ChannelFeed> &current, const QString &scratch)
{
    package::PackageOptions packaging;
    packaging.bundleDir = o.bundleDir;
    packaging.format = package::PackageFormat::TarZst;
    packaging.outDir = scratch + u"/package"_s;
    Result<package::PackageResult> packaged = package::packageBundle(packaging);
    if (!packaged)
        return packaged.error();
    if (Result<void> ok = checkVersion(current, m, packaged->sha256, dirs.channelFile(o.channel));
        !ok)
        return ok.error();
    Result<QString> placed =
        placePackage(dirs, *packaged, otherChannelsVersions(dirs, m.id, o.channel));
    if (!placed)
        return placed.error();
    Staged staged;
    staged.entry = HistoryEntry{m.version, {*placed, packaged->size, packaged->sha256}, QString()};
    return staged;
}

// The deltas of a new version: from the last `keep` older versions of the
// history, against the new package extracted (which also tells its top-level
// directory). Re-publishing the same build keeps the deltas it has, so
// renewing a channel's expiry is quick.
Result<std::vector<feed::FeedDelta>> makeDeltas(const ReleaseOptions &o, const FeedDirs &dirs,
                                                const QString &appId, Staged &staged,
                                                const std::optional<feed::ChannelFeed> &current,
                                                const ChannelHistory &history,
                                                const QString &scratch)
{
    std::vector<feed::FeedDelta> deltas;
    if (current && current->version == staged.entry.version) {
        staged.entry.packageRoot = current->packageRoot;
        for (const feed::FeedDelta &d : current->deltas) {
            Result<QString> sha = sha256OfFile(dirs.absolute(d.file.path));
            if (sha && *sha == d.file.sha256)
                deltas.push_back(d);
        }
        return deltas;
    }
    Result<QString> tree = extractPackage(dirs, staged.entry, scratch);
    if (!tree)
        return tree.error();
    staged.entry.packageRoot = QFileInfo(*tree).fileName();
    std::vector<HistoryEntry> older;
    for (const HistoryEntry &e : history.versions)
        if (feed::compareVersions(e.version, staged.entry.version) < 0)
            older.push_back(e);
    const std::size_t keep = std::min(std::size_t(std::max(0, o.keep)), older.size());
    const std::vector<HistoryEntry> bases(older.end() - qsizetype(keep), older.end());
    return writeDeltas(dirs, appId, staged.entry, *tree, bases, scratch);
}

feed::ChannelFeed makeChannel(const ReleaseOptions &o, const formats::BundleManifest &m,
                              const Staged &staged, std::vector<feed::FeedDelta> deltas,
                              const std::optional<feed::ChannelFeed> &current)
{
    feed::ChannelFeed c;
    c.appId = m.id;
    c.channel = o.channel;
    c.version = m.version;
    c.notes = o.notes;
    // Never before the channel's current issue time: clients refuse an older one as a replay.
    c.issued = o.now > 0 ? o.now : sourceDateEpoch(QDateTime::currentSecsSinceEpoch());
    if (current && c.issued < current->issued)
        c.issued = current->issued;
    c.expires = c.issued + qint64(o.expiresInDays) * 86400;
    c.package = staged.entry.package;
    c.packageRoot = staged.entry.packageRoot;
    c.deltas = std::move(deltas);
    // Copies that still trust the previous key need the endorsement until they
    // have updated: a rotation stays in the channel while this key signs it.
    const QString ours = o.key->publicKey().toBase64();
    if (!o.previousPublicKey.isEmpty())
        c.rotation = feed::KeyRotation{ours, QString::fromUtf8(o.endorsement)};
    else if (current && current->rotation && current->rotation->publicKey == ours)
        c.rotation = current->rotation;
    for (const feed::FeedDelta &d : c.deltas)
        if (c.minimumDeltaVersion.isEmpty() ||
            feed::compareVersions(d.fromVersion, c.minimumDeltaVersion) < 0)
            c.minimumDeltaVersion = d.fromVersion;
    return c;
}

// The history, then the signed channel file (last), then pruning: a client
// reading the previous channel file meanwhile still finds its files.
Result<ReleaseResult> finishRelease(const ReleaseOptions &o, const FeedDirs &dirs,
                                    const formats::BundleManifest &m, const Staged &staged,
                                    std::vector<feed::FeedDelta> deltas,
                                    const std::optional<feed::ChannelFeed> &current,
                                    ChannelHistory history, ReleaseResult &result)
{
    recordVersion(history, staged.entry);
    const std::size_t kept =
        std::min(history.versions.size(), std::size_t(std::max(0, o.keep)) + 1);
    const std::vector<HistoryEntry> pruned(history.versions.begin(),
                                           history.versions.end() - qsizetype(kept));
    history.versions.erase(history.versions.begin(), history.versions.end() - qsizetype(kept));
    if (Result<void> ok =
            writeFileAtomically(dirs.historyFile(o.channel), serializeHistory(history));
        !ok)
        return ok.error();
    result.channel = makeChannel(o, m, staged, std::move(deltas), current);
    // A pinned SOURCE_DATE_EPOCH (a commit's date) can be older than the validity.
    if (result.channel.expires <= QDateTime::currentSecsSinceEpoch())
        result.warnings.append(
            u"channel \"%1\" expires at %2, which is already past: clients will refuse it as "
            "frozen (SOURCE_DATE_EPOCH=%3 sets the issue time; release without it to renew)"_s
                .arg(o.channel, QDateTime::fromSecsSinceEpoch(result.channel.expires, Qt::UTC)
                                    .toString(Qt::ISODate))
                .arg(result.channel.issued));
    QByteArray text;
    Result<QByteArray> signature = signChannel(result.channel, *o.key, &text);
    if (!signature)
        return signature.error();
    result.channelFile = dirs.channelFile(o.channel);
    result.signatureFile = result.channelFile + u".minisig"_s;
    if (Result<void> ok = writeChannelPair(result.channelFile, text, *signature); !ok)
        return ok.error();
    std::vector<HistoryEntry> live = otherChannelsVersions(dirs, m.id, o.channel);
    live.insert(live.end(), history.versions.begin(), history.versions.end());
    result.removed = pruneFeed(dirs, m.id, pruned, live);
    result.packageFile = dirs.absolute(staged.entry.package.path);
    result.keyIdHex = o.key->publicKey().keyIdHex();
    return result;
}

// The previous key of a rotation, once its endorsement of this key verified.
Result<std::optional<signing::PublicKey>> checkRotation(const ReleaseOptions &o)
{
    if (o.previousPublicKey.isEmpty())
        return std::optional<signing::PublicKey>();
    Result<signing::PublicKey> previous =
        signing::parsePublicKey(o.previousPublicKey, u"--rotate-from"_s);
    if (!previous)
        return previous.error();
    const QByteArray endorsed = o.key->publicKey().toBase64().toUtf8() + '\n';
    if (Result<signing::SignatureInfo> ok =
            signing::verifySignature(endorsed, o.endorsement, *previous, u"--endorsement"_s);
        !ok)
        return makeError(
            ErrorKind::Usage,
            u"%1: not key %2's endorsement of key %3 (sign a file holding the new "
            "key's RW... line and a newline with the previous key)"_s.arg(
                ok.error().message, previous->keyIdHex(), o.key->publicKey().keyIdHex()));
    return std::optional<signing::PublicKey>(*previous);
}

} // namespace

Result<ReleaseResult> publishRelease(const ReleaseOptions &o)
{
    if (!o.key || o.key->isNull())
        return makeError(ErrorKind::Usage, u"no secret key to sign the feed with"_s);
    if (!formats::isUpdateChannelName(o.channel))
        return makeError(ErrorKind::Usage, u"--channel %1: not a channel name "
                                           "([a-z0-9][a-z0-9._-]{0,63})"_s.arg(o.channel));
    ReleaseResult result;
    Result<formats::BundleManifest> m = checkBundle(o, result.warnings);
    if (!m)
        return m.error();
    Result<std::optional<signing::PublicKey>> previousKey = checkRotation(o);
    if (!previousKey)
        return previousKey.error();
    Result<FeedDirs> dirs = prepareFeedDir(o.feedDir);
    if (!dirs)
        return dirs.error();
    Result<std::optional<feed::ChannelFeed>> current =
        readCurrentChannel(*dirs, o.channel, o.key->publicKey(), *previousKey);
    if (!current)
        return current.error();
    Result<ChannelHistory> history = readHistory(dirs->historyFile(o.channel), m->id, o.channel);
    if (!history)
        return history.error();
    // Refused before the slow part when the version alone decides.
    if (Result<void> ok = checkVersion(*current, *m, QString(), dirs->channelFile(o.channel)); !ok)
        return ok.error();
    QTemporaryDir scratch(dirs->root + u"/.release-XXXXXX"_s);
    if (!scratch.isValid())
        return makeError(ErrorKind::Environment, u"%1: cannot create a scratch folder: %2"_s.arg(
                                                     dirs->root, scratch.errorString()));
    Result<Staged> staged = stagePackage(o, *dirs, *m, *current, scratch.path());
    if (!staged)
        return staged.error();
    if (*current &&
        !std::any_of(history->versions.begin(), history->versions.end(),
                     [&](const HistoryEntry &e) { return e.version == (*current)->version; }))
        recordVersion(*history, HistoryEntry{(*current)->version, (*current)->package,
                                             (*current)->packageRoot});
    Result<std::vector<feed::FeedDelta>> deltas =
        makeDeltas(o, *dirs, m->id, *staged, *current, *history, scratch.path());
    if (!deltas)
        return deltas.error();
    return finishRelease(o, *dirs, *m, *staged, std::move(*deltas), *current, *history, result);
}

} // namespace deskpack::release
