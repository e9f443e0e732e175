// SPDX-License-Identifier: MIT
// PluginBoundary::install: resolve, stage into the staging dir, audit the
// staged files, then commit them into the plugin site-packages.
#include "pluginboundary.h"
#include "pluginboundaryprivate.h"

#include "base/fileio.h"
#include "lock/lockfile.h"
#include "runner/python/pip.h"

#include <QDir>
#include <QHash>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::plugins {

using namespace boundary;

namespace {

// The staging dir of one install: pip's scratch files, the target it
// installs into and the trash that takes what leaves.
struct InstallWork
{
    QString id;
    QString dir;
    QString target;
    QString trash;
    QString scratch() const { return dir + u"/scratch"_s; }
};

Result<InstallWork> makeInstallWork(const QString &staging)
{
    InstallWork work;
    work.id = newTransactionId();
    work.dir = staging + u'/' + work.id;
    work.target = work.dir + u"/target"_s;
    work.trash = work.dir + u"/trash"_s;
    if (!QDir().mkpath(work.scratch()) || !QDir().mkpath(work.target))
        return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(work.dir));
    return work;
}

// What the plugin owns after this install, and what leaves: older versions
// pip replaces and distributions only this plugin needed before.
struct OwnershipChange
{
    OwnerRecord::Plugin entry;
    QList<const PluginDistribution *> leaving;
};

OwnershipChange planOwnership(const QString &plugin, const QList<RequirementLine> &requirements,
                              const ResolutionOutcome &resolution, const OwnerRecord &owners,
                              const PluginDirectory &installed)
{
    QHash<QString, const PluginDistribution *> installedByName;
    for (const PluginDistribution &d : installed.distributions)
        installedByName.insert(d.canonicalName, &d);
    OwnershipChange change;
    for (const RequirementLine &r : requirements)
        change.entry.requirements.append(r.text);
    for (const ResolvedDistribution &d : resolution.closure) {
        if (d.where != u"core")
            change.entry.distributions.append(lock::canonicalName(d.name));
    }
    for (const ReportItem &item : resolution.items) {
        if (const auto *old = installedByName.value(item.canonicalName))
            change.leaving.append(old);
    }
    for (const QString &canonical : owners.plugins.value(plugin).distributions) {
        QStringList others = owners.ownersOf(canonical);
        others.removeAll(plugin);
        const auto *old = installedByName.value(canonical);
        if (old && others.isEmpty() && !change.entry.distributions.contains(canonical) &&
            !change.leaving.contains(old))
            change.leaving.append(old);
    }
    return change;
}

// pip's requirements file for the staging install: every item pinned, with
// its hash when the report gave one for each.
QByteArray pinnedRequirements(const QList<ReportItem> &items)
{
    const bool hashes = std::all_of(items.cbegin(), items.cend(),
                                    [](const ReportItem &i) { return !i.sha256.isEmpty(); });
    QByteArray pinned;
    for (const ReportItem &item : items) {
        pinned += (item.name + u"=="_s + item.version).toUtf8();
        if (hashes)
            pinned += " --hash=sha256:" + item.sha256.toUtf8();
        pinned += '\n';
    }
    return pinned;
}

// Stage what the core lacks, exactly as resolved, without dependencies.
Result<void> stage(const InstallWork &work, const QList<ReportItem> &items, runner::PipCommand pip,
                   const PluginSources &sources, const QString &plugin)
{
    if (items.isEmpty())
        return {};
    const QString pinnedFile = work.scratch() + u"/install.txt"_s;
    if (Result<void> written = writeFileAtomically(pinnedFile, pinnedRequirements(items)); !written)
        return written.error();
    pip.arguments = QStringList{u"install"_s, u"--no-deps"_s, u"--no-compile"_s, u"--target"_s,
                                work.target,  u"-r"_s,        pinnedFile}
                    << sourceArguments(sources);
    if (Result<runner::PythonOutput> run = runner::runPip(pip); !run)
        return makeError(run.error().kind,
                         u"installing the requirements of plugin %1 failed; the plugin "
                         "site-packages is unchanged.\n%2"_s.arg(plugin, run.error().message));
    return {};
}

QSet<QString> entriesLeaving(const QString &sitePackages,
                             const QList<const PluginDistribution *> &leaving)
{
    QSet<QString> files;
    for (const PluginDistribution *d : leaving)
        for (const QString &f : entriesOf(sitePackages, *d))
            files.insert(f);
    return files;
}

