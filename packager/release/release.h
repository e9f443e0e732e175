// SPDX-License-Identifier: MIT
#pragma once

// `deskpack release`: publishes a bundle to a static update feed
// (docs/release-engineering.md, "Updates"). The feed directory holds
//
//   packages/<id>-<version>-linux-<arch>.tar.zst   `deskpack package --format tar.zst`
//   deltas/<id>-<from>-to-<version>.delta          from each of the last N versions
//   (deskpack::delta) channels/<channel>.json + .json.minisig        what clients read, written
//   last channels/<channel>.history.json                the publisher's list of released versions
//
// Nothing here fetches or serves anything: any static web server or CDN
// serves the directory.

#include "base/result.h"
#include "feed/channelfeed.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace deskpack::signing {
class SecretKey;
}

namespace deskpack::release {

struct ReleaseOptions
{
    QString bundleDir;
    QString feedDir;
    QString channel;
    const signing::SecretKey *key = nullptr; // opened by the caller (the password is its job)
    QString keyPath;                         // names the key in messages
    int keep = 3;                            // deltas from the last N versions; N + 1 packages kept
    QString notes;
    int expiresInDays = 30;
    qint64 now = 0; // the issue time; 0: SOURCE_DATE_EPOCH, else the clock
    // A key rotation: the key that signed the channel so far (its channel file
    // is checked with it) and its .minisig over `key`'s "RW..." line and a
    // newline, which installed copies trusting only the old key accept.
    QString previousPublicKey; // "RW..." or a .pub file's text; empty: no rotation
    QByteArray endorsement;
};

struct ReleaseResult
{
    feed::ChannelFeed channel; // as written
    QString channelFile;       // absolute paths
    QString signatureFile;
    QString packageFile;
    QStringList removed; // pruned packages and deltas, relative to the feed
    QStringList warnings;
    QString keyIdHex;
};

// Checks the key against the bundle's signing.publicKey (another key, or a
// bundle declaring none: ErrorKind::Usage), the existing channel file (one
// that does not parse or verify with this key: ErrorKind::Unreadable naming
// it; never overwritten), the version (not newer than the channel's:
// ErrorKind::Invalid, unless it is the same version with the same package
// bytes, which re-publishes the same files), then writes the package, the
// deltas, the history and the channel pair (.minisig renamed first, .json
// last), and prunes what the new channel no longer names. A rotation
// (previousPublicKey) is written into the channel file and carried forward
// by later releases with the new key. The same inputs and
// SOURCE_DATE_EPOCH give the same bytes.
Result<ReleaseResult> publishRelease(const ReleaseOptions &options);

} // namespace deskpack::release
