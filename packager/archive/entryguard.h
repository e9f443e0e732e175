// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace deskpack::archive {

enum class EntryKind
{
    File,
    Directory,
    Symlink,
    Hardlink,
    Special
};

// The hostile-input rules for one extraction, applied to every entry before
// anything of it reaches the disk. Entry names are archive-relative; the guard
// rejects absolute names (`/x`, `\x`, `C:x`), `..` components (split on both
// `/` and `\`, because a zip written on Windows means `..\` as a parent step),
// device/fifo/socket entries, anything written through a symlink the archive
// created earlier, symlinks whose target (resolved through the symlinks seen
// so far) leaves the root, and hardlinks to anything but a regular file
// extracted earlier. Because a later symlink can change where an earlier one
// points, finalCheck() re-resolves every symlink once all entries are known.
// Messages name the entry; callers prefix the archive.
class EntryGuard
{
public:
    // Returns the normalised relative path ("a/b"; empty for the root "./").
    Result<QString> admit(const QString &name, EntryKind kind, const QString &linkTarget = {});

    Result<void> finalCheck() const;

    // Splits an entry name into components, dropping empty and "." ones.
    // Fails for absolute names and ".." components.
    static Result<QStringList> splitName(const QString &name);

private:
    // Where `target` (relative to directory `from`) ends up, following the
    // archive's symlinks; nullopt when it leaves the root or loops.
    std::optional<QStringList> resolve(QStringList from, const QString &target, int depth) const;
    std::optional<QString> symlinkAncestor(const QStringList &components) const;

    QHash<QString, QString> m_symlinks; // relative path -> link target as stored
    QSet<QString> m_files;              // regular files, the only valid hardlink targets
};

} // namespace deskpack::archive
