// SPDX-License-Identifier: MIT
#include "pluginboundary.h"
#include "pluginboundaryprivate.h"

#include "lock/lockfile.h"
#include "formats/bundlemanifest.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QUuid>

using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

namespace deskpack::plugins {

namespace {

std::string s(const QString &text)
{
    return text.toStdString();
}

} // namespace

namespace boundary {

json strings(const QStringList &list)
{
    json out = json::array();
    for (const QString &s : list)
        out.push_back(s.toStdString());
    return out;
}

bool exists(const QString &path)
{
    const QFileInfo info(path);
    return info.exists() || info.isSymLink();
}

Error noDataDir()
{
    return makeError(ErrorKind::Usage, u"no data directory given (--data-dir)"_s);
}

Result<void> checkPluginName(const QString &plugin)
{
    if (!isValidPluginName(plugin))
        return makeError(ErrorKind::Usage,
                         u"'%1' is not a valid plugin name (1-64 letters, digits, '.', '_', '-', "
                         "starting with a letter or digit)"_s.arg(plugin));
    return {};
}

QString newTransactionId()
{
    return QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd'T'HHmmsszzz"_s) + u'-' +
           QUuid::createUuid().toString(QUuid::Id128).left(8);
}

QStringList entriesOf(const QString &root, const PluginDistribution &d)
{
    QStringList out;
    for (const QString &f : d.files) {
        if (f.startsWith(d.metadataEntry + u'/') || f.contains(u"/__pycache__/"_s) ||
            f.startsWith(u"__pycache__/"_s))
            continue;
        if (exists(root + u'/' + f))
            out.append(f);
        if (f.endsWith(u".py"_s)) {
            const QFileInfo info(f);
            const QString dir = info.path() == u"." ? QString() : info.path() + u'/';
            const QDir cache(root + u'/' + dir + u"__pycache__"_s);
            for (const QString &pyc :
                 cache.entryList({info.completeBaseName() + u".*.pyc"_s}, QDir::Files))
                out.append(dir + u"__pycache__/"_s + pyc);
        }
    }
    if (exists(root + u'/' + d.metadataEntry))
        out.append(d.metadataEntry);
    return out;
}

Result<void> planMerge(const QString &from, const QString &to, const QString &relative,
                       const QSet<QString> &gone, QList<QPair<QString, QString>> &moves)
{
    const QDir dir(relative.isEmpty() ? from : from + u'/' + relative);
    for (const QString &entry : dir.entryList(
             QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name)) {
        const QString rel = relative.isEmpty() ? entry : relative + u'/' + entry;
        const QString target = to + u'/' + rel;
        if (!exists(target) || gone.contains(rel)) {
            moves.append({from + u'/' + rel, target});
        } else if (QFileInfo(target).isDir() && !QFileInfo(target).isSymLink() &&
                   QFileInfo(from + u'/' + rel).isDir()) {
            if (auto r = planMerge(from, to, rel, gone, moves); !r)
                return r;
        } else {
            return makeError(ErrorKind::Environment,
                             u"%1: already exists; it would be overwritten"_s.arg(target));
        }
    }
    return {};
}

QStringList parentsOf(const QString &root, const QStringList &relatives)
{
    QSet<QString> out;
    for (const QString &r : relatives)
        out.insert(QFileInfo(root + u'/' + r).absolutePath());
    return out.values();
}

void moveOut(const QString &root, const QString &trash, const PluginDistribution &d,
             Transaction &transaction, QStringList &removedPaths)
{
    for (const QString &f : entriesOf(root, d)) {
        transaction.moves.append({root + u'/' + f, trash + u'/' + f});
        removedPaths.append(f);
    }
}

Result<void> commitChange(const DataLayout &layout, const Transaction &transaction,
                          const OwnerRecord &owners, const QStringList &removedPaths,
                          const std::function<void(int done, int total)> &onMove)
{
    if (auto c = commitTransaction(layout, transaction, owners, onMove); !c)
        return c;
    pruneEmptyDirectories(layout.sitePackages, parentsOf(layout.sitePackages, removedPaths));
    return {};
}

} // namespace boundary

using namespace boundary;

QString Clash::message() const
{
    const QString by = requiredBy.isEmpty() ? QString() : u" (through %1)"_s.arg(requiredBy);
    if (!otherPlugin.isEmpty())
        return u"plugin %1 needs %2%3, but plugin %4 installed %5==%6"_s.arg(
            plugin, requirement, by, otherPlugin, name, version);
    return u"plugin %1 needs %2%3, but the app's core pins %4==%5"_s.arg(plugin, requirement, by,
                                                                         name, version);
}

json Clash::toJson() const
{
    json j = {{"plugin", s(plugin)}, {"requirement", s(requirement)}, {"requiredBy", s(requiredBy)},
              {"name", s(name)},     {"version", s(version)},         {"message", s(message())}};
    if (otherPlugin.isEmpty())
        j["corePin"] = s(name + u"=="_s + version);
    else
        j["otherPlugin"] = s(otherPlugin);
    return j;
}

json ResolvedDistribution::toJson() const
{
    return {{"name", s(name)}, {"version", s(version)}, {"where", s(where)}};
}

json CheckResult::toJson() const
{
    json c = json::array(), o = json::array(), r = json::array();
    for (const Clash &x : clashes)
        c.push_back(x.toJson());
    for (const Offense &x : offenses)
        o.push_back(x.toJson());
    for (const ResolvedDistribution &x : resolution)
        r.push_back(x.toJson());
    return {
        {"plugin", s(plugin)}, {"ok", ok()}, {"clashes", c}, {"offenses", o}, {"resolution", r}};
}

json InstallResult::toJson() const
{
    json j = CheckResult::toJson();
    j["installed"] = strings(installed);
    j["removed"] = strings(removed);
    j["restartRequired"] = restartRequired;
    return j;
}

json RemoveResult::toJson() const
{
    return {{"plugin", s(plugin)},
            {"removed", strings(removed)},
            {"kept", strings(kept)},
            {"restartRequired", restartRequired}};
}

json QuarantineEntry::toJson() const
{
    json r = json::array();
    for (const Offense &o : reasons)
        r.push_back(o.toJson());
    return {{"id", s(id)},           {"distribution", s(distribution)},
            {"version", s(version)}, {"quarantinedAt", s(quarantinedAt)},
            {"reasons", r},          {"restorable", restorable}};
}

json ListResult::toJson() const
{
    json p = json::array(), d = json::array(), q = json::array();
    for (const Plugin &x : plugins)
        p.push_back({{"name", s(x.name)},
                     {"requirements", strings(x.requirements)},
                     {"distributions", strings(x.distributions)},
                     {"missing", strings(x.missing)},
                     {"status", x.missing.isEmpty() ? "ok" : "incomplete"}});
    for (const InstalledPluginDistribution &x : distributions)
        d.push_back(
            {{"name", s(x.name)}, {"version", s(x.version)}, {"owners", strings(x.owners)}});
    for (const QuarantineEntry &x : quarantine)
        q.push_back(x.toJson());
    return {
        {"sitePackages", s(sitePackages)}, {"plugins", p}, {"distributions", d}, {"quarantine", q}};
}

json AuditResult::toJson() const
{
    json a = json::array(), q = json::array();
    for (const QuarantineEntry &x : quarantined)
        a.push_back(x.toJson());
    for (const QuarantineEntry &x : quarantine)
        q.push_back(x.toJson());
    return {{"ok", quarantined.isEmpty()},
            {"quarantined", a},
            {"quarantine", q},
            {"recovered", s(recovered)},
            {"restartRequired", restartRequired()}};
}

Result<PluginBoundary> PluginBoundary::open(Options options)
{
    Result<formats::BundleManifest> manifest = formats::readManifest(options.bundleDir);
    if (!manifest)
        return manifest.error();
    const QDir bundle(options.bundleDir);
    Result<lock::ParsedLock> parsed = lock::readLockFile(bundle.filePath(manifest->lock));
    if (!parsed)
        return parsed.error();
    if (lock::errorCount(parsed->problems) > 0)
        return makeError(ErrorKind::Unreadable, parsed->problems.first().toString());
    PluginBoundary boundary;
    boundary.m_interpreter = bundle.filePath(manifest->python);
    boundary.m_coreSitePackages = QDir::cleanPath(bundle.filePath(manifest->coreSitePackages));
    Result<CoreIndex> core = CoreIndex::build(parsed->lock, boundary.m_coreSitePackages);
    if (!core)
        return core.error();
    boundary.m_core = std::make_shared<const CoreIndex>(std::move(*core));
    if (!options.dataDir.isEmpty())
        options.dataDir = QDir(options.dataDir).absolutePath();
    boundary.m_layout = std::make_shared<const DataLayout>(options.dataDir);
    boundary.m_options = std::move(options);
    return boundary;
}

void PluginBoundary::phase(const QString &name) const
{
    if (m_options.onPhase)
        m_options.onPhase(name);
}

// Every changing operation starts here: the data dir's lock held, and what an
// interrupted transaction left behind rolled back.
Result<std::unique_ptr<PluginBoundary::Lock>> PluginBoundary::lockAndRecover()
{
    Result<std::unique_ptr<Lock>> lock = takeLock();
    if (!lock)
        return lock.error();
    if (auto r = recover(*m_layout); !r)
        return r.error();
    return lock;
}

Result<std::unique_ptr<PluginBoundary::Lock>> PluginBoundary::takeLock()
{
    if (m_options.dataDir.isEmpty())
        return noDataDir();
    if (!QDir().mkpath(m_layout->dataDir))
        return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(m_layout->dataDir));
    auto lock = std::make_unique<Lock>(m_layout->lockFile);
    if (!lock->file.tryLock(m_options.lockTimeoutMs)) {
        qint64 pid = 0;
        QString host, app;
        if (lock->file.error() == QLockFile::LockFailedError &&
            lock->file.getLockInfo(&pid, &host, &app))
            return makeError(ErrorKind::Environment,
                             u"%1: another plugin change is running (%2, pid %3 on %4); try "
                             "again when it has finished"_s.arg(m_layout->lockFile, app)
                                 .arg(pid)
                                 .arg(host));
        return makeError(ErrorKind::Environment,
                         u"%1: cannot take the plugin lock"_s.arg(m_layout->lockFile));
    }
    return lock;
}

