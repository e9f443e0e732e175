// SPDX-License-Identifier: MIT
#include "stagingtree.h"
#include "base/fspath.h"

#include "base/filehash.h"
#include "base/fileio.h"
#include "base/parallel.h"
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

// As runner::scanBundleTree judges links (the bundle passed it moments ago).
QString linkEscape(const QString &root, const QString &canonicalRoot, const QString &relative,
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
            if (relative == fs::path(runner::BundleManifest::FileName))
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

Result<runner::BundleTree> rescanBundle(const QString &bundleDir, const QString &stagingDir,
                                        const runner::BundleManifest &verified,
                                        QStringList &fromBundle)
{
    QHash<QString, const runner::BundleFile *> known;
    for (const runner::BundleFile &f : verified.files)
        known.insert(f.path, &f);
    const QString canonicalRoot = QFileInfo(stagingDir).canonicalFilePath();
    const fs::path root = toFsPath(stagingDir);
    const fs::path original = toFsPath(bundleDir);
    runner::BundleTree tree;
    QHash<QString, int> children;
    std::vector<std::size_t> toHash;
    std::error_code ec;
    // What staging wrote (bundle.json, qt.conf) replaces the bundle's file.
    fromBundle.removeIf([&](const QString &relative) {
        std::error_code statError;
        return fs::exists(fs::symlink_status(root / toFsPath(relative), statError));
    });
    for (const QString &relative : std::as_const(fromBundle)) {
        ++children[parentOfRelative(relative)];
        const fs::path source = original / toFsPath(relative);
        const fs::file_status status = fs::symlink_status(source, ec);
        if (ec || !fs::is_regular_file(status))
            return makeError(ErrorKind::Environment,
                             u"%1: changed while being packaged"_s.arg(fromFsPath(source)));
        runner::BundleFile f;
        f.path = relative;
        f.size = qint64(fs::file_size(source, ec));
        if (ec)
            return environment(source, u"cannot read"_s, ec);
        f.executable = (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
        if (const runner::BundleFile *was = known.value(relative);
            was && was->linkTarget.isEmpty() && was->size == f.size)
            f.sha256 = was->sha256;
        else
            toHash.push_back(tree.files.size());
        tree.files.push_back(std::move(f));
    }
    fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
    if (ec)
        return environment(root, u"cannot read"_s, ec);
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            return environment(it->path(), u"cannot read"_s, ec);
        const fs::path relativePath = it->path().lexically_relative(root);
        const QString relative = fromFsPath(relativePath);
        const fs::file_status status = it->symlink_status(ec);
        if (ec)
            return environment(it->path(), u"cannot read"_s, ec);
        if (relative == QLatin1StringView(runner::BundleManifest::FileName))
            continue;
        ++children[parentOfRelative(relative)];
        runner::BundleFile f;
        f.path = relative;
        if (fs::is_symlink(status)) {
            f.linkTarget = readLinkTarget(fromFsPath(it->path()));
            const QString escape = linkEscape(stagingDir, canonicalRoot, relative, f.linkTarget);
            if (!escape.isEmpty())
                return makeError(ErrorKind::Invalid,
                                 u"%1: %2: %3"_s.arg(stagingDir, relative, escape));
            tree.files.push_back(std::move(f));
        } else if (fs::is_directory(status)) {
            tree.dirs.append(relative);
            children.insert(relative, children.value(relative));
        } else if (fs::is_regular_file(status)) {
            f.size = qint64(it->file_size(ec));
            if (ec)
                return environment(it->path(), u"cannot read"_s, ec);
            f.executable = (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
            // Unchanged since the bundle was verified: a copy nothing patched has
            // the size and mtime of the bundle's file.
            const runner::BundleFile *was = known.value(relative);
            std::optional<QString> hash;
            if (was && was->linkTarget.isEmpty() && was->size == f.size) {
                std::error_code statError;
                const fs::path source = original / relativePath;
                if (fs::is_regular_file(fs::symlink_status(source, statError)) &&
                    fs::file_size(source, statError) == std::uintmax_t(f.size) && !statError &&
                    fs::last_write_time(source, statError) == it->last_write_time(ec) &&
                    !statError && !ec)
                    hash = was->sha256;
                ec.clear();
            }
            if (hash)
                f.sha256 = *hash;
            else
                toHash.push_back(tree.files.size());
            tree.files.push_back(std::move(f));
        } else {
            return makeError(ErrorKind::Invalid, u"%1: %2: not a file, directory or symlink"_s.arg(
                                                     stagingDir, relative));
        }
    }
    std::vector<std::optional<Error>> failures(toHash.size());
    forEachInParallel(
        qsizetype(toHash.size()),
        [&](qsizetype i) {
            runner::BundleFile &f = tree.files[toHash[std::size_t(i)]];
            std::error_code statError;
            const bool staged = fs::exists(fs::symlink_status(root / toFsPath(f.path), statError));
            Result<QString> hash = sha256OfFile((staged ? stagingDir : bundleDir) + u'/' + f.path);
            if (hash)
                f.sha256 = *hash;
            else
                failures[std::size_t(i)] = hash.error();
        },
        4);
    for (const auto &failure : failures) {
        if (failure)
            return *failure;
    }
    std::sort(
        tree.files.begin(), tree.files.end(),
        [](const runner::BundleFile &a, const runner::BundleFile &b) { return a.path < b.path; });
    std::sort(tree.dirs.begin(), tree.dirs.end());
    for (const QString &dir : std::as_const(tree.dirs)) {
        if (children.value(dir) == 0)
            tree.emptyDirs.append(dir);
    }
    return tree;
}

} // namespace deskpack::package
