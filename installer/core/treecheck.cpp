// SPDX-License-Identifier: MIT
#include "treecheck.h"

#include "base/filehash.h"
#include "base/fileio.h"
#include "base/parallel.h"
#include "formats/bundlemanifest.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <atomic>
#include <optional>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

namespace {

// Empty when the file on disk is as listed.
std::optional<QString> fileProblem(const QString &tree, const formats::BundleFile &l)
{
    const QString path = tree + u'/' + l.path;
    const QFileInfo info(path);
    if (!l.linkTarget.isEmpty()) {
        if (!info.isSymLink())
            return l.path + u": expected a link to "_s + l.linkTarget;
        if (readLinkTarget(path) != l.linkTarget)
            return l.path + u": links to "_s + readLinkTarget(path) + u", expected "_s +
                   l.linkTarget;
        return std::nullopt;
    }
    if (info.isSymLink() || !info.isFile())
        return l.path + u": missing"_s;
    if (info.size() != l.size)
        return l.path + u": %1 bytes, expected %2"_s.arg(info.size()).arg(l.size);
    if (l.executable != info.isExecutable())
        return l.path + u": executable bit differs"_s;
    Result<QString> sha = sha256OfFile(path);
    if (!sha || *sha != l.sha256)
        return l.path + u": SHA-256 differs"_s;
    return std::nullopt;
}

// Every listed file hashed, in parallel; the problems found, or "cancelled".
Result<QStringList> checkListedFiles(const QString &tree,
                                     const std::vector<formats::BundleFile> &listed,
                                     const std::function<bool(double)> &progress)
{
    std::vector<std::optional<QString>> found(listed.size());
    std::atomic<qsizetype> done{0};
    std::atomic<bool> stop{false};
    forEachInParallel(
        qsizetype(listed.size()),
        [&](qsizetype i) {
            if (stop)
                return;
            found[std::size_t(i)] = fileProblem(tree, listed[std::size_t(i)]);
            const qsizetype n = ++done;
            if (progress && i % 32 == 0 && !progress(double(n) / double(listed.size())))
                stop = true;
        },
        16);
    if (stop)
        return makeError(ErrorKind::Environment, u"cancelled"_s);
    QStringList bad;
    for (const auto &f : found)
        if (f)
            bad.append(*f);
    return bad;
}

// Listed directories that are missing, and entries on disk bundle.json does not name.
QStringList checkTreeShape(const QString &tree, const formats::BundleManifest &listing)
{
    QStringList bad;
    QSet<QString> expected;
    for (const formats::BundleFile &l : listing.files) {
        expected.insert(l.path);
        for (QString parent = l.path.section(u'/', 0, -2); !parent.isEmpty();
             parent = parent.section(u'/', 0, -2))
            expected.insert(parent);
    }
    for (const QString &d : listing.dirs) {
        if (!QFileInfo(tree + u'/' + d).isDir())
            bad.append(d + u"/: missing"_s);
        for (QString p = d; !p.isEmpty(); p = p.section(u'/', 0, -2))
            expected.insert(p);
    }
    expected.insert(u"bundle.json"_s);
    QDirIterator it(tree, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString relative = QDir(tree).relativeFilePath(it.next());
        if (!expected.contains(relative))
            bad.append(relative + u": not in bundle.json"_s);
    }
    return bad;
}

} // namespace

Result<TreeIdentity> checkExtractedBundle(const QString &tree,
                                          const std::function<bool(double)> &progress)
{
    // Read through the shared model (formats), which refuses a manifest that
    // is not what deskpack build writes, the id and version included.
    Result<formats::BundleManifest> listing = formats::readManifest(tree);
    if (!listing)
        return listing.error();
    Result<QStringList> bad = checkListedFiles(tree, listing->files, progress);
    if (!bad)
        return bad.error();
    *bad += checkTreeShape(tree, *listing);
    if (!bad->isEmpty()) {
        bad->sort();
        return makeError(
            ErrorKind::Invalid,
            u"%1: the unpacked app fails verification:\n  %2"_s.arg(tree, bad->join(u"\n  "_s)));
    }
    return TreeIdentity{listing->id, listing->version, listing->launcher, listing->icon};
}

} // namespace deskpack::installer