Result<PluginBoundary::Resolution>
PluginBoundary::resolve(const QString &plugin, const QList<RequirementLine> &requirements,
                        const PluginSources &sources, const QString &scratch)
{
    ResolveRequest request;
    request.interpreter = m_interpreter;
    request.coreSitePackages = m_coreSitePackages;
    // No data dir (deskpack plugin check): no plugin site-packages at all.
    request.pluginSitePackages = m_options.dataDir.isEmpty() ? QString() : m_layout->sitePackages;
    request.plugin = plugin;
    request.requirements = requirements;
    request.sources = sources;
    request.scratch = scratch;
    request.logFile = m_options.logFile;
    Result<ResolutionOutcome> outcome = resolveWithPip(*m_core, request);
    if (!outcome)
        return outcome.error();
    Resolution resolution;
    static_cast<ResolutionOutcome &>(resolution) = std::move(*outcome);
    if (!resolution.clashes.isEmpty())
        return resolution;
    // pip may not replace a core distribution, whatever it decided.
    for (const ReportItem &item : std::as_const(resolution.items)) {
        if (const auto pin = m_core->pins.constFind(item.canonicalName); pin != m_core->pins.cend())
            resolution.clashes.append(
                {plugin, item.name + u"=="_s + item.version, {}, pin->name, pin->version, {}});
    }
    // Nor one another plugin installed.
    Result<OwnerRecord> owners = m_options.dataDir.isEmpty() ? Result<OwnerRecord>(OwnerRecord{})
                                                             : readOwners(m_layout->sitePackages);
    if (!owners)
        return owners.error();
    Result<PluginDirectory> installed = scanPluginDirectory(request.pluginSitePackages);
    if (!installed)
        return installed.error();
    for (const ReportItem &item : std::as_const(resolution.items)) {
        for (const PluginDistribution &d : installed->distributions) {
            if (d.canonicalName != item.canonicalName)
                continue;
            QStringList others = owners->ownersOf(d.canonicalName);
            others.removeAll(plugin);
            if (!others.isEmpty())
                resolution.clashes.append({plugin,
                                           item.name + u"=="_s + item.version,
                                           {},
                                           d.name,
                                           d.version,
                                           others.join(u", "_s)});
        }
    }
    return resolution;
}

Result<CheckResult> PluginBoundary::check(const QString &plugin,
                                          const QList<RequirementLine> &requirements,
                                          const PluginSources &sources)
{
    if (auto n = checkPluginName(plugin); !n)
        return n.error();
    if (!m_options.dataDir.isEmpty()) {
        // Settle what an interrupted change left, when no change is running.
        Lock lock(m_layout->lockFile);
        if (QFileInfo(m_layout->dataDir).isDir() && lock.file.tryLock(0))
            (void)recover(*m_layout);
    }
    QTemporaryDir scratch(QDir::tempPath() + u"/deskpack-plugin-check-XXXXXX"_s);
    if (!scratch.isValid())
        return makeError(ErrorKind::Environment,
                         u"cannot create a temporary directory: %1"_s.arg(scratch.errorString()));
    Result<Resolution> resolution = resolve(plugin, requirements, sources, scratch.path());
    if (!resolution)
        return resolution.error();
    phase(u"resolved"_s);
    CheckResult result;
    result.plugin = plugin;
    result.clashes = resolution->clashes;
    result.resolution = resolution->closure;
    return result;
}

} // namespace deskpack::plugins
