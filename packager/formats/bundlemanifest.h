// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "formats/runtimeorigin.h"

#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

namespace deskpack::formats {

// How the launcher decides the backend is up.
struct Readiness
{
    enum class Kind
    {
        Http,
        Tcp,
        Heartbeat
    };
    Kind kind = Kind::Heartbeat;
    QString url;  // Http
    int port = 0; // Tcp
    int timeoutSeconds = 30;

    bool operator==(const Readiness &) const = default;
};

// One file of a bundle, by its path relative to the bundle root ('/'-separated).
struct BundleFile
{
    QString path;
    QString sha256; // of the content; empty for symlinks
    qint64 size = 0;
    bool executable = false;
    QString linkTarget; // a relative symlink's target, else empty

    bool operator==(const BundleFile &) const = default;
};

// bundle.json: everything the launcher needs to start the backend and
// everything `deskpack verify` needs to prove the bundle intact. All paths are
// relative to the bundle root, so a bundle can be moved.
struct BundleManifest
{
    static constexpr int SchemaVersion = 1;
    static constexpr const char *FileName = "bundle.json";
    static constexpr const char *LockEnvironmentVariable = "DESKPACK_CORE_LOCK_PATH";

    QString id;
    QString name;
    QString version;
    QString entryModule; // run as `python -m`, or
    QString entryScript; // relative to the bundle root (app/...)
    QStringList entryArgs;
    Readiness readiness;
    QString python;           // runtime/bin/python3.X
    QString pythonVersion;    // 3.11.2
    QString coreSitePackages; // runtime/lib/python3.X/site-packages
    QString lock;             // app/runtime-core-lock.json
    QString lockEnvAlias;     // e.g. ASTRBOT_DESKTOP_CORE_LOCK_PATH, may be empty
    QList<QPair<QString, QString>> env;
    QString launcher; // the launcher executable (the app id), empty if none
    QString icon;     // resources/..., may be empty
    // The app's minisign public key ("RW..."), from deskpack.json's
    // signing.publicKey: what updates and the bundle's own signature are
    // checked against. Empty when the app declares none.
    QString signingPublicKey;
    // update.feed / update.channel, from deskpack.json's "update": where this
    // app's signed update feed lives (https://, http:// or file:// URL) and
    // which channel of it it follows. Both empty when the app has no feed.
    QString updateFeed;
    QString updateChannel;
    std::optional<RuntimeOrigin> runtimeOrigin; // "runtimeOrigin", for the SBOM; optional
    std::vector<BundleFile> files; // files and links, sorted by path, bundle.json excluded
    // The empty directories, sorted: every other directory holds a file, a
    // link or one of these, so an extra directory on disk is detectable.
    QStringList dirs;

    bool operator==(const BundleManifest &) const = default;
};

// Whether `text` has the shape of a minisign public key line: base64 of "Ed",
// an 8-byte key id and a 32-byte Ed25519 key (56 characters starting "RW").
// The shape only; packager/signing parses and uses it.
bool isPublicKeyText(const QString &text);

// The channel an app follows when deskpack.json names none.
inline constexpr const char *DefaultUpdateChannel = "stable";
// Whether `name` can name an update channel: [a-z0-9][a-z0-9._-]{0,63}. It
// becomes a file name in the feed (channels/NAME.json), so nothing else.
bool isUpdateChannelName(const QString &name);
// Whether `url` can be an update feed: an absolute https://, http:// or
// file:/// URL with no query, fragment, credentials or whitespace.
bool isUpdateFeedUrl(const QString &url);

// Deterministic bytes: sorted keys, 2-space indent, trailing newline.
QByteArray serializeManifest(const BundleManifest &manifest);
// Parses bundle.json text; never throws. Every problem is reported at once,
// each naming `fileName` and the JSON path (ErrorKind::Unreadable).
Result<BundleManifest> parseManifest(QByteArrayView data, const QString &fileName);
// Reads BUNDLE/bundle.json through parseManifest.
Result<BundleManifest> readManifest(const QString &bundleDir);

// Everything under a bundle directory, links never followed.
struct BundleTree
{
    std::vector<BundleFile> files; // regular files (hashed) and symlinks, sorted by path
    QStringList dirs;              // every directory, sorted
    QStringList emptyDirs;         // the directories with no entry at all, sorted
    QStringList unsafe; // "path: why": links that leave the bundle, fifos, sockets, devices
};

// Lists and hashes (in parallel) every entry under `bundleDir` except
// bundle.json. A symlink is recorded as a link whatever it points to (file,
// directory, nothing) and never followed; one that leaves the bundle, even
// dangling, goes to `unsafe`, as does anything that is not a file, a
// directory or a link. Errors only for what cannot be read.
Result<BundleTree> scanBundleTree(const QString &bundleDir);

// scanBundleTree for building a bundle: any unsafe entry is an error.
Result<BundleTree> scanBundleFiles(const QString &bundleDir);

// Why the link at `relative` (target `target`) under the tree at `root` leaves
// that tree, or empty: lexically first (this also covers dangling links),
// then by resolving it, since a ".." after another link can climb out where
// the text alone stays inside. `canonicalRoot` is the root's canonical path.
// How scanBundleTree judges links, and every other walk of a bundle-like tree.
QString bundleLinkEscape(const QString &root, const QString &canonicalRoot, const QString &relative,
                         const QString &target);

// Finishes a tree a walk filled in any order: files and directories sorted by
// path, and the empty directories found from `children` (directory -> the
// number of entries directly inside it; "" is the root).
void sortBundleTree(BundleTree &tree, const QHash<QString, int> &children);

// Hashes `tree.files[i]` for every i in `indices`, in parallel
// (forEachInParallel with `minPerThread`), reading each from `pathOf(file)`.
// The first failure in file order is returned.
Result<void> hashBundleFiles(BundleTree &tree, const std::vector<std::size_t> &indices,
                             const std::function<QString(const BundleFile &)> &pathOf,
                             qsizetype minPerThread);

struct VerifyReport
{
    QStringList missing; // "path", or "path/" for a directory
    QStringList changed; // "path: why"
    QStringList extra;   // "path", "path/" for a directory, "path (link to T)"
    QStringList unsafe;  // "path: why"
    bool ok() const
    {
        return missing.isEmpty() && changed.isEmpty() && extra.isEmpty() && unsafe.isEmpty();
    }
};

// Compares every entry on disk with the manifest: files, links (to files or
// directories), empty directories, and anything that should not be there.
Result<VerifyReport> verifyBundleFiles(const BundleManifest &manifest, const QString &bundleDir);

} // namespace deskpack::formats
