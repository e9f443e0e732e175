// SPDX-License-Identifier: MIT
#include "pluginboundary.h"
#include "base/fileio.h"

#include "lock/lockfile.h"
#include "pluginresolution.h"
#include "formats/bundlemanifest.h"
#include "runner/python/pip.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QTemporaryDir>
#include <QUuid>

#include <optional>

using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

namespace deskpack::plugins {

namespace {

json strings(const QStringList &list)
{
    json out = json::array();
    for (const QString &s : list)
        out.push_back(s.toStdString());
    return out;
}

std::string s(const QString &text)
{
    return text.toStdString();
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

// Every file of a distribution to move out of `root`: its RECORD files, the
// bytecode Python wrote beside them, and its .dist-info as one entry.
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

// Moves that put the tree under `from` into `to`: a whole entry where `to` has
// none, recursing where both have a directory (namespace packages, bin/).
// `gone` are paths under `to` that earlier moves take away.
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

} // namespace

// The lock on a data dir, held for the length of one change.
class PluginBoundary::Lock
{
public:
    explicit Lock(const QString &path)
        : file(path)
    {
        // A pip install can take minutes: never steal the lock by age, only
        // from a holder that is no longer running (QLockFile checks the pid).
        file.setStaleLockTime(0);
    }
    QLockFile file;
};

struct PluginBoundary::Resolution : ResolutionOutcome
{
};

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

Result<InstallResult> PluginBoundary::install(const QString &plugin,
                                              const QList<RequirementLine> &requirements,
                                              const PluginSources &sources)
{
    if (auto n = checkPluginName(plugin); !n)
        return n.error();
    Result<std::unique_ptr<Lock>> lock = lockAndRecover();
    if (!lock)
        return lock.error();
    const QString id = newTransactionId();
    const QString work = m_layout->staging + u'/' + id;
    const QString target = work + u"/target"_s;
    const QString trash = work + u"/trash"_s;
    if (!QDir().mkpath(work + u"/scratch"_s) || !QDir().mkpath(target))
        return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(work));
    struct Cleanup
    {
        QString dir;
        ~Cleanup() { QDir(dir).removeRecursively(); }
    } cleanup{work};

    Result<Resolution> resolution = resolve(plugin, requirements, sources, work + u"/scratch"_s);
    if (!resolution)
        return resolution.error();
    InstallResult result;
    result.plugin = plugin;
    result.clashes = resolution->clashes;
    result.resolution = resolution->closure;
    if (!result.clashes.isEmpty())
        return result;
    phase(u"resolved"_s);

    Result<OwnerRecord> owners = readOwners(m_layout->sitePackages);
    if (!owners)
        return owners.error();
    Result<PluginDirectory> installed = scanPluginDirectory(m_layout->sitePackages);
    if (!installed)
        return installed.error();
    QHash<QString, const PluginDistribution *> installedByName;
    for (const PluginDistribution &d : installed->distributions)
        installedByName.insert(d.canonicalName, &d);

    // What the plugin owns after this install, and what leaves: older versions
    // pip replaces and distributions only this plugin needed before.
    OwnerRecord::Plugin entry;
    for (const RequirementLine &r : requirements)
        entry.requirements.append(r.text);
    for (const ResolvedDistribution &d : std::as_const(resolution->closure)) {
        if (d.where != u"core")
            entry.distributions.append(lock::canonicalName(d.name));
    }
    QList<const PluginDistribution *> leaving;
    for (const ReportItem &item : std::as_const(resolution->items)) {
        if (const auto *old = installedByName.value(item.canonicalName))
            leaving.append(old);
    }
    for (const QString &canonical : owners->plugins.value(plugin).distributions) {
        QStringList others = owners->ownersOf(canonical);
        others.removeAll(plugin);
        const auto *old = installedByName.value(canonical);
        if (old && others.isEmpty() && !entry.distributions.contains(canonical) &&
            !leaving.contains(old))
            leaving.append(old);
    }

