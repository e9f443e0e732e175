// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "lock/lockfile.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

namespace deskpack::plugins {

// What the core provides, as the audit needs it: the lock's pins by canonical
// name, which top-level names are regular packages or modules (a plugin may
// never provide those) and which are namespace directories (shared), and every
// file path the core distributions' RECORDs list.
struct CoreIndex
{
    struct Pin
    {
        QString name;
        QString version;
    };
    QHash<QString, Pin> pins;                  // canonical name -> pin
    QHash<QString, QString> regularModules;    // top-level module -> core distribution
    QHash<QString, QString> namespacePackages; // namespace directory -> a core distribution
    QHash<QString, QString> files;             // RECORD path -> core distribution

    // `coreSitePackages` is read for RECORDs and to tell packages from
    // namespace directories; the lock decides which distributions are core.
    static Result<CoreIndex> build(const lock::Lock &lock, const QString &coreSitePackages);
};

// A distribution installed in a plugin site-packages (or a staging or
// quarantine directory): what its .dist-info and RECORD say.
struct PluginDistribution
{
    QString name; // from the .dist-info directory name (escaped by the wheel spec)
    QString version;
    QString canonicalName;
    QString metadataEntry; // NAME-VERSION.dist-info
    QStringList files;     // RECORD paths, cleaned, relative
    QStringList topLevel;  // importable top-level names from the files
};

// A top-level entry that no RECORD lists (dropped in by hand).
struct StrayEntry
{
    QString entry;
    QString module; // the module it would provide, or empty
};

struct PluginDirectory
{
    QList<PluginDistribution> distributions;
    QList<StrayEntry> strays;
};

// Lists `directory` once and reads each .dist-info's RECORD. Missing directory:
// empty. Names that cannot be read fail with ErrorKind::Environment.
Result<PluginDirectory> scanPluginDirectory(const QString &directory);

// Why something may not sit in the plugin site-packages. `code` is stable for
// scripts: core-name, core-module, core-file, plugin-file.
struct Offense
{
    QString code;
    QString distribution; // plugin-side distribution, empty for a stray entry
    QString version;
    QString entry;   // the .dist-info or stray entry
    QString subject; // the module, file or name that clashes
    QString coreDistribution;
    QString message;
    nlohmann::json toJson() const;
};

// The rules of DESIGN.md ("The plugin site-packages boundary", 3).
QList<Offense> auditDistribution(const CoreIndex &core, const PluginDistribution &distribution);
QList<Offense> auditStray(const CoreIndex &core, const StrayEntry &stray);

} // namespace deskpack::plugins
