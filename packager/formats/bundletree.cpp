// SPDX-License-Identifier: MIT
// Walking a bundle tree: what scanBundleTree records, and the helpers the
// packager's staging rescan shares with it.
#include "bundlemanifest.h"

#include "base/filehash.h"
#include "base/fileio.h"
#include "base/fspath.h"
#include "base/parallel.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <filesystem>
#include <optional>

using namespace Qt::Literals::StringLiterals;
namespace fs = std::filesystem;

namespace deskpack::formats {

namespace {

const char *specialKind(fs::file_type type)
{
    switch (type) {
    case fs::file_type::fifo:
        return "a fifo";
    case fs::file_type::socket:
        return "a socket";
    case fs::file_type::block:
        return "a block device";
    case fs::file_type::character:
        return "a character device";
    default:
        return "not a file, directory or symlink";
    }
}

Error unreadable(const fs::path &path, const std::error_code &ec)
{
    return makeError(
        ErrorKind::Unreadable,
        u"%1: cannot read: %2"_s.arg(fromFsPath(path), QString::fromStdString(ec.message())));
}

// One walk of the bundle: records every entry of `it` into `tree`.
class TreeScan
{
public:
    explicit TreeScan(const QFileInfo &rootInfo)
        : m_rootPath(rootInfo.absoluteFilePath())
        , m_canonicalRoot(rootInfo.canonicalFilePath())
        , m_root(toFsPath(m_rootPath))
    {
    }

    Result<BundleTree> run()
    {
        std::error_code ec;
        // No follow_directory_symlink: a link to a directory is an entry, not a subtree.
        fs::recursive_directory_iterator it(m_root, fs::directory_options::none, ec);
        if (ec)
            return unreadable(m_root, ec);
        for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (ec)
                return unreadable(it->path(), ec);
            if (Result<void> added = add(*it); !added)
                return added.error();
        }
        sortBundleTree(m_tree, m_children);
        std::vector<std::size_t> regular;
        for (std::size_t i = 0; i < m_tree.files.size(); ++i) {
            if (m_tree.files[i].linkTarget.isEmpty())
                regular.push_back(i);
        }
        const QString root = m_rootPath;
        Result<void> hashed = hashBundleFiles(
            m_tree, regular,
            [&root](const BundleFile &f) -> QString { return root + u'/' + f.path; }, 16);
        if (!hashed)
            return hashed.error();
        return std::move(m_tree);
    }

private:
    Result<void> add(const fs::directory_entry &entry)
    {
        std::error_code ec;
        const QString relative = fromFsPath(entry.path().lexically_relative(m_root));
        const fs::file_status status = entry.symlink_status(ec);
        if (ec)
            return unreadable(entry.path(), ec);
        if (relative == QLatin1StringView(BundleManifest::FileName)) {
            if (!fs::is_regular_file(status))
                m_tree.unsafe.append(relative + u": not a regular file"_s);
            return {};
        }
        ++m_children[parentOfRelative(relative)];
        BundleFile f;
        f.path = relative;
        if (fs::is_symlink(status)) {
            f.linkTarget =
                readLinkTarget(QFile::decodeName(QByteArray::fromStdString(entry.path().string())));
            const QString escape =
                bundleLinkEscape(m_rootPath, m_canonicalRoot, relative, f.linkTarget);
            if (!escape.isEmpty())
                m_tree.unsafe.append(relative + u": "_s + escape);
            else
                m_tree.files.push_back(std::move(f));
        } else if (fs::is_directory(status)) {
            m_tree.dirs.append(relative);
            m_children.insert(relative, m_children.value(relative));
        } else if (fs::is_regular_file(status)) {
            f.size = qint64(entry.file_size(ec));
            if (ec)
                return unreadable(entry.path(), ec);
            f.executable = (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
            m_tree.files.push_back(std::move(f));
        } else {
            m_tree.unsafe.append(relative + u": "_s +
                                 QLatin1StringView(specialKind(status.type())) +
                                 u" (a bundle holds only files, directories and symlinks)"_s);
        }
        return {};
    }

    const QString m_rootPath;
    const QString m_canonicalRoot;
    const fs::path m_root;
    BundleTree m_tree;
    QHash<QString, int> m_children; // directory -> entries directly inside it
};

} // namespace

QString bundleLinkEscape(const QString &root, const QString &canonicalRoot, const QString &relative,
                         const QString &target)
{
    if (target.isEmpty())
        return u"unreadable symlink"_s;
    if (QDir::isAbsolutePath(target))
        return u"symlink to %1 leaves the bundle"_s.arg(target);
    const QString parent = parentOfRelative(relative);
    const QString lexical = QDir::cleanPath(parent.isEmpty() ? target : parent + u'/' + target);
    if (lexical == u".." || lexical.startsWith(u"../"))
        return u"symlink to %1 leaves the bundle"_s.arg(target);
    const QString resolved = QFileInfo(root + u'/' + relative).canonicalFilePath();
    if (!resolved.isEmpty() && resolved != canonicalRoot &&
        !resolved.startsWith(canonicalRoot + u'/'))
        return u"symlink to %1 leaves the bundle (it resolves to %2)"_s.arg(target, resolved);
    return {};
}

void sortBundleTree(BundleTree &tree, const QHash<QString, int> &children)
{
    std::sort(tree.files.begin(), tree.files.end(),
              [](const BundleFile &a, const BundleFile &b) { return a.path < b.path; });
    std::sort(tree.dirs.begin(), tree.dirs.end());
    tree.emptyDirs.clear();
    for (const QString &dir : std::as_const(tree.dirs)) {
        if (children.value(dir) == 0)
            tree.emptyDirs.append(dir);
    }
}

Result<void> hashBundleFiles(BundleTree &tree, const std::vector<std::size_t> &indices,
                             const std::function<QString(const BundleFile &)> &pathOf,
                             qsizetype minPerThread)
{
    std::vector<std::optional<Error>> failures(indices.size());
    forEachInParallel(
        qsizetype(indices.size()),
        [&](qsizetype i) {
            BundleFile &f = tree.files[indices[std::size_t(i)]];
            Result<QString> hash = sha256OfFile(pathOf(f));
            if (hash)
                f.sha256 = *hash;
            else
                failures[std::size_t(i)] = hash.error();
        },
        minPerThread);
    for (const auto &failure : failures) {
        if (failure)
            return *failure;
    }
    return {};
}

Result<BundleTree> scanBundleTree(const QString &bundleDir)
{
    const QFileInfo rootInfo(bundleDir);
    if (!rootInfo.isDir())
        return makeError(ErrorKind::Unreadable, u"%1: no such directory"_s.arg(bundleDir));
    return TreeScan(rootInfo).run();
}

Result<BundleTree> scanBundleFiles(const QString &bundleDir)
{
    Result<BundleTree> tree = scanBundleTree(bundleDir);
    if (tree && !tree->unsafe.isEmpty()) {
        QStringList lines;
        for (const QString &entry : std::as_const(tree->unsafe))
            lines.append(QDir(bundleDir).filePath(entry));
        return makeError(ErrorKind::Invalid, lines.join(u'\n'));
    }
    return tree;
}

} // namespace deskpack::formats