    // Stage what the core lacks, exactly as resolved, without dependencies.
    if (!resolution->items.isEmpty()) {
        const bool hashes = std::all_of(resolution->items.cbegin(), resolution->items.cend(),
                                        [](const ReportItem &i) { return !i.sha256.isEmpty(); });
        QByteArray pinned;
        for (const ReportItem &item : std::as_const(resolution->items)) {
            pinned += (item.name + u"=="_s + item.version).toUtf8();
            if (hashes)
                pinned += " --hash=sha256:" + item.sha256.toUtf8();
            pinned += '\n';
        }
        const QString pinnedFile = work + u"/scratch/install.txt"_s;
        if (Result<void> written = writeFileAtomically(pinnedFile, pinned); !written)
            return written.error();
        runner::PipCommand pip;
        pip.interpreter = m_interpreter;
        pip.logFile = m_options.logFile;
        pip.arguments = QStringList{u"install"_s, u"--no-deps"_s, u"--no-compile"_s, u"--target"_s,
                                    target,       u"-r"_s,        pinnedFile}
                        << sourceArguments(sources);
        if (Result<runner::PythonOutput> run = runner::runPip(pip); !run)
            return makeError(run.error().kind,
                             u"installing the requirements of plugin %1 failed; the plugin "
                             "site-packages is unchanged.\n%2"_s.arg(plugin, run.error().message));
    }
    phase(u"staged"_s);

    // Audit the staged files against the core and against what other plugins installed.
    Result<PluginDirectory> staged = scanPluginDirectory(target);
    if (!staged)
        return staged.error();
    QSet<QString> leavingFiles;
    for (const PluginDistribution *d : std::as_const(leaving))
        for (const QString &f : entriesOf(m_layout->sitePackages, *d))
            leavingFiles.insert(f);
    QHash<QString, QString> pluginFiles;
    for (const PluginDistribution &d : installed->distributions)
        for (const QString &f : d.files)
            pluginFiles.insert(f, d.name + u' ' + d.version);
    for (const PluginDistribution &d : staged->distributions) {
        result.offenses << auditDistribution(*m_core, d);
        for (const QString &f : d.files) {
            if (leavingFiles.contains(f) || f.endsWith(u"/"_s))
                continue;
            if (exists(m_layout->sitePackages + u'/' + f))
                result.offenses.append(
                    {u"plugin-file"_s, d.name, d.version, d.metadataEntry, f, pluginFiles.value(f),
                     u"%1 %2 installs '%3', which the plugin site-packages already holds%4"_s.arg(
                         d.name, d.version, f,
                         pluginFiles.contains(f) ? u" (from %1)"_s.arg(pluginFiles.value(f))
                                                 : QString())});
        }
    }
    for (const StrayEntry &stray : staged->strays)
        result.offenses << auditStray(*m_core, stray);
    if (!result.offenses.isEmpty())
        return result;
    phase(u"audited"_s);

