// SPDX-License-Identifier: MIT
// normalizeElfTree(): every ELF file of a runtime finds its libraries through
// $ORIGIN-relative RUNPATHs, inside the runtime or in the base system.
#include "elfaudit.h"

#include "runtime/elftree.h"
#include "runtime/runtimefiles.h"
#include "runtime/runtimelogging.h"
#include "runtime/sharedlibraries.h"

#include <QDir>
#include <QFileInfo>
#include <QMap>

#include <optional>

namespace deskpack::runtime {

namespace {

class Normalizer
{
public:
    Normalizer(const QString &root, const ElfNormalizeOptions &options)
        : m_root(QDir::cleanPath(QFileInfo(root).absoluteFilePath()))
        , m_options(options)
        , m_libraryDir(options.libraryDir.isEmpty()
                           ? m_root + QStringLiteral("/lib")
                           : QDir::cleanPath(QFileInfo(options.libraryDir).absoluteFilePath()))
    {
    }

    Result<ElfNormalizeReport> run();

private:
    QString shown(const QString &file) const
    {
        return m_options.displayPrefix + QDir(m_root).relativeFilePath(file);
    }
    QString prefix() const
    {
        return m_options.source.isEmpty() ? QString() : m_options.source + QStringLiteral(": ");
    }
    Result<ElfInfo> readChecked(const QString &file);
    Result<void> normalize(const QString &file, const ElfInfo &info);
    QString findInTree(const QString &soname, const QString &fromDir) const;
    Result<QString> copyFromHost(const QString &soname, const QString &file, const ElfInfo &info);

    QString m_root;
    ElfNormalizeOptions m_options;
    QString m_libraryDir;
    QHash<QString, QStringList> m_index;
    std::optional<HostLibrarySearch> m_host;
    QStringList m_queue;
    QMap<QString, QStringList> m_patches; // new RUNPATH -> files
    QStringList m_missing;
    ElfNormalizeReport m_report;
};

Result<ElfInfo> Normalizer::readChecked(const QString &file)
{
    Result<ElfInfo> info = readElf(file);
    if (!info) {
        return makeError(info.error().kind,
                         prefix() + shown(file) + QStringLiteral(": ") +
                             info.error().message.section(QStringLiteral(": "), 1));
    }
    if (info->isLoadable() && !runsOnHost(*info)) {
        return makeError(ErrorKind::Unreadable,
                         prefix() + QStringLiteral("%1 is an ELF for %2; this machine runs %3")
                                        .arg(shown(file),
                                             describeMachine(info->machine, info->is64),
                                             describeMachine(hostMachine(), true)));
    }
    return info;
}

QString Normalizer::findInTree(const QString &soname, const QString &fromDir) const
{
    const QStringList dirs = m_index.value(soname);
    for (const QString &preferred : {m_libraryDir, fromDir}) {
        if (dirs.contains(preferred) && elftree::hasLibrary(preferred, soname, m_root))
            return preferred;
    }
    for (const QString &dir : dirs) {
        if (elftree::hasLibrary(dir, soname, m_root))
            return dir;
    }
    return {};
}

Result<QString> Normalizer::copyFromHost(const QString &soname, const QString &file,
                                         const ElfInfo &info)
{
    if (!m_host)
        m_host = HostLibrarySearch::load();
    const QString original = m_options.hostOriginals.value(file, file);
    const QString hostPath = m_host->find(soname, info, original);
    if (hostPath.isEmpty())
        return QString();
    const QString resolved = QFileInfo(hostPath).canonicalFilePath();
    if (!QDir().mkpath(m_libraryDir))
        return makeError(ErrorKind::Environment,
                         QStringLiteral("cannot create %1").arg(m_libraryDir));
    const QString copy = m_libraryDir + u'/' + soname;
    if (Result<void> done = copyFile(resolved, copy); !done)
        return done.error();
    m_index[soname].append(m_libraryDir);
    m_options.hostOriginals.insert(copy, resolved);
    m_report.copiedLibraries.append(soname);
    m_queue.append(copy); // its own dependencies come along
    return m_libraryDir;
}

Result<void> Normalizer::normalize(const QString &file, const ElfInfo &info)
{
    const QString dir = QFileInfo(file).absolutePath();
    QStringList entries;
    QStringList dirs;
    for (const QString &entry : info.searchPath()) {
        if (!isOriginRelative(entry))
            continue; // the build machine's directory: never right elsewhere
        const QString expanded = expandOrigin(entry, dir);
        if (!elftree::isInside(expanded, m_root) || entries.contains(entry))
            continue;
        entries.append(entry);
        dirs.append(expanded);
    }
    for (const QString &soname : info.needed) {
        if (isBaseSystemLibrary(soname))
            continue;
        if (std::any_of(dirs.cbegin(), dirs.cend(),
                        [&](const QString &d) { return elftree::hasLibrary(d, soname, m_root); }))
            continue;
        QString found = findInTree(soname, dir);
        if (found.isEmpty() && m_options.missing == MissingLibraries::CopyFromHost) {
            Result<QString> copied = copyFromHost(soname, file, info);
            if (!copied)
                return copied.error();
            found = *copied;
            if (found.isEmpty()) {
                m_report.hostMissing.append(QStringLiteral("%1: needs %2, which the host lacks too")
                                                .arg(shown(file), soname));
                qCWarning(lcRuntime) << shown(file) << "needs" << soname << "which the host lacks";
                continue;
            }
        }
        if (found.isEmpty()) {
            m_missing.append(QStringLiteral("%1 needs %2").arg(shown(file), soname));
            continue;
        }
        dirs.append(found);
        entries.append(elftree::originEntry(dir, found));
    }
    entries.removeDuplicates();
    if (entries == info.searchPath())
        return {};
    const QString runPath = entries.join(u':');
    m_patches[runPath].append(file);
    m_report.rewritten.append(
        QStringLiteral("%1: %2 '%3' -> RUNPATH '%4'")
            .arg(shown(file),
                 info.runPath.isEmpty() ? QStringLiteral("RPATH") : QStringLiteral("RUNPATH"),
                 info.searchPath().join(u':'), runPath));
    return {};
}

Result<ElfNormalizeReport> Normalizer::run()
{
    m_index = elftree::libraryIndex(m_root);
    m_queue = elfFilesUnder(m_root);
    QSet<QString> done;
    while (!m_queue.isEmpty()) {
        const QString file = m_queue.takeFirst();
        if (done.contains(file))
            continue;
        done.insert(file);
        Result<ElfInfo> info = readChecked(file);
        if (!info)
            return info.error();
        if (!info->isLoadable())
            continue;
        if (Result<void> ok = normalize(file, *info); !ok)
            return ok.error();
    }
    if (!m_missing.isEmpty()) {
        return makeError(ErrorKind::Unreadable,
                         prefix() +
                             QStringLiteral("libraries that are neither in the runtime nor in the "
                                            "base system (docs/runtime.md): %1")
                                 .arg(m_missing.join(QStringLiteral("; "))));
    }
    for (auto it = m_patches.cbegin(); it != m_patches.cend(); ++it) {
        if (Result<void> patched = setRunPath(it.value(), it.key()); !patched)
            return patched.error();
    }
    return m_report;
}

} // namespace

Result<ElfNormalizeReport> normalizeElfTree(const QString &root, const ElfNormalizeOptions &options)
{
    return Normalizer(root, options).run();
}

} // namespace deskpack::runtime
