// SPDX-License-Identifier: MIT
#pragma once

// An update feed's channel file (`channels/<channel>.json` with its
// `.minisig`): the model, its deterministic text, the parse of untrusted
// bytes, the version order, and the client's verdict. A feed is a static
// directory (DESIGN.md "Signatures, SBOM and updates"; docs/release-engineering.md
// "Updates"):
//
//   channels/<channel>.json (+ .minisig)    this file, written last by `deskpack release`
//   packages/<id>-<version>-linux-<arch>.tar.zst   the self-contained package
//   deltas/<id>-<from>-to-<version>.delta   deskpack::delta's per-file deltas
//
// Everything here works on bytes: fetching them (file://, http://) is the
// client's job (launcher/update), writing them `deskpack release`'s.

#include "base/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace deskpack::feed {

struct FeedFile
{
    QString path; // relative to the feed root: packages/... or deltas/..., never ".."
    qint64 size = 0;
    QString sha256; // lower-case hex
    bool operator==(const FeedFile &) const = default;
};

struct FeedDelta
{
    QString fromVersion;
    FeedFile file;
    bool operator==(const FeedDelta &) const = default;
};

// A new signing key, endorsed by the key the installed app trusts.
struct KeyRotation
{
    QString publicKey;   // "RW..."
    QString endorsement; // .minisig text by the previous key over (publicKey + "\n")
    bool operator==(const KeyRotation &) const = default;
};

struct ChannelFeed
{
    static constexpr int SchemaVersion = 1;
    QString appId, channel, version, notes;
    qint64 issued = 0, expires = 0; // unix seconds, UTC
    FeedFile package;               // packages/<id>-<version>-linux-<arch>.tar.zst
    // The package archive's single top-level directory (the bundle directory's
    // name when it was packaged): the bundle tree is <extracted>/<packageRoot>.
    QString packageRoot;
    std::vector<FeedDelta> deltas; // deltas/<id>-<from>-to-<version>.delta, sorted by version
    QString minimumDeltaVersion;   // the lowest version a delta applies to ("" = none)
    std::optional<KeyRotation> rotation;
    bool operator==(const ChannelFeed &) const = default;
};

// The largest channel file parseChannel reads (notes included).
inline constexpr qsizetype MaxChannelBytes = 1 << 20;

// Sorted keys, two-space indent, trailing newline: the same feed gives the same bytes.
QByteArray serializeChannel(const ChannelFeed &feed);
// Parses untrusted bytes; never throws. Every field is typed and bounded,
// paths are packages/NAME or deltas/NAME, unknown keys are ignored (as in
// bundle.json, so a newer publisher's additions do not break older clients);
// every problem is reported at once, naming `fileName` and the JSON path
// (ErrorKind::Unreadable).
Result<ChannelFeed> parseChannel(QByteArrayView data, const QString &fileName);

// A version this order understands, a PEP 440 subset: N(.N)*[{a|b|rc}N][.postN][.devN],
// each number at most 9 digits, at most 64 characters. Versions name files
// in the feed, so nothing else is accepted.
bool isValidVersion(const QString &version);
// <0, 0, >0. Release segments numerically with trailing zeros ignored
// (1.0 == 1.0.0), then as PEP 440: 1.0.dev1 < 1.0a1 < 1.0b1 < 1.0rc1 < 1.0 < 1.0.post1,
// and X.devN before X. An invalid version sorts before every valid one
// (invalid ones among themselves by their text).
int compareVersions(const QString &a, const QString &b);

struct ClientView
{
    QString appId, installedVersion, trustedPublicKey; // the installed bundle.json's
    qint64 lastSeenIssued = 0;                         // highest `issued` accepted before here
    QStringList badVersions;                           // versions that failed the health gate here
    qint64 now = 0;
    QString requestedVersion; // explicit request: skips the "newer" and "seen" rules
};

struct FeedVerdict
{
    bool updateAvailable = false;
    QString version;       // the feed's
    QString reason;        // why no update when !updateAvailable
    QString signedByKeyId; // hex, as signing::PublicKey::keyIdHex()
    bool keyRotated = false;
};

// Verifies the signature (by the trusted key, or by a rotation's new key
// that the trusted key endorsed), then the channel name, app id, expiry,
// replay (issued < lastSeenIssued), a version newer than the installed one,
// and the bad versions. A refusal is an Error (ErrorKind::Invalid) naming the
// channel file (channels/<channelName>.json) and why; "nothing newer" and
// "failed here before" are a verdict without an update and a reason.
// `parsed` (may be null) receives the feed once its signature verified.
Result<FeedVerdict> checkChannel(QByteArrayView channelBytes, QByteArrayView signatureText,
                                 const QString &channelName, const ClientView &view,
                                 ChannelFeed *parsed);

// The trusted comment `deskpack release` signs a channel file with.
QString channelTrustedComment(const ChannelFeed &feed);

} // namespace deskpack::feed
