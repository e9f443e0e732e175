// SPDX-License-Identifier: MIT
#include "treecheck.h"

#include "base/filehash.h"
#include "base/fileio.h"
#include "base/jsonaccess.h"
#include "base/jsontext.h"
#include "base/parallel.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <atomic>
#include <limits>
#include <optional>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

namespace {

struct Listed
{
    QString path;
    QString sha256;
    qint64 size = 0;
    bool executable = false;
    QString link;
};

bool isInside(const QString &relative)
{
    return !relative.isEmpty() && !QDir::isAbsolutePath(relative) && !relative.contains(QChar(0)) &&
           QDir::cleanPath(relative) == relative && relative != u".." &&
           !relative.startsWith(u"../");
}

// What bundle.json lists. The one place that reads the manifest, so it can
// become a call to the shared bundle.json model later.
struct ListedTree
{
    TreeIdentity identity;
    std::vector<Listed> files;
    QStringList dirs;
};

QString manifestPathIn(const QString &tree)
{
    return tree + u"/bundle.json"_s;
}

Listed listedEntry(const QString &path, const JsonNode &entry)
{
    Listed l;
    l.path = path;
    if (entry.has("link")) {
        l.link = entry["link"].nonEmptyString().value_or(QString());
    } else {
        l.sha256 = entry["sha256"].string().value_or(QString()).toLower();
        l.size = entry["size"].integer(0, std::numeric_limits<qint64>::max()).value_or(-1);
        l.executable = entry["executable"].boolean(Presence::Optional).value_or(false);
    }
    return l;
}

void readListing(const JsonNode &root, ListedTree &out)
{
    const JsonNode files = root["files"];
    if (files.object()) {
        for (const auto &[path, entry] : files.members()) {
            if (!isInside(path)) {
                entry.error(u"not a relative path inside the bundle"_s);
                continue;
            }
            if (entry.object())
                out.files.push_back(listedEntry(path, entry));
        }
    }
    if (root["dirs"].array(Presence::Optional)) {
        for (const JsonNode &d : root["dirs"].elements()) {
            if (const auto dir = d.string(); dir && isInside(*dir))
                out.dirs.append(*dir);
            else
                d.expected(u"a relative directory inside the bundle"_s);
        }
    }
}

// The identity may come back empty: the tree is checked first, so a bad tree
// is reported as such before a missing id or version.
Result<ListedTree> parseBundleManifest(const QString &tree)
{
    const QString manifestPath = manifestPathIn(tree);
    QFile file(manifestPath);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(manifestPath, file.errorString()));
    Result<nlohmann::json> parsed = parseJsonText(file.readAll(), manifestPath, 16);
    if (!parsed)
        return parsed.error();
    JsonProblems problems(manifestPath);
    const JsonNode root(*parsed, problems);
    ListedTree out;
    if (root.object()) {
        out.identity.id = root["id"].nonEmptyString().value_or(QString());
        out.identity.version = root["version"].nonEmptyString().value_or(QString());
        out.identity.launcher = root["launcher"].string(Presence::Optional).value_or(QString());
        out.identity.icon = root["icon"].string(Presence::Optional).value_or(QString());
        readListing(root, out);
    }
    if (!problems.isEmpty())
        return problems.toError(ErrorKind::Unreadable);
    return out;
}

// Empty when the file on disk is as listed.
std::optional<QString> fileProblem(const QString &tree, const Listed &l)
{
    const QString path = tree + u'/' + l.path;
    const QFileInfo info(path);
    if (!l.link.isEmpty()) {
        if (!info.isSymLink())
            return l.path + u": expected a link to "_s + l.link;
        if (readLinkTarget(path) != l.link)
            return l.path + u": links to "_s + readLinkTarget(path) + u", expected "_s + l.link;
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
Result<QStringList> checkListedFiles(const QString &tree, const std::vector<Listed> &listed,
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
QStringList checkTreeShape(const QString &tree, const ListedTree &listing)
{
    QStringList bad;
    QSet<QString> expected;
    for (const Listed &l : listing.files) {
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
    Result<ListedTree> listing = parseBundleManifest(tree);
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
    const TreeIdentity &identity = listing->identity;
    if (identity.id.isEmpty() || identity.version.isEmpty())
        return makeError(ErrorKind::Unreadable,
                         u"%1: no id or version"_s.arg(manifestPathIn(tree)));
    return identity;
}

} // namespace deskpack::installer
