// SPDX-License-Identifier: MIT
#include "stagingtree.h"
#include "base/fspath.h"

#include "base/filehash.h"
#include "base/fileio.h"
#include "runtime/elffile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <filesystem>
#include <optional>
#include <system_error>

namespace deskpack::package {

using namespace Qt::Literals::StringLiterals;
namespace fs = std::filesystem;

namespace {

Error environment(const fs::path &path, const QString &what, const std::error_code &ec)
{
    return makeError(
        ErrorKind::Environment,
        u"%1: %2: %3"_s.arg(fromFsPath(path), what, QString::fromStdString(ec.message())));
}

// A real copy with the original's permissions and mtime.
Result<void> copyKeepingTime(const fs::path &from, const fs::path &to)
{
    std::error_code ec;
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec)
        return environment(to, u"cannot copy"_s, ec);
    const fs::file_time_type time = fs::last_write_time(from, ec);
    if (!ec)
        fs::last_write_time(to, time, ec);
    if (ec)
        return environment(to, u"cannot set the mtime"_s, ec);
    return {};
}

} // namespace

Result<void> writeStagingFile(const QString &path, const QByteArray &data)
{
    QFile::remove(path);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.flush())
        return makeError(ErrorKind::Environment,
                         u"%1: cannot write: %2"_s.arg(path, file.errorString()));
    return {};
}

Result<void> copyStagingFile(const QString &from, const QString &to)
{
    std::error_code error;
    const std::filesystem::path target(QFile::encodeName(to).toStdString());
    std::filesystem::copy_file(QFile::encodeName(from).toStdString(), target,
                               std::filesystem::copy_options::overwrite_existing, error);
    if (!error)
        std::filesystem::permissions(
            target, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
            std::filesystem::perm_options::add, error);
    if (error)
        return makeError(
            ErrorKind::Environment,
            u"cannot copy %1 to %2: %3"_s.arg(from, to, QString::fromStdString(error.message())));
    return {};
}

Result<QStringList> stageBundleTree(const QString &bundleDir, const QString &stagingDir)
{
    const fs::path from = toFsPath(bundleDir);
    const fs::path to = toFsPath(stagingDir);
    std::error_code ec;
    fs::create_directories(to, ec);
    if (ec)
        return environment(to, u"cannot create"_s, ec);
    fs::recursive_directory_iterator it(from, fs::directory_options::none, ec);
    if (ec)
        return environment(from, u"cannot read"_s, ec);
    QStringList fromBundle;
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            return environment(it->path(), u"cannot read"_s, ec);
        const fs::path relative = it->path().lexically_relative(from);
        const fs::path target = to / relative;
        const fs::file_status status = it->symlink_status(ec);
        if (ec)
            return environment(it->path(), u"cannot read"_s, ec);
        if (fs::is_symlink(status)) {
            const fs::path link = fs::read_symlink(it->path(), ec);
            if (!ec)
                fs::create_symlink(link, target, ec);
        } else if (fs::is_directory(status)) {
            fs::create_directory(target, ec);
        } else if (fs::is_regular_file(status)) {
            if (relative == fs::path(formats::BundleManifest::FileName))
                continue; // staging writes its own
            // Files named like libraries are staged whatever they hold: the
            // normaliser's library index and look-ups go by name.
            const QString name = fromFsPath(relative.filename());
            const bool libraryName = name.endsWith(u".so") || name.contains(u".so.");
            if (!libraryName && !runtime::isElfFile(fromFsPath(it->path()))) {
                fromBundle.append(fromFsPath(relative));
                continue;
            }
            if (Result<void> copied = copyKeepingTime(it->path(), target); !copied)
                return copied.error();
        } else {
            return makeError(ErrorKind::Invalid,
                             u"%1: not a file, directory or symlink"_s.arg(fromFsPath(it->path())));
        }
        if (ec)
            return environment(target, u"cannot create"_s, ec);
    }
    return fromBundle;
}

namespace {

// The rescan of a staged tree: the files archived from the bundle as they are,
// then everything staging wrote, keeping the verified hash of what is
// provably untouched.
class Rescan
{
public:
    Rescan(const QString &bundleDir, const QString &stagingDir,
           const formats::BundleManifest &verified)
        : m_bundleDir(bundleDir)
        , m_stagingDir(stagingDir)
        , m_canonicalRoot(QFileInfo(stagingDir).canonicalFilePath())
        , m_root(toFsPath(stagingDir))
        , m_original(toFsPath(bundleDir))
    {
        for (const formats::BundleFile &f : verified.files)
            m_known.insert(f.path, &f);
    }