    Transaction transaction{id, {}};
    QStringList removedPaths;
    for (const PluginDistribution *d : std::as_const(leaving)) {
        for (const QString &f : entriesOf(m_layout->sitePackages, *d)) {
            transaction.moves.append({m_layout->sitePackages + u'/' + f, trash + u'/' + f});
            removedPaths.append(f);
        }
        result.removed.append(d->name + u' ' + d->version);
    }
    if (auto plan = planMerge(target, m_layout->sitePackages, {}, leavingFiles, transaction.moves);
        !plan)
        return plan.error();
    OwnerRecord updated = *owners;
    updated.plugins.insert(plugin, entry);
    if (auto c = commitTransaction(
            *m_layout, transaction, updated,
            [this](int done, int total) { phase(u"commit %1/%2"_s.arg(done).arg(total)); });
        !c)
        return c.error();
    pruneEmptyDirectories(m_layout->sitePackages, parentsOf(m_layout->sitePackages, removedPaths));
    phase(u"committed"_s);
    for (const ReportItem &item : std::as_const(resolution->items))
        result.installed.append(item.name + u' ' + item.version);
    result.restartRequired = !result.installed.isEmpty() || !result.removed.isEmpty();
    return result;
}

Result<RemoveResult> PluginBoundary::remove(const QString &plugin)
{
    Result<std::unique_ptr<Lock>> lock = lockAndRecover();
    if (!lock)
        return lock.error();
    Result<OwnerRecord> owners = readOwners(m_layout->sitePackages);
    if (!owners)
        return owners.error();
    if (!owners->plugins.contains(plugin)) {
        const QStringList known = owners->plugins.keys();
        return makeError(ErrorKind::Usage, u"no plugin named '%1' is installed%2"_s.arg(
                                               plugin, known.isEmpty() ? QString()
                                                                       : u" (installed: %1)"_s.arg(
                                                                             known.join(u", "_s))));
    }
    Result<PluginDirectory> installed = scanPluginDirectory(m_layout->sitePackages);
    if (!installed)
        return installed.error();
    RemoveResult result;
    result.plugin = plugin;
    const QString id = newTransactionId();
    const QString trash = m_layout->staging + u'/' + id + u"/trash"_s;
    struct Cleanup
    {
        QString dir;
        ~Cleanup() { QDir(dir).removeRecursively(); }
    } cleanup{m_layout->staging + u'/' + id};
    Transaction transaction{id, {}};
    QStringList removedPaths;
    for (const QString &canonical : owners->plugins.value(plugin).distributions) {
        QStringList others = owners->ownersOf(canonical);
        others.removeAll(plugin);
        const auto it =
            std::find_if(installed->distributions.cbegin(), installed->distributions.cend(),
                         [&](const PluginDistribution &d) { return d.canonicalName == canonical; });
        if (!others.isEmpty()) {
            result.kept.append(
                u"%1 (%2)"_s.arg(it != installed->distributions.cend() ? it->name : canonical,
                                 others.join(u", "_s)));
            continue;
        }
        if (it == installed->distributions.cend())
            continue;
        for (const QString &f : entriesOf(m_layout->sitePackages, *it)) {
            transaction.moves.append({m_layout->sitePackages + u'/' + f, trash + u'/' + f});
            removedPaths.append(f);
        }
        result.removed.append(it->name + u' ' + it->version);
    }
    OwnerRecord updated = *owners;
    updated.plugins.remove(plugin);
    if (auto c = commitTransaction(
            *m_layout, transaction, updated,
            [this](int done, int total) { phase(u"commit %1/%2"_s.arg(done).arg(total)); });
        !c)
        return c.error();
    pruneEmptyDirectories(m_layout->sitePackages, parentsOf(m_layout->sitePackages, removedPaths));
    result.restartRequired = !result.removed.isEmpty();
    return result;
}

QList<QuarantineEntry> PluginBoundary::readQuarantine() const
{
    QList<QuarantineEntry> out;
    const QDir dir(m_layout->quarantine);
    for (const QString &id : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        // An audit killed before its commit leaves a reason.json and no files: nothing to show.
        if (QDir(dir.filePath(id) + u"/files"_s).isEmpty())
            continue;
        QuarantineEntry entry;
        entry.id = id;
        QFile reason(dir.filePath(id) + u"/reason.json"_s);
        if (reason.open(QIODevice::ReadOnly)) {
            const QByteArray data = reason.read(1 << 20);
            const json doc =
                json::parse(data.constData(), data.constData() + data.size(), nullptr, false);
            auto text = [&](const json &o, const char *key) {
                return o.is_object() && o.contains(key) && o[key].is_string()
                           ? QString::fromStdString(o[key].get<std::string>())
                           : QString();
            };
            entry.distribution = text(doc, "distribution");
            entry.version = text(doc, "version");
            entry.quarantinedAt = text(doc, "quarantinedAt");
            if (doc.is_object() && doc.contains("reasons") && doc["reasons"].is_array()) {
                for (const json &r : doc["reasons"])
                    entry.reasons.append({text(r, "code"), text(r, "distribution"),
                                          text(r, "version"), text(r, "entry"), text(r, "subject"),
                                          text(r, "coreDistribution"), text(r, "message")});
            }
        }
        // Restorable when the same rules pass now and nothing would be overwritten.
        const QString files = dir.filePath(id) + u"/files"_s;
        Result<PluginDirectory> content = scanPluginDirectory(files);
        bool clean = content.ok();
        if (content) {
            for (const PluginDistribution &d : content->distributions)
                clean = clean && auditDistribution(*m_core, d).isEmpty();
            for (const StrayEntry &s : content->strays)
                clean = clean && auditStray(*m_core, s).isEmpty();
            QList<QPair<QString, QString>> moves;
            clean = clean && planMerge(files, m_layout->sitePackages, {}, {}, moves).ok();
        }
        entry.restorable = clean;
        out.append(entry);
    }
    return out;
}

Result<ListResult> PluginBoundary::list()
{
    if (m_options.dataDir.isEmpty())
        return noDataDir();
    {
        Lock lock(m_layout->lockFile);
        if (QFileInfo(m_layout->dataDir).isDir() && lock.file.tryLock(0))
            (void)recover(*m_layout);
    }
    Result<OwnerRecord> owners = readOwners(m_layout->sitePackages);
    if (!owners)
        return owners.error();
    Result<PluginDirectory> installed = scanPluginDirectory(m_layout->sitePackages);
    if (!installed)
        return installed.error();
    ListResult result;
    result.sitePackages = m_layout->sitePackages;
    QSet<QString> present;
    for (const PluginDistribution &d : installed->distributions) {
        present.insert(d.canonicalName);
        result.distributions.append({d.name, d.version, owners->ownersOf(d.canonicalName)});
    }
    for (auto it = owners->plugins.cbegin(); it != owners->plugins.cend(); ++it) {
        ListResult::Plugin p{it.key(), it->requirements, it->distributions, {}};
        for (const QString &d : it->distributions)
            if (!present.contains(d))
                p.missing.append(d);
        result.plugins.append(p);
    }
    result.quarantine = readQuarantine();
    return result;
}

Result<AuditResult> PluginBoundary::audit()
{
    Result<std::unique_ptr<Lock>> lock = takeLock();
    if (!lock)
        return lock.error();
    AuditResult result;
    Result<QString> recovered = recover(*m_layout);
    if (!recovered)
        return recovered.error();
    result.recovered = *recovered;
    Result<PluginDirectory> installed = scanPluginDirectory(m_layout->sitePackages);
    if (!installed)
        return installed.error();
    Result<OwnerRecord> owners = readOwners(m_layout->sitePackages);
    if (!owners)
        return owners.error();

    const QString stamp = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const QString suffix = QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd'T'HHmmsszzz"_s);
    Transaction transaction{newTransactionId(), {}};
    QStringList removedPaths;
    auto quarantine = [&](const QString &key, const QString &name, const QString &version,
                          const QList<Offense> &reasons,
                          const QStringList &entries) -> Result<void> {
        QuarantineEntry entry{key + u'-' + suffix, name, version, stamp, reasons, false};
        const QString dir = m_layout->quarantine + u'/' + entry.id;
        json doc = entry.toJson();
        doc.erase("restorable");
        doc["files"] = strings(entries);
        if (!QDir().mkpath(dir))
            return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(dir));
        if (Result<void> written = writeFileAtomically(
                dir + u"/reason.json"_s, QByteArray::fromStdString(doc.dump(2)) + '\n');
            !written)
            return written;
        for (const QString &f : entries) {
            transaction.moves.append({m_layout->sitePackages + u'/' + f, dir + u"/files/"_s + f});
            removedPaths.append(f);
        }
        result.quarantined.append(entry);
        return {};
    };
    for (const PluginDistribution &d : installed->distributions) {
        const QList<Offense> offenses = auditDistribution(*m_core, d);
        if (offenses.isEmpty())
            continue;
        if (auto q = quarantine(d.canonicalName, d.name, d.version, offenses,
                                entriesOf(m_layout->sitePackages, d));
            !q)
            return q.error();
    }
    for (const StrayEntry &stray : installed->strays) {
        const QList<Offense> offenses = auditStray(*m_core, stray);
        if (offenses.isEmpty())
            continue;
        if (auto q = quarantine(stray.entry, {}, {}, offenses, {stray.entry}); !q)
            return q.error();
    }
    if (!transaction.moves.isEmpty()) {
        if (auto c = commitTransaction(*m_layout, transaction, *owners); !c)
            return c.error();
        pruneEmptyDirectories(m_layout->sitePackages,
                              parentsOf(m_layout->sitePackages, removedPaths));
    }
    result.quarantine = readQuarantine();
    return result;
}

