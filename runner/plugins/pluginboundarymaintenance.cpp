// SPDX-License-Identifier: MIT
// PluginBoundary's other operations on the plugin site-packages: remove,
// list, audit (moving what breaks the rules to quarantine) and restore.
#include "pluginboundary.h"
#include "base/terminal.h"
#include "pluginboundaryprivate.h"

#include "base/fileio.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

namespace deskpack::plugins {

using namespace boundary;

namespace {

// One audit's quarantine: each offending distribution or stray entry gets
// DATA/quarantine/<key>-<time> with a reason.json, and its files move there
// in the audit's single transaction.
struct QuarantineBatch
{
    explicit QuarantineBatch(const DataLayout &dataLayout)
        : layout(dataLayout)
    {
    }

    const DataLayout &layout;
    const QString stamp = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const QString suffix = QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd'T'HHmmsszzz"_s);
    Transaction transaction{newTransactionId(), {}};
    QStringList removedPaths;
    QList<QuarantineEntry> added;

    Result<void> add(const QString &key, const QString &name, const QString &version,
                     const QList<Offense> &reasons, const QStringList &entries)
    {
        QuarantineEntry entry{key + u'-' + suffix, name, version, stamp, reasons, false};
        const QString dir = layout.quarantine + u'/' + entry.id;
        json doc = entry.toJson();
        doc.erase("restorable");
        doc["files"] = strings(entries);
        if (!QDir().mkpath(dir))
            return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(dir));
        if (Result<void> written = writeFileAtomically(
                dir + u"/reason.json"_s, jsonDocumentText(doc));
            !written)
            return written;
        for (const QString &f : entries) {
            transaction.moves.append({layout.sitePackages + u'/' + f, dir + u"/files/"_s + f});
            removedPaths.append(f);
        }
        added.append(entry);
        return {};
    }
};

// A quarantine entry's reason.json as the audit wrote it; what is missing or
// unreadable stays empty.
void readReason(const QString &path, QuarantineEntry &entry)
{
    QFile reason(path);
    if (!reason.open(QIODevice::ReadOnly))
        return;
    const QByteArray data = reason.read(1 << 20);
    const json doc = json::parse(data.constData(), data.constData() + data.size(), nullptr, false);
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
            entry.reasons.append({text(r, "code"), text(r, "distribution"), text(r, "version"),
                                  text(r, "entry"), text(r, "subject"), text(r, "coreDistribution"),
                                  text(r, "message")});
    }
}

// Restorable when the same rules pass now and nothing would be overwritten.
bool isRestorable(const CoreIndex &core, const QString &files, const QString &sitePackages)
{
    Result<PluginDirectory> content = scanPluginDirectory(files);
    bool clean = content.ok();
    if (content) {
        for (const PluginDistribution &d : content->distributions)
            clean = clean && auditDistribution(core, d).isEmpty();
        for (const StrayEntry &s : content->strays)
            clean = clean && auditStray(core, s).isEmpty();
        QList<QPair<QString, QString>> moves;
        clean = clean && planMerge(files, sitePackages, {}, {}, moves).ok();
    }
    return clean;
}

} // namespace

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
    const RemoveDirOnExit cleanup{m_layout->staging + u'/' + id};
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
        moveOut(m_layout->sitePackages, trash, *it, transaction, removedPaths);
        result.removed.append(it->name + u' ' + it->version);
    }
    OwnerRecord updated = *owners;
    updated.plugins.remove(plugin);
    if (auto c = commitChange(
            *m_layout, transaction, updated, removedPaths,
            [this](int done, int total) { phase(u"commit %1/%2"_s.arg(done).arg(total)); });
        !c)
        return c.error();
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
        readReason(dir.filePath(id) + u"/reason.json"_s, entry);
        entry.restorable =
            isRestorable(*m_core, dir.filePath(id) + u"/files"_s, m_layout->sitePackages);
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

    QuarantineBatch batch{*m_layout};
    for (const PluginDistribution &d : installed->distributions) {
        const QList<Offense> offenses = auditDistribution(*m_core, d);
        if (offenses.isEmpty())
            continue;
        if (auto q = batch.add(d.canonicalName, d.name, d.version, offenses,
                               entriesOf(m_layout->sitePackages, d));
            !q)
            return q.error();
    }
    for (const StrayEntry &stray : installed->strays) {
        const QList<Offense> offenses = auditStray(*m_core, stray);
        if (offenses.isEmpty())
            continue;
        if (auto q = batch.add(stray.entry, {}, {}, offenses, {stray.entry}); !q)
            return q.error();
    }
    result.quarantined = batch.added;
    if (!batch.transaction.moves.isEmpty()) {
        if (auto c = commitChange(*m_layout, batch.transaction, *owners, batch.removedPaths); !c)
            return c.error();
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
