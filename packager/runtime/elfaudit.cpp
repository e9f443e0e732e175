// SPDX-License-Identifier: MIT
#include "elfaudit.h"

#include "runtime/elftree.h"
#include "runtime/sharedlibraries.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runtime {

namespace elftree {

bool isInside(const QString &path, const QString &root)
{
    const QString clean = QDir::cleanPath(path);
    return clean == root || clean.startsWith(root + u'/');
}

QHash<QString, QStringList> libraryIndex(const QString &root)
{
    QHash<QString, QStringList> index;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString name = it.fileName();
        if (name.endsWith(u".so") || name.contains(u".so."))
            index[name].append(QFileInfo(path).absolutePath());
    }
    for (QStringList &dirs : index)
        dirs.sort();
    return index;
}

QString originEntry(const QString &fromDir, const QString &dir)
{
    const QString relative = QDir::cleanPath(QDir(fromDir).relativeFilePath(dir));
    return relative == u"." ? u"$ORIGIN"_s : u"$ORIGIN/"_s + relative;
}

bool hasLibrary(const QString &dir, const QString &name, const QString &root)
{
    const QFileInfo candidate(dir + u'/' + name);
    if (!candidate.exists())
        return false;
    const QString resolved = candidate.canonicalFilePath();
    return candidate.isFile() && isInside(resolved, QFileInfo(root).canonicalFilePath());
}

} // namespace elftree

QStringList elfFilesUnder(const QString &root)
{
    QStringList files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        // Regular files only: opening a fifo would block until a writer comes.
        if (!it.fileInfo().isSymLink() && it.fileInfo().isFile() && isElfFile(path))
            files.append(path);
    }
    files.sort();
    return files;
}

namespace {

// The audit of one tree: each finding names the file as displayPrefix + its
// path under the root.
class TreeAudit
{
public:
    TreeAudit(const QString &root, const QString &displayPrefix)
        : m_root(root)
        , m_displayPrefix(displayPrefix)
    {
    }

    void auditFile(const QString &file);
    QList<ElfFinding> findings() const { return m_findings; }

private:
    void add(ElfFinding::Kind kind, const QString &file, const QString &detail, const QString &what)
    {
        const QString shown = m_displayPrefix + QDir(m_root).relativeFilePath(file);
        m_findings.append({kind, shown, detail, shown + u": "_s + what});
    }
    QStringList checkSearchPath(const QString &file, const ElfInfo &info);
    void checkNeeded(const QString &file, const ElfInfo &info, const QStringList &searchDirs);

    QString m_root;
    QString m_displayPrefix;
    QList<ElfFinding> m_findings;
};

void TreeAudit::auditFile(const QString &file)
{
    Result<ElfInfo> info = readElf(file);
    if (!info) {
        add(ElfFinding::Kind::Unreadable, file, {}, info.error().message.section(u": "_s, 1));
        return;
    }
    if (!info->isLoadable())
        return;
    if (!runsOnHost(*info)) {
        const QString machine = describeMachine(info->machine, info->is64);
        add(ElfFinding::Kind::ForeignMachine, file, machine,
            u"ELF for %1; this machine runs %2"_s.arg(machine,
                                                      describeMachine(hostMachine(), true)));
        return;
    }
    checkNeeded(file, *info, checkSearchPath(file, *info));
}

// Reports RPATH/RUNPATH entries that are not $ORIGIN-relative or leave the
// tree; returns the directories the loader searches, expanded.
QStringList TreeAudit::checkSearchPath(const QString &file, const ElfInfo &info)
{
    const QString dir = QFileInfo(file).absolutePath();
    const char *tag = info.runPath.isEmpty() ? "RPATH" : "RUNPATH";
    QStringList searchDirs;
    for (const QString &entry : info.rPath + info.runPath) {
        if (!isOriginRelative(entry)) {
            add(ElfFinding::Kind::AbsoluteSearchPath, file, entry,
                u"%1 names %2 '%3', which is not relative to $ORIGIN"_s.arg(
                    QLatin1StringView(tag),
                    entry.startsWith(u'/') ? u"the absolute path"_s : u"the cwd-relative path"_s,
                    entry));
            continue;
        }
        const QString expanded = expandOrigin(entry, dir);
        if (!elftree::isInside(expanded, m_root)) {
            add(ElfFinding::Kind::SearchPathOutside, file, entry,
                u"%1 entry '%2' leads out of the tree"_s.arg(QLatin1StringView(tag), entry));
            continue;
        }
        if (info.searchPath().contains(entry))
            searchDirs.append(expanded);
    }
    return searchDirs;
}

void TreeAudit::checkNeeded(const QString &file, const ElfInfo &info, const QStringList &searchDirs)
{
    for (const QString &soname : std::as_const(info.needed)) {
        if (isBaseSystemLibrary(soname))
            continue;
        const bool found =
            std::any_of(searchDirs.cbegin(), searchDirs.cend(),
                        [&](const QString &d) { return elftree::hasLibrary(d, soname, m_root); });
        if (!found)
            add(ElfFinding::Kind::UnresolvedLibrary, file, soname,
                u"needs %1, which is neither found through its $ORIGIN "
                "search path inside the tree nor a base-system library"_s.arg(soname));
    }
}

} // namespace

QList<ElfFinding> auditElfTree(const QString &rootPath, const QString &displayPrefix)
{
    const QString root = QDir::cleanPath(QFileInfo(rootPath).absoluteFilePath());
    TreeAudit audit(root, displayPrefix);
    for (const QString &file : elfFilesUnder(root))
        audit.auditFile(file);
    return audit.findings();
}

QList<ElfFinding> auditBundleElf(const QString &bundleRoot, const QString &displayPrefix)
{
    QList<ElfFinding> findings = auditElfTree(bundleRoot, displayPrefix);
    findings.removeIf([&displayPrefix](const ElfFinding &f) {
        return f.kind == ElfFinding::Kind::UnresolvedLibrary &&
               !f.file.mid(displayPrefix.size()).contains(u'/');
    });
    return findings;
}

} // namespace deskpack::runtime