    Result<formats::BundleTree> run(QStringList &fromBundle)
    {
        // What staging wrote (bundle.json, qt.conf) replaces the bundle's file.
        fromBundle.removeIf([&](const QString &relative) {
            std::error_code statError;
            return fs::exists(fs::symlink_status(m_root / toFsPath(relative), statError));
        });
        for (const QString &relative : std::as_const(fromBundle)) {
            if (Result<void> added = addFromBundle(relative); !added)
                return added.error();
        }
        if (Result<void> walked = walkStaging(); !walked)
            return walked.error();
        Result<void> hashed = formats::hashBundleFiles(
            m_tree, m_toHash,
            [this](const formats::BundleFile &f) -> QString {
                std::error_code statError;
                const bool staged =
                    fs::exists(fs::symlink_status(m_root / toFsPath(f.path), statError));
                return (staged ? m_stagingDir : m_bundleDir) + u'/' + f.path;
            },
            4);
        if (!hashed)
            return hashed.error();
        formats::sortBundleTree(m_tree, m_children);
        return std::move(m_tree);
    }

private:
    // Keeps `f` with `hash` when known, else queues it for hashing.
    void keep(formats::BundleFile f, const std::optional<QString> &hash)
    {
        if (hash)
            f.sha256 = *hash;
        else
            m_toHash.push_back(m_tree.files.size());
        m_tree.files.push_back(std::move(f));
    }

    Result<void> addFromBundle(const QString &relative)
    {
        std::error_code ec;
        ++m_children[parentOfRelative(relative)];
        const fs::path source = m_original / toFsPath(relative);
        const fs::file_status status = fs::symlink_status(source, ec);
        if (ec || !fs::is_regular_file(status))
            return makeError(ErrorKind::Environment,
                             u"%1: changed while being packaged"_s.arg(fromFsPath(source)));
        formats::BundleFile f;
        f.path = relative;
        f.size = qint64(fs::file_size(source, ec));
        if (ec)
            return environment(source, u"cannot read"_s, ec);
        f.executable = (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
        const formats::BundleFile *was = m_known.value(relative);
        const bool same = was && was->linkTarget.isEmpty() && was->size == f.size;
        keep(std::move(f), same ? std::optional<QString>(was->sha256) : std::nullopt);
        return {};
    }

    Result<void> walkStaging()
    {
        std::error_code ec;
        fs::recursive_directory_iterator it(m_root, fs::directory_options::none, ec);
        if (ec)
            return environment(m_root, u"cannot read"_s, ec);
        for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (ec)
                return environment(it->path(), u"cannot read"_s, ec);
            if (Result<void> added = addStaged(*it); !added)
                return added.error();
        }
        return {};
    }

    Result<void> addStaged(const fs::directory_entry &entry)
    {
        std::error_code ec;
        const fs::path relativePath = entry.path().lexically_relative(m_root);
        const QString relative = fromFsPath(relativePath);
        const fs::file_status status = entry.symlink_status(ec);
        if (ec)
            return environment(entry.path(), u"cannot read"_s, ec);
        if (relative == QLatin1StringView(formats::BundleManifest::FileName))
            return {};
        ++m_children[parentOfRelative(relative)];
        formats::BundleFile f;
        f.path = relative;
        if (fs::is_symlink(status)) {
            f.linkTarget = readLinkTarget(fromFsPath(entry.path()));
            const QString escape =
                formats::bundleLinkEscape(m_stagingDir, m_canonicalRoot, relative, f.linkTarget);
            if (!escape.isEmpty())
                return makeError(ErrorKind::Invalid,
                                 u"%1: %2: %3"_s.arg(m_stagingDir, relative, escape));
            m_tree.files.push_back(std::move(f));
        } else if (fs::is_directory(status)) {
            m_tree.dirs.append(relative);
            m_children.insert(relative, m_children.value(relative));
        } else if (fs::is_regular_file(status)) {
            f.size = qint64(entry.file_size(ec));
            if (ec)
                return environment(entry.path(), u"cannot read"_s, ec);
            f.executable = (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
            const std::optional<QString> hash = untouchedHash(entry, relativePath, f.size);
            keep(std::move(f), hash);
        } else {
            return makeError(ErrorKind::Invalid, u"%1: %2: not a file, directory or symlink"_s.arg(
                                                     m_stagingDir, relative));
        }
        return {};
    }

    // The verified hash of a staged copy nothing patched: it has the size and
    // mtime of the bundle's file.
    std::optional<QString> untouchedHash(const fs::directory_entry &entry,
                                         const fs::path &relativePath, qint64 size) const
    {
        const formats::BundleFile *was = m_known.value(fromFsPath(relativePath));
        if (!was || !was->linkTarget.isEmpty() || was->size != size)
            return std::nullopt;
        std::error_code statError;
        std::error_code ec;
        const fs::path source = m_original / relativePath;
        if (fs::is_regular_file(fs::symlink_status(source, statError)) &&
            fs::file_size(source, statError) == std::uintmax_t(size) && !statError &&
            fs::last_write_time(source, statError) == entry.last_write_time(ec) && !statError &&
            !ec)
            return was->sha256;
        return std::nullopt;
    }

    const QString m_bundleDir;
    const QString m_stagingDir;
    const QString m_canonicalRoot;
    const fs::path m_root;
    const fs::path m_original;
    QHash<QString, const formats::BundleFile *> m_known;
    formats::BundleTree m_tree;
    QHash<QString, int> m_children;
    std::vector<std::size_t> m_toHash;
};

} // namespace

Result<formats::BundleTree> rescanBundle(const QString &bundleDir, const QString &stagingDir,
                                         const formats::BundleManifest &verified,
                                         QStringList &fromBundle)
{
    return Rescan(bundleDir, stagingDir, verified).run(fromBundle);
}

} // namespace deskpack::package
