// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "lockfile.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <memory>

namespace deskpack::lock {

struct DirectoryHandle; // an open handle on the directory, for relative opens

// The top-level entries of one site-packages directory, listed once, so that
// "does module X exist here?" is a hash lookup instead of a handful of stats.
class SitePackagesIndex
{
public:
    static Result<SitePackagesIndex> scan(const QString &directory);

    const QString &directory() const { return m_directory; }
    // Whether the import system finds a top-level module of that name here: a
    // directory (package or namespace portion), foo.py, foo.pyc or an extension
    // module (foo.cpython-311-x86_64-linux-gnu.so, foo.abi3.so, foo.so, foo.pyd).
    // The name need not be an identifier; one with a dot never matches.
    bool hasModule(const QString &module) const;
    // Metadata entries (*.dist-info, *.egg-info), sorted by name.
    const QStringList &metadataEntries() const { return m_metadataEntries; }
    bool isDirectory(const QString &entry) const { return m_directories.contains(entry); }
    const DirectoryHandle *handle() const { return m_handle.get(); }

private:
    QString m_directory;
    std::shared_ptr<const DirectoryHandle> m_handle;
    QSet<QString> m_directories;
    QSet<QString> m_fileModules;
    QStringList m_metadataEntries;
};

// A distribution found installed, with where its metadata lives.
struct InstalledDistribution
{
    QString name;
    QString version;
    QStringList topLevelModules;
    QStringList missingModules;    // named by the metadata but not on disk: left out
    QStringList unimportableNames; // named, but cannot be a module name ("a.b"): left out
    QString metadataPath;          // the .dist-info / .egg-info path
    enum class ModuleSource
    {
        TopLevelTxt,
        Record,
        InstalledFiles,
        NameOnDisk,
        None
    };
    ModuleSource moduleSource = ModuleSource::None;
};

// Everything installed in a set of site-packages directories. Warnings cover
// skipped entries and merged identical duplicates; two versions of one
// distribution are an error that names both paths.
struct InstalledSet
{
    QList<InstalledDistribution> distributions; // one per canonical name
    QList<Problem> problems;                    // warnings, and errors for conflicts
    QList<SitePackagesIndex> indexes;
};

// Reads one distribution's metadata entry.
Result<InstalledDistribution> readDistribution(const SitePackagesIndex &index,
                                               const QString &entry);

// Scans directories in order. A directory that cannot be listed fails with
// ErrorKind::Unreadable.
Result<InstalledSet> scanInstalled(const QStringList &directories);

// The lock of what is installed (sorted as DESIGN.md says).
Lock lockFromInstalled(const InstalledSet &installed);

} // namespace deskpack::lock