Result<QuarantineEntry> PluginBoundary::restore(const QString &quarantineId)
{
    Result<std::unique_ptr<Lock>> lock = lockAndRecover();
    if (!lock)
        return lock.error();
    const QList<QuarantineEntry> entries = readQuarantine();
    const auto it = std::find_if(entries.cbegin(), entries.cend(),
                                 [&](const QuarantineEntry &e) { return e.id == quarantineId; });
    if (it == entries.cend())
        return makeError(ErrorKind::Usage, u"%1: no such quarantine entry"_s.arg(quarantineId));
    if (!it->restorable)
        return makeError(
            ErrorKind::Invalid,
            u"%1 still conflicts with the core: %2"_s.arg(
                quarantineId, it->reasons.isEmpty() ? QString() : it->reasons.first().message));
    const QString dir = m_layout->quarantine + u'/' + quarantineId;
    Transaction transaction{newTransactionId(), {}};
    if (auto plan = planMerge(dir + u"/files"_s, m_layout->sitePackages, {}, {}, transaction.moves);
        !plan)
        return plan.error();
    Result<OwnerRecord> owners = readOwners(m_layout->sitePackages);
    if (!owners)
        return owners.error();
    if (auto c = commitTransaction(*m_layout, transaction, *owners); !c)
        return c.error();
    QDir(dir).removeRecursively();
    return *it;
}

} // namespace deskpack::plugins
