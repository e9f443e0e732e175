// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "pluginaudit.h"
#include "pluginrequirements.h"
#include "plugintransaction.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>

namespace deskpack::plugins {

// Where pip may look for distributions. No index URL means pip's default
// index unless `noIndex` is set.
struct PluginSources
{
    QStringList findLinks;
    QString indexUrl;
    bool noIndex = false;
};

// A plugin requirement that the core's pins make impossible, named exactly:
// "plugin weather needs pydantic<2, but the app's core pins pydantic==2.5.0".
// `requiredBy` is the distribution that asks for it when the clash is
// transitive ("oldlib 1.0"), empty for the plugin's own requirement. When
// `otherPlugin` is set, the pin is another plugin's installed distribution.
struct Clash
{
    QString plugin;
    QString requirement;
    QString requiredBy;
    QString name;
    QString version;
    QString otherPlugin;
    QString message() const;
    nlohmann::json toJson() const;
};

// One distribution of a resolution: where it comes from ("core", "plugin"
// when already in the plugin site-packages, "new" when it would be installed).
struct ResolvedDistribution
{
    QString name;
    QString version;
    QString where;
    nlohmann::json toJson() const;
};

struct CheckResult
{
    QString plugin;
    QList<Clash> clashes;
    QList<Offense> offenses; // install only: what the audit of the staged files found
    QList<ResolvedDistribution> resolution;
    bool ok() const { return clashes.isEmpty() && offenses.isEmpty(); }
    nlohmann::json toJson() const;
};

struct InstallResult : CheckResult
{
    QStringList installed; // "name version"
    QStringList removed;   // replaced or no longer needed by the plugin
    bool restartRequired = false;
    nlohmann::json toJson() const;
};

struct RemoveResult
{
    QString plugin;
    QStringList removed; // "name version"
    QStringList kept;    // still owned by another plugin: "name (plugin, ...)"
    bool restartRequired = false;
    nlohmann::json toJson() const;
};

// A distribution (or stray entry) moved out of the plugin site-packages.
struct QuarantineEntry
{
    QString id; // directory name under DATA/quarantine
    QString distribution;
    QString version;
    QString quarantinedAt;
    QList<Offense> reasons;
    bool restorable = false; // it would pass the audit now
    nlohmann::json toJson() const;
};

struct InstalledPluginDistribution
{
    QString name;
    QString version;
    QStringList owners; // empty: installed by hand
};

struct ListResult
{
    struct Plugin
    {
        QString name;
        QStringList requirements;
        QStringList distributions; // canonical names
        QStringList missing;       // owned but not installed (quarantined or removed by hand)
    };
    QString sitePackages;
    QList<Plugin> plugins;
    QList<InstalledPluginDistribution> distributions;
    QList<QuarantineEntry> quarantine;
    nlohmann::json toJson() const;
};

struct AuditResult
{
    QList<QuarantineEntry> quarantined; // by this audit
    QList<QuarantineEntry> quarantine;  // everything in quarantine now
    QString recovered;                  // what an interrupted change left, settled
    bool restartRequired() const { return !quarantined.isEmpty(); }
    nlohmann::json toJson() const;
};

// The plugin site-packages boundary of DESIGN.md: plugins add distributions
// the core lacks and can never replace, shadow or re-version a core one.
// Resolution is the bundle's own pip (`--dry-run --report`, every core
// distribution pinned, the core and the plugin site-packages visible as
// installed); installs go to a staging dir, are audited against the core's
// RECORDs and move in with a journalled commit, so a failure or a SIGKILL
// leaves the plugin site-packages as it was (the next call rolls back a
// half-done commit and empties the staging dir). Changes take a lock file
// per data dir. All calls are blocking; run them off the GUI thread.
class PluginBoundary
{
public:
    struct Options
    {
        QString bundleDir;
        QString dataDir;       // empty: no plugin site-packages (check only)
        int lockTimeoutMs = 0; // how long a change waits for another one
        QString logFile;       // pip's output is appended here when set
        // Test and progress seam: called with "resolved", "staged", "audited",
        // "commit N/M" and "committed".
        std::function<void(const QString &phase)> onPhase;
    };

    static Result<PluginBoundary> open(Options options);

    Result<CheckResult> check(const QString &plugin, const QList<RequirementLine> &requirements,
                              const PluginSources &sources);
    Result<InstallResult> install(const QString &plugin, const QList<RequirementLine> &requirements,
                                  const PluginSources &sources);
    Result<RemoveResult> remove(const QString &plugin);
    Result<ListResult> list();
    Result<AuditResult> audit();
    Result<QuarantineEntry> restore(const QString &quarantineId);

    const CoreIndex &core() const { return *m_core; }
    QString interpreter() const { return m_interpreter; }
    QString coreSitePackages() const { return m_coreSitePackages; }
    const DataLayout &layout() const { return *m_layout; }

private:
    struct Resolution;
    class Lock;
    Result<Resolution> resolve(const QString &plugin, const QList<RequirementLine> &requirements,
                               const PluginSources &sources, const QString &scratch);
    Result<std::unique_ptr<Lock>> takeLock();
    Result<std::unique_ptr<Lock>> lockAndRecover();
    QList<QuarantineEntry> readQuarantine() const;
    void phase(const QString &name) const;

    Options m_options;
    QString m_interpreter;
    QString m_coreSitePackages;
    std::shared_ptr<const CoreIndex> m_core;
    std::shared_ptr<const DataLayout> m_layout;
};

} // namespace deskpack::plugins
