// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "runtime/elffile.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace deskpack::runtime {

// One reason an ELF file in a tree would not load after the tree is moved, or
// would load something of the build machine.
struct ElfFinding
{
    enum class Kind
    {
        Unreadable,         // ELF magic, but the headers cannot be read
        ForeignMachine,     // another architecture or class than this machine's
        AbsoluteSearchPath, // RUNPATH/RPATH names an absolute (or cwd-relative) directory
        SearchPathOutside,  // an $ORIGIN entry that climbs out of the tree
        UnresolvedLibrary,  // NEEDED found neither in the tree nor in the base system
    };
    Kind kind;
    QString file;   // relative to the audited root
    QString detail; // the offending entry, soname or machine
    QString message;
};

// Every regular ELF file under `root` (symlinks are skipped: their targets
// are listed themselves), sorted.
QStringList elfFilesUnder(const QString &root);

// Checks every loadable ELF file under `root` (docs/runtime.md, "ELF audit"):
// it is for this machine; its RUNPATH/RPATH entries are all $ORIGIN-relative
// and stay inside `root`; each NEEDED library is in the base system or is
// found, through those entries, as a file inside `root`. PT_INTERP (the
// loader, always absolute) is not a finding. Paths in findings and messages
// are relative to `root`, prefixed with `displayPrefix`.
QList<ElfFinding> auditElfTree(const QString &root, const QString &displayPrefix = {});

// The audit of a bundle: auditElfTree, except that the executables at the
// bundle root (the launcher) may need host libraries such as Qt. A bundle
// links the build machine's Qt until `deskpack package` carries it (lib/ in
// archives) or declares it (Depends in a deb); see docs/release-engineering.md.
// What `deskpack verify`, `deskpack package` and the build share.
QList<ElfFinding> auditBundleElf(const QString &bundleRoot, const QString &displayPrefix = {});

// What missing libraries do during normalisation.
enum class MissingLibraries
{
    CopyFromHost, // a host runtime: copy from where the host's loader finds them
    Fail,         // an archive runtime: it must carry them; fail naming them
};

struct ElfNormalizeOptions
{
    MissingLibraries missing = MissingLibraries::Fail;
    // Where libraries copied from the host go, and the first place looked
    // for a library the tree carries. Default: <root>/lib.
    QString libraryDir;
    // For host copies: file in the tree -> the host file it was copied from,
    // so $ORIGIN in the original's search path means the host directory.
    QHash<QString, QString> hostOriginals;
    QString source;        // what the tree came from, for messages (an archive path)
    QString displayPrefix; // prefix of tree-relative paths in messages ("python/")
};

struct ElfNormalizeReport
{
    QStringList copiedLibraries; // sonames copied from the host into libraryDir
    QStringList rewritten;       // "file: RUNPATH a -> b"
    QStringList hostMissing;     // "file: needs X, which the host lacks too" (host mode)
};

// Makes every ELF file under `root` find its libraries by $ORIGIN-relative
// RUNPATHs only: absolute and cwd-relative entries are dropped; each NEEDED
// library outside the base system that the remaining entries miss is looked
// up in the tree (libraryDir first), or copied from the host (CopyFromHost),
// and the object gets `$ORIGIN/<relative dir>`. Files whose search path is
// already right are left byte-for-byte alone. With MissingLibraries::Fail, a
// library the tree lacks is ErrorKind::Unreadable naming every file and
// soname; so is an ELF file for another machine, in both modes.
Result<ElfNormalizeReport> normalizeElfTree(const QString &root,
                                            const ElfNormalizeOptions &options);

} // namespace deskpack::runtime
