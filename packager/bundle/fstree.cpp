// SPDX-License-Identifier: MIT
#include "fstree.h"
#include "base/fspath.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <filesystem>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <sys/stat.h>

using namespace Qt::Literals::StringLiterals;
#endif

namespace fs = std::filesystem;

namespace deskpack::bundle {

namespace {

Error ioError(const QString &what, const std::error_code &ec)
{
    return makeError(ErrorKind::Environment,
                     u"%1: %2"_s.arg(what, QString::fromStdString(ec.message())));
}

} // namespace

Result<void> copyTree(const QString &source, const QString &destination,
                      const std::function<bool(const QString &)> &skip)
{
    const fs::path from = toFsPath(source);
    const fs::path to = toFsPath(destination);
    std::error_code ec;
    fs::create_directories(to, ec);
    if (ec)
        return ioError(destination, ec);
    fs::recursive_directory_iterator it(from, fs::directory_options::none, ec);
    if (ec)
        return ioError(source, ec);
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            return ioError(source, ec);
        const fs::path relative = it->path().lexically_relative(from);
        if (skip && skip(fromFsPath(relative))) {
            if (it->is_directory(ec) && !it->is_symlink(ec))
                it.disable_recursion_pending();
            continue;
        }
        const fs::path target = to / relative;
        const fs::file_status status = it->symlink_status(ec);
        if (fs::is_symlink(status)) {
            fs::copy_symlink(it->path(), target, ec);
        } else if (fs::is_directory(status)) {
            fs::create_directory(target, ec);
            if (!ec)
                fs::permissions(target, status.permissions(), ec);
        } else if (fs::is_regular_file(status)) {
            fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing, ec);
        } else {
            return makeError(
                ErrorKind::Invalid,
                u"%1: not a regular file, directory or symlink"_s.arg(fromFsPath(it->path())));
        }
        if (ec)
            return ioError(fromFsPath(target), ec);
    }
    return {};
}

Result<void> setTreeMtime(const QString &root, qint64 epoch)
{
#ifdef Q_OS_UNIX
    const timespec times[2] = {{time_t(epoch), 0}, {time_t(epoch), 0}};
    auto touch = [&](const QString &path) -> Result<void> {
        if (::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times,
                        AT_SYMLINK_NOFOLLOW) != 0)
            return makeError(ErrorKind::Environment,
                             u"%1: cannot set its time: %2"_s.arg(
                                 path, QString::fromLocal8Bit(strerror(errno))));
        return {};
    };
    QDirIterator it(root, QDir::AllEntries | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    QStringList directories{root};
    while (it.hasNext()) {
        const QString path = it.next();
        if (it.fileInfo().isDir() && !it.fileInfo().isSymLink()) {
            directories.append(path);
            continue;
        }
        if (Result<void> r = touch(path); !r)
            return r;
    }
    // Directories last and deepest first: touching a child updates its parent.
    std::sort(directories.begin(), directories.end(),
              [](const QString &a, const QString &b) { return a.size() > b.size(); });
    for (const QString &dir : std::as_const(directories)) {
        if (Result<void> r = touch(dir); !r)
            return r;
    }
#else
    Q_UNUSED(root);
    Q_UNUSED(epoch);
#endif
    return {};
}

int removeDirectoriesNamed(const QString &root, const QString &name)
{
    QStringList found;
    QDirIterator it(root, {name}, QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        found.append(it.next());
    int removed = 0;
    for (const QString &dir : std::as_const(found)) {
        if (QFileInfo(dir).isSymLink())
            continue;
        if (QDir(dir).removeRecursively())
            ++removed;
    }
    return removed;
}

TreeSize treeSize(const QString &root)
{
    TreeSize size;
    QDirIterator it(root, QDir::Files | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        if (it.fileInfo().isSymLink())
            continue;
        size.bytes += it.fileInfo().size();
        ++size.files;
    }
    return size;
}

} // namespace deskpack::bundle
