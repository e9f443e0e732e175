// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "runtime/elffile.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace deskpack::runtime {

// True for sonames every target system provides, which a runtime never
// carries (docs/runtime.md, "The base system"): glibc's libraries and its
// loader, plus the libraries the manylinux2014 policy (PEP 599) lets wheels
// assume (libgcc_s, libstdc++, libX11, libGL, glib, ...).
bool isBaseSystemLibrary(const QString &soname);

// The host's dynamic-loader search, done by reading files rather than by
// running the loader: an object's RPATH (when it has no RUNPATH), its
// RUNPATH, the loader cache (/etc/ld.so.cache as `ldconfig -p` prints it),
// then the default directories. LD_LIBRARY_PATH is deliberately ignored: the
// build machine's environment must not decide what a runtime carries.
class HostLibrarySearch
{
public:
    // Reads the loader cache once. Without ldconfig only the default
    // directories are searched (with a warning).
    static HostLibrarySearch load();

    // Where the host's loader finds `soname` for the object at `requesterPath`
    // (whose headers are `requester`): a file of the same ELF class and
    // machine. Empty when the host has none.
    QString find(const QString &soname, const ElfInfo &requester,
                 const QString &requesterPath) const;

    // For tests: a search over explicit cache entries and default directories.
    HostLibrarySearch(QHash<QString, QStringList> cache, QStringList defaultDirs);

private:
    HostLibrarySearch() = default;
    QHash<QString, QStringList> m_cache; // soname -> paths, in cache order
    QStringList m_defaultDirs;
};

// Expands $ORIGIN / ${ORIGIN} in one search-path entry for an object in
// `originDir`. Entries without it are returned unchanged.
QString expandOrigin(const QString &entry, const QString &originDir);

// True when a search-path entry is relative to the object ($ORIGIN...).
bool isOriginRelative(const QString &entry);

// Sets DT_RUNPATH of every file to `runPath` (one patchelf run; an RPATH
// becomes a RUNPATH). An empty `runPath` removes the search path. A missing
// patchelf is ErrorKind::Environment and says which Debian package has it.
Result<void> setRunPath(const QStringList &files, const QString &runPath);

} // namespace deskpack::runtime