// The staged files against the core and against what other plugins installed.
QList<Offense> auditStaged(const CoreIndex &core, const QString &sitePackages,
                           const PluginDirectory &staged, const PluginDirectory &installed,
                           const QSet<QString> &leavingFiles)
{
    QList<Offense> offenses;
    QHash<QString, QString> pluginFiles;
    for (const PluginDistribution &d : installed.distributions)
        for (const QString &f : d.files)
            pluginFiles.insert(f, d.name + u' ' + d.version);
    for (const PluginDistribution &d : staged.distributions) {
        offenses << auditDistribution(core, d);
        for (const QString &f : d.files) {
            if (leavingFiles.contains(f) || f.endsWith(u"/"_s))
                continue;
            if (exists(sitePackages + u'/' + f))
                offenses.append(
                    {u"plugin-file"_s, d.name, d.version, d.metadataEntry, f, pluginFiles.value(f),
                     u"%1 %2 installs '%3', which the plugin site-packages already holds%4"_s.arg(
                         d.name, d.version, f,
                         pluginFiles.contains(f) ? u" (from %1)"_s.arg(pluginFiles.value(f))
                                                 : QString())});
        }
    }
    for (const StrayEntry &stray : staged.strays)
        offenses << auditStray(core, stray);
    return offenses;
}

// Moves what leaves into the trash and the staged tree into the plugin
// site-packages, with the plugin's new ownership, in one transaction.
// Returns what left ("name version").
Result<QStringList> commitInstall(const DataLayout &layout, const InstallWork &work,
                                  const QString &plugin, const OwnershipChange &change,
                                  const QSet<QString> &leavingFiles, OwnerRecord owners,
                                  const std::function<void(int done, int total)> &onMove)
{
    Transaction transaction{work.id, {}};
    QStringList removedPaths;
    QStringList removed;
    for (const PluginDistribution *d : change.leaving) {
        moveOut(layout.sitePackages, work.trash, *d, transaction, removedPaths);
        removed.append(d->name + u' ' + d->version);
    }
    if (auto plan =
            planMerge(work.target, layout.sitePackages, {}, leavingFiles, transaction.moves);
        !plan)
        return plan.error();
    owners.plugins.insert(plugin, change.entry);
    if (auto c = commitChange(layout, transaction, owners, removedPaths, onMove); !c)
        return c.error();
    return removed;
}

} // namespace

Result<InstallResult> PluginBoundary::install(const QString &plugin,
                                              const QList<RequirementLine> &requirements,
                                              const PluginSources &sources)
{
    if (auto n = checkPluginName(plugin); !n)
        return n.error();
    Result<std::unique_ptr<Lock>> lock = lockAndRecover();
    if (!lock)
        return lock.error();
    Result<InstallWork> work = makeInstallWork(m_layout->staging);
    if (!work)
        return work.error();
    const RemoveDirOnExit cleanup{work->dir};

    Result<Resolution> resolution = resolve(plugin, requirements, sources, work->scratch());
    if (!resolution)
        return resolution.error();
    InstallResult result;
    static_cast<CheckResult &>(result) = {plugin, resolution->clashes, {}, resolution->closure};
    if (!result.clashes.isEmpty())
        return result;
    phase(u"resolved"_s);

    Result<OwnerRecord> owners = readOwners(m_layout->sitePackages);
    if (!owners)
        return owners.error();
    Result<PluginDirectory> installed = scanPluginDirectory(m_layout->sitePackages);
    if (!installed)
        return installed.error();
    const OwnershipChange change =
        planOwnership(plugin, requirements, *resolution, *owners, *installed);

    const runner::PipCommand pip{m_interpreter, {}, {}, m_options.logFile};
    if (auto staging = stage(*work, resolution->items, pip, sources, plugin); !staging)
        return staging.error();
    phase(u"staged"_s);

    Result<PluginDirectory> staged = scanPluginDirectory(work->target);
    if (!staged)
        return staged.error();
    const QSet<QString> leavingFiles = entriesLeaving(m_layout->sitePackages, change.leaving);
    result.offenses =
        auditStaged(*m_core, m_layout->sitePackages, *staged, *installed, leavingFiles);
    if (!result.offenses.isEmpty())
        return result;
    phase(u"audited"_s);

    Result<QStringList> removed = commitInstall(
        *m_layout, *work, plugin, change, leavingFiles, *owners,
        [this](int done, int total) { phase(u"commit %1/%2"_s.arg(done).arg(total)); });
    if (!removed)
        return removed.error();
    result.removed = *removed;
    phase(u"committed"_s);
    for (const ReportItem &item : std::as_const(resolution->items))
        result.installed.append(item.name + u' ' + item.version);
    result.restartRequired = !result.installed.isEmpty() || !result.removed.isEmpty();
    return result;
}

} // namespace deskpack::plugins
