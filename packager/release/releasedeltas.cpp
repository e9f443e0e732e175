// SPDX-License-Identifier: MIT
// The deltas of a release: both sides are extracted from their packages, so
// a delta turns exactly what an install of the old package holds into
// exactly what an install of the new one holds.
#include "releasesteps.h"

#include "archive/extractor.h"
#include "delta/delta.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::release::detail {

Result<QString> extractPackage(const FeedDirs &dirs, const HistoryEntry &package,
                               const QString &scratch)
{
    const QString destination = scratch + u"/tree-"_s + package.version;
    archive::ExtractOptions options;
    options.expectedSha256 = package.package.sha256;
    options.replaceExisting = true;
    Result<archive::ExtractSummary> extracted =
        archive::extractArchive(dirs.absolute(package.package.path), destination, options);
    if (!extracted)
        return extracted.error();
    // A new package's top-level directory is found, an old one's is known.
    QString root = package.packageRoot;
    const QStringList top =
        QDir(destination)
            .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
    if (root.isEmpty() && top.size() == 1)
        root = top.constFirst();
    const QString tree = destination + u'/' + root;
    if (!QFileInfo(tree + u"/bundle.json"_s).isFile())
        return makeError(ErrorKind::Invalid,
                         u"%1: no %2/bundle.json inside (not a package of deskpack "
                         "package?)"_s.arg(dirs.absolute(package.package.path),
                                           root.isEmpty() ? u"<top>"_s : root));
    return tree;
}

Result<std::vector<feed::FeedDelta>> writeDeltas(const FeedDirs &dirs, const QString &appId,
                                                 const HistoryEntry &to, const QString &toTree,
                                                 const std::vector<HistoryEntry> &from,
                                                 const QString &scratch)
{
    std::vector<feed::FeedDelta> deltas;
    for (const HistoryEntry &old : from) {
        if (!QFileInfo::exists(dirs.absolute(old.package.path)))
            continue; // pruned by hand: clients at that version take the package
        Result<QString> oldTree = extractPackage(dirs, old, scratch);
        if (!oldTree)
            return oldTree.error();
        const QString path = u"deltas/%1-%2-to-%3.delta"_s.arg(appId, old.version, to.version);
        Result<delta::DeltaSummary> written =
            delta::writeDelta(*oldTree, toTree, dirs.absolute(path));
        if (!written)
            return written.error();
        QDir(*oldTree).removeRecursively();
        // A delta as large as the package saves nothing: clients take the package.
        if (written->size >= to.package.size) {
            QFile::remove(dirs.absolute(path));
            continue;
        }
        deltas.push_back(feed::FeedDelta{old.version, {path, written->size, written->sha256}});
    }
    return deltas;
}

} // namespace deskpack::release::detail
