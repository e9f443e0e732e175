// SPDX-License-Identifier: MIT
// SitePackagesIndex and the small-file reads: the file-system side of lock
// generation, where its time goes.
#include "sitepackages.h"
#include "sitepackagesfiles.h"

#include "distmetadata.h"

#include <QFile>

#include <algorithm>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif
#include <filesystem>
#include <system_error>

using namespace Qt::Literals::StringLiterals;

namespace fs = std::filesystem;

namespace deskpack::lock {

namespace {

constexpr qint64 MaxHeaderBytes = 1 << 20;
constexpr qint64 MaxListingBytes = 64ll << 20;

} // namespace

// Opening files relative to an open directory spares the kernel walking the
// whole site-packages path again for each of thousands of small files.
struct DirectoryHandle
{
#ifdef Q_OS_UNIX
    explicit DirectoryHandle(const QString &path)
        : fd(::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC))
    {
    }
    ~DirectoryHandle()
    {
        if (fd >= 0)
            ::close(fd);
    }
    DirectoryHandle(const DirectoryHandle &) = delete;
    DirectoryHandle &operator=(const DirectoryHandle &) = delete;
    int fd = -1;
#else
    explicit DirectoryHandle(const QString &) {}
#endif
};

namespace {

// Small-file reads are the whole cost of generating a lock (thousands of
// METADATA, top_level.txt and RECORD files), so on POSIX they go straight to
// openat/read: QFile adds a stat per open and a buffer allocation per read.
class SmallFile
{
public:
    SmallFile(const SitePackagesIndex &index, const QString &relative)
    {
#ifdef Q_OS_UNIX
        const int dirFd = index.handle() ? index.handle()->fd : -1;
        if (dirFd >= 0)
            m_fd = ::openat(dirFd, QFile::encodeName(relative).constData(), O_RDONLY | O_CLOEXEC);
        else
            m_fd = ::open(QFile::encodeName(joinPath(index.directory(), relative)).constData(),
                          O_RDONLY | O_CLOEXEC);
#else
        m_file.setFileName(joinPath(index.directory(), relative));
        if (!m_file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
            m_file.setFileName(QString());
#endif
    }
    ~SmallFile()
    {
#ifdef Q_OS_UNIX
        if (m_fd >= 0)
            ::close(m_fd);
#endif
    }
    SmallFile(const SmallFile &) = delete;
    SmallFile &operator=(const SmallFile &) = delete;

    bool isOpen() const
    {
#ifdef Q_OS_UNIX
        return m_fd >= 0;
#else
        return m_file.isOpen();
#endif
    }

    qint64 read(char *buffer, qint64 size)
    {
#ifdef Q_OS_UNIX
        qint64 n;
        do {
            n = ::read(m_fd, buffer, size_t(size));
        } while (n < 0 && errno == EINTR);
        return n;
#else
        return m_file.read(buffer, size);
#endif
    }

    // Reads until EOF, `limit` bytes, or (with stopAtBlankLine) the first blank line.
    QByteArray readUpTo(qint64 limit, bool stopAtBlankLine)
    {
        QByteArray data;
        char buffer[16384];
        while (data.size() < limit) {
            const qint64 wanted = std::min<qint64>(sizeof buffer, limit - data.size());
            const qint64 n = read(buffer, wanted);
            if (n <= 0)
                break;
            const qsizetype searchFrom = std::max<qsizetype>(0, data.size() - 3);
            data.append(buffer, n);
            if (n < wanted)
                break; // a short read of a regular file is its end: save the extra read()
            if (stopAtBlankLine &&
                (data.indexOf("\n\n", searchFrom) >= 0 || data.indexOf("\n\r\n", searchFrom) >= 0))
                break;
        }
        return data;
    }

private:
#ifdef Q_OS_UNIX
    int m_fd = -1;
#else
    QFile m_file;
#endif
};

} // namespace

std::optional<QByteArray> readSmallFile(const SitePackagesIndex &index, const QString &relative)
{
    SmallFile file(index, relative);
    if (!file.isOpen())
        return std::nullopt;
    return file.readUpTo(MaxListingBytes, false);
}

std::optional<QByteArray> readHeaderBlock(const SitePackagesIndex &index, const QString &relative)
{
    SmallFile file(index, relative);
    if (!file.isOpen())
        return std::nullopt;
    return file.readUpTo(MaxHeaderBytes, true);
}

namespace {

// Calls add(name, isDirectory) for each entry of the directory, following
// symlinks as import does.
template <typename Add>
Result<void> listEntries(const DirectoryHandle &handle, const QString &directory, const Add &add)
{
#ifdef Q_OS_UNIX
    // readdir's d_type spares a stat per entry; std::filesystem builds a full
    // path object for each of thousands of entries.
    const int fd = handle.fd >= 0 ? ::dup(handle.fd) : -1;
    DIR *dir = fd >= 0 ? ::fdopendir(fd) : nullptr;
    if (!dir) {
        const QString why = QString::fromLocal8Bit(strerror(errno));
        if (fd >= 0)
            ::close(fd);
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot list site-packages: %2"_s.arg(directory, why));
    }
    while (const dirent *entry = ::readdir(dir)) {
        const char *raw = entry->d_name;
        if (raw[0] == '.' && (raw[1] == 0 || (raw[1] == '.' && raw[2] == 0)))
            continue;
        bool isDir = entry->d_type == DT_DIR;
        if (entry->d_type == DT_UNKNOWN || entry->d_type == DT_LNK) {
            struct stat st;
            isDir = ::fstatat(::dirfd(dir), raw, &st, 0) == 0 &&
                    S_ISDIR(st.st_mode); // follows links, as import does
        }
        add(QFile::decodeName(raw), isDir);
    }
    ::closedir(dir);
#else
    Q_UNUSED(handle);
    std::error_code ec;
    fs::directory_iterator it(fs::path(directory.toStdWString()), ec);
    if (ec) {
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot list site-packages: %2"_s.arg(
                             directory, QString::fromStdString(ec.message())));
    }
    for (const fs::directory_entry &entry : it) {
        std::error_code typeError;
        add(QString::fromStdWString(entry.path().filename().wstring()),
            entry.is_directory(typeError));
    }
#endif
    return {};
}

} // namespace

Result<SitePackagesIndex> SitePackagesIndex::scan(const QString &directory)
{
    SitePackagesIndex index;
    index.m_directory = directory;
    index.m_handle = std::make_shared<const DirectoryHandle>(directory);
    auto add = [&index](const QString &name, bool isDir) {
        if (isDir)
            index.m_directories.insert(name);
        if (endsWithCaseInsensitive(name, QLatin1StringView(".dist-info")) ||
            endsWithCaseInsensitive(name, QLatin1StringView(".egg-info"))) {
            index.m_metadataEntries.append(name);
            return;
        }
        if (!isDir) {
            const QString module = moduleNameOfFile(name);
            if (!module.isEmpty())
                index.m_fileModules.insert(module);
        }
    };
    if (Result<void> listed = listEntries(*index.m_handle, directory, add); !listed)
        return listed.error();
    std::sort(index.m_metadataEntries.begin(), index.m_metadataEntries.end(), codePointLess);
    return index;
}

bool SitePackagesIndex::hasModule(const QString &module) const
{
    // A directory of any name is at least a namespace portion to FileFinder, but
    // "foo.dist-info" or ".git" can never be looked up as a top-level module.
    return isTopLevelModuleName(module) &&
           (m_directories.contains(module) || m_fileModules.contains(module));
}

} // namespace deskpack::lock
