// SPDX-License-Identifier: MIT
#include "pluginaudit.h"

#include "lock/distmetadata.h"
#include "lock/sitepackages.h"

#include "base/parallel.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#ifdef Q_OS_UNIX
#include <cstring>
#include <dirent.h>
#endif

using namespace Qt::Literals::StringLiterals;

namespace deskpack::plugins {

namespace {

constexpr qint64 MaxRecordSize = 64ll << 20;

// A RECORD path made relative and clean; empty when it leaves the directory.
QString cleanRecordPath(const QString &path)
{
    if (path.isEmpty() || path.startsWith(u'/') || path.contains(u'\\'))
        return {};
    // Most RECORD paths are already clean; cleanPath() is the costly part of a scan.
    const bool mayNeedCleaning = path.contains(u"//"_s) || path.contains(u"./"_s) ||
                                 path.endsWith(u'.') || path.endsWith(u'/');
    const QString clean = mayNeedCleaning ? QDir::cleanPath(path) : path;
    if (clean == u".." || clean.startsWith(u"../"_s))
        return {};
    return clean;
}

QStringList readRecord(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QStringList out;
    for (const QString &p : lock::recordPaths(file.read(MaxRecordSize))) {
        const QString clean = cleanRecordPath(p);
        if (!clean.isEmpty())
            out.append(clean);
    }
    return out;
}

// A pkgutil- or pkg_resources-style namespace __init__.py: shared like a PEP 420 one.
bool isLegacyNamespaceInit(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = file.read(4096);
    return head.contains("extend_path") || head.contains("declare_namespace");
}

// The names in a directory. readdir() alone: QDir::entryList() stats every
// entry to apply its filters, a large part of the audit's time at 500
// distributions.
QStringList listDirectory(const QString &directory)
{
#ifdef Q_OS_UNIX
    QStringList out;
    if (DIR *d = ::opendir(QFile::encodeName(directory).constData())) {
        while (const dirent *e = ::readdir(d)) {
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                out.append(QFile::decodeName(e->d_name));
        }
        ::closedir(d);
    }
    out.sort();
    return out;
#else
    return QDir(directory).entryList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
#endif
}

// The files a core distribution installed: its RECORD, or a legacy egg-info's
// installed-files.txt.
QStringList installedPaths(const lock::InstalledDistribution &d)
{
    if (d.metadataPath.endsWith(u".dist-info"_s))
        return readRecord(d.metadataPath + u"/RECORD"_s);
    QStringList paths;
    if (!QFileInfo(d.metadataPath).isDir())
        return paths;
    QFile listing(d.metadataPath + u"/installed-files.txt"_s);
    if (!listing.open(QIODevice::ReadOnly))
        return paths;
    for (const QString &p : lock::installedFilesPaths(listing.read(MaxRecordSize))) {
        const QString clean = cleanRecordPath(p);
        if (!clean.isEmpty())
            paths.append(clean);
    }
    return paths;
}

// Sorts the core's top-level modules into namespace packages, which plugins
// may share, and regular modules, which they may not shadow.
void classifyModules(CoreIndex &core, const QDir &dir, const QHash<QString, QString> &moduleOwner)
{
    for (auto it = moduleOwner.cbegin(); it != moduleOwner.cend(); ++it) {
        const QString path = dir.filePath(it.key());
        const QFileInfo info(path);
        if (info.isDir()) {
            const bool hasInit = QFileInfo::exists(path + u"/__init__.py"_s) ||
                                 QFileInfo::exists(path + u"/__init__.pyc"_s) ||
                                 !QDir(path).entryList({u"__init__.*"_s}, QDir::Files).isEmpty();
            if (!hasInit || isLegacyNamespaceInit(path + u"/__init__.py"_s))
                core.namespacePackages.insert(it.key(), it.value());
            else
                core.regularModules.insert(it.key(), it.value());
        } else {
            // A file module, or a name the lock gives that is not on disk: protect it.
            core.regularModules.insert(it.key(), it.value());
        }
    }
}

} // namespace

Result<CoreIndex> CoreIndex::build(const lock::Lock &lockModel, const QString &coreSitePackages)
{
    CoreIndex core;
    for (const lock::Distribution &d : lockModel.distributions)
        core.pins.insert(lock::canonicalName(d.name), {d.name, d.version});

    Result<lock::InstalledSet> installed = lock::scanInstalled({coreSitePackages});
    if (!installed)
        return installed.error();
    QHash<QString, QString> moduleOwner;
    for (const lock::InstalledDistribution &d : installed->distributions) {
        const QString canonical = lock::canonicalName(d.name);
        if (!core.pins.contains(canonical))
            continue; // not core: the lock decides
        const QStringList paths = installedPaths(d);
        for (const QString &p : paths)
            core.files.insert(p, d.name);
        QStringList modules = d.topLevelModules + lock::modulesFromInstalledPaths(paths);
        for (const QString &m : std::as_const(modules))
            moduleOwner.insert(m, d.name);
    }
    // Modules the lock names whose distribution metadata is not on disk still count.
    for (const lock::Distribution &d : lockModel.distributions) {
        for (const QString &m : d.topLevelModules) {
            if (!moduleOwner.contains(m))
                moduleOwner.insert(m, d.name);
        }
    }
    classifyModules(core, QDir(coreSitePackages), moduleOwner);
    return core;
}

Result<PluginDirectory> scanPluginDirectory(const QString &directory)
{
    PluginDirectory out;
    QDir dir(directory);
    if (directory.isEmpty() || !dir.exists())
        return out;
    const QStringList entries = listDirectory(directory);
    QStringList infos;
    for (const QString &entry : entries) {
        if (entry.endsWith(u".dist-info"_s))
            infos.append(entry);
    }
    // Each RECORD is an independent small read: spread them over the cores.
    std::vector<PluginDistribution> scanned(size_t(infos.size()));
    forEachInParallel(infos.size(), [&](qsizetype i) {
        PluginDistribution &d = scanned[size_t(i)];
        d.metadataEntry = infos[i];
        const QString stem = infos[i].chopped(10);
        const qsizetype dash = stem.indexOf(u'-');
        d.name = dash < 0 ? stem : stem.left(dash);
        d.version = dash < 0 ? QString() : stem.mid(dash + 1);
        d.canonicalName = lock::canonicalName(d.name);
        d.files = readRecord(directory + u'/' + infos[i] + u"/RECORD"_s);
        d.topLevel = lock::modulesFromInstalledPaths(d.files);
    });
    QSet<QString> owned;
    for (PluginDistribution &d : scanned) {
        owned.insert(d.metadataEntry);
        for (const QString &f : std::as_const(d.files))
            owned.insert(f.section(u'/', 0, 0));
        out.distributions.append(std::move(d));
    }
    for (const QString &entry : entries) {
        if (owned.contains(entry) || entry.startsWith(u'.') || entry == u"__pycache__" ||
            entry == u"bin")
            continue;
        StrayEntry stray{entry, {}};
        if (QFileInfo(dir.filePath(entry)).isDir())
            stray.module = lock::isTopLevelModuleName(entry) ? entry : QString();
        else
            stray.module = lock::moduleNameOfFile(entry);
        out.strays.append(stray);
    }
    return out;
}

nlohmann::json Offense::toJson() const
{
    return {
        {"code", code.toStdString()},       {"distribution", distribution.toStdString()},
        {"version", version.toStdString()}, {"entry", entry.toStdString()},
        {"subject", subject.toStdString()}, {"coreDistribution", coreDistribution.toStdString()},
        {"message", message.toStdString()}};
}

QList<Offense> auditDistribution(const CoreIndex &core, const PluginDistribution &d)
{
    QList<Offense> out;
    const QString who = d.name + u' ' + d.version;
    if (const auto pin = core.pins.constFind(d.canonicalName); pin != core.pins.cend()) {
        out.append({u"core-name"_s, d.name, d.version, d.metadataEntry, d.name, pin->name,
                    u"%1 is a core distribution: the app's core pins %2==%3"_s.arg(who, pin->name,
                                                                                   pin->version)});
    }
    for (const QString &m : d.topLevel) {
        if (const auto it = core.regularModules.constFind(m); it != core.regularModules.cend())
            out.append({u"core-module"_s, d.name, d.version, d.metadataEntry, m, *it,
                        u"%1 installs the top-level module '%2', which the core distribution %3 "
                        "provides"_s.arg(who, m, *it)});
    }
    for (const QString &f : d.files) {
        if (f.startsWith(d.metadataEntry + u'/'))
            continue;
        if (const auto it = core.files.constFind(f); it != core.files.cend())
            out.append(
                {u"core-file"_s, d.name, d.version, d.metadataEntry, f, *it,
                 u"%1 installs '%2', a file of the core distribution %3"_s.arg(who, f, *it)});
    }
    return out;
}

QList<Offense> auditStray(const CoreIndex &core, const StrayEntry &stray)
{
    if (stray.module.isEmpty())
        return {};
    if (const auto it = core.regularModules.constFind(stray.module);
        it != core.regularModules.cend())
        return {{u"core-module"_s,
                 {},
                 {},
                 stray.entry,
                 stray.module,
                 *it,
                 u"'%1' (installed by no distribution) shadows the module '%2' of the core "
                 "distribution %3"_s.arg(stray.entry, stray.module, *it)}};
    return {};
}

} // namespace deskpack::plugins
