// SPDX-License-Identifier: MIT
#include "sitepackages.h"

#include "distmetadata.h"

#include "base/parallel.h"

#include <QFile>
#include <QHash>

#include <algorithm>
#include <optional>
#include <vector>

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

namespace fs = std::filesystem;

namespace deskpack::lock {

namespace {

QString joinPath(const QString &a, const QString &b)
{
    return a + u'/' + b;
}

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

// Reads a whole small file, or nothing when it does not exist.
std::optional<QByteArray> readFile(const SitePackagesIndex &index, const QString &relative)
{
    SmallFile file(index, relative);
    if (!file.isOpen())
        return std::nullopt;
    return file.readUpTo(MaxListingBytes, false);
}

// Reads the header block of a METADATA/PKG-INFO file: the body after the first
// blank line can be a long README and is never needed.
std::optional<QByteArray> readHeaders(const SitePackagesIndex &index, const QString &relative)
{
    SmallFile file(index, relative);
    if (!file.isOpen())
        return std::nullopt;
    return file.readUpTo(MaxHeaderBytes, true);
}

bool endsWithCaseInsensitive(const QString &s, QLatin1StringView suffix)
{
    return s.endsWith(suffix, Qt::CaseInsensitive);
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
#ifdef Q_OS_UNIX
    // readdir's d_type spares a stat per entry; std::filesystem builds a full
    // path object for each of thousands of entries.
    const int fd = index.m_handle->fd >= 0 ? ::dup(index.m_handle->fd) : -1;
    DIR *dir = fd >= 0 ? ::fdopendir(fd) : nullptr;
    if (!dir) {
        const QString why = QString::fromLocal8Bit(strerror(errno));
        if (fd >= 0)
            ::close(fd);
        return makeError(ErrorKind::Unreadable,
                         QStringLiteral("%1: cannot list site-packages: %2").arg(directory, why));
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
    std::error_code ec;
    fs::directory_iterator it(fs::path(directory.toStdWString()), ec);
    if (ec) {
        return makeError(ErrorKind::Unreadable,
                         QStringLiteral("%1: cannot list site-packages: %2")
                             .arg(directory, QString::fromStdString(ec.message())));
    }
    for (const fs::directory_entry &entry : it) {
        std::error_code typeError;
        add(QString::fromStdWString(entry.path().filename().wstring()),
            entry.is_directory(typeError));
    }
#endif
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

Result<InstalledDistribution> readDistribution(const SitePackagesIndex &index, const QString &entry)
{
    InstalledDistribution dist;
    const QString path = joinPath(index.directory(), entry);
    dist.metadataPath = path;
    const bool isDir = index.isDirectory(entry);

    // The same order importlib.metadata reads: METADATA, then PKG-INFO, then a
    // single-file .egg-info itself.
    std::optional<QByteArray> headers;
    if (isDir) {
        // setuptools never writes METADATA into an egg-info: asking for PKG-INFO
        // first there saves a failed open per distribution. (importlib.metadata
        // would prefer a METADATA if one were ever added by hand.)
        const bool egg = endsWithCaseInsensitive(entry, QLatin1StringView(".egg-info"));
        const QString first = egg ? QStringLiteral("PKG-INFO") : QStringLiteral("METADATA");
        const QString second = egg ? QStringLiteral("METADATA") : QStringLiteral("PKG-INFO");
        headers = readHeaders(index, joinPath(entry, first));
        if (!headers)
            headers = readHeaders(index, joinPath(entry, second));
    } else {
        headers = readHeaders(index, entry);
    }
    if (!headers) {
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("%1: no METADATA or PKG-INFO; skipped").arg(path));
    }
    const CoreMetadata meta = parseCoreMetadata(*headers);
    if (meta.name.isEmpty()) {
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("%1: metadata has no Name field; skipped").arg(path));
    }
    if (meta.version.isEmpty()) {
        return makeError(ErrorKind::Invalid,
                         QStringLiteral("%1: metadata of %2 has no Version field; skipped")
                             .arg(path, meta.name));
    }
    dist.name = meta.name;
    dist.version = meta.version;

    if (isDir) {
        if (const auto topLevel =
                readFile(index, joinPath(entry, QStringLiteral("top_level.txt")))) {
            dist.topLevelModules = parseTopLevel(*topLevel);
            dist.moduleSource = InstalledDistribution::ModuleSource::TopLevelTxt;
        }
        if (dist.topLevelModules.isEmpty()) {
            if (const auto record = readFile(index, joinPath(entry, QStringLiteral("RECORD")))) {
                dist.topLevelModules = modulesFromInstalledPaths(recordPaths(*record));
                dist.moduleSource = InstalledDistribution::ModuleSource::Record;
            }
        }
        if (dist.topLevelModules.isEmpty()) {
            if (const auto files =
                    readFile(index, joinPath(entry, QStringLiteral("installed-files.txt")))) {
                dist.topLevelModules = modulesFromInstalledPaths(installedFilesPaths(*files));
                dist.moduleSource = InstalledDistribution::ModuleSource::InstalledFiles;
            }
        }
    }
    // Metadata goes stale (Debian's setuptools names "debian"; some top_level.txt
    // list "pkg/sub"): keep each name's top-level part, and only when it exists.
    // A name need not be an identifier: what counts is that the import system
    // finds a package, namespace directory or module file under it.
    QStringList present;
    for (const QString &module : std::as_const(dist.topLevelModules)) {
        const QString top = module.section(u'/', 0, 0).section(u'\\', 0, 0);
        if (!isTopLevelModuleName(top))
            dist.unimportableNames.append(module);
        else if (index.hasModule(top))
            present.append(top);
        else
            dist.missingModules.append(module);
    }
    dist.topLevelModules = present;
    if (dist.topLevelModules.isEmpty()) {
        dist.moduleSource = InstalledDistribution::ModuleSource::None;
        QString guess = dist.name;
        guess.replace(u'-', u'_').replace(u'.', u'_');
        for (const QString &candidate : {guess, guess.toLower()}) {
            if (index.hasModule(candidate)) {
                dist.topLevelModules = {candidate};
                dist.moduleSource = InstalledDistribution::ModuleSource::NameOnDisk;
                break;
            }
        }
    }
    std::sort(dist.topLevelModules.begin(), dist.topLevelModules.end(), codePointLess);
    dist.topLevelModules.erase(
        std::unique(dist.topLevelModules.begin(), dist.topLevelModules.end()),
        dist.topLevelModules.end());
    return dist;
}

Result<InstalledSet> scanInstalled(const QStringList &directories)
{
    InstalledSet set;
    QHash<QString, qsizetype> byCanonical;
    for (const QString &directory : directories) {
        Result<SitePackagesIndex> index = SitePackagesIndex::scan(directory);
        if (!index)
            return index.error();
        const QStringList &entries = index->metadataEntries();
        std::vector<std::optional<Result<InstalledDistribution>>> read(std::size_t(entries.size()));
        forEachInParallel(entries.size(), [&](qsizetype i) {
            read[std::size_t(i)].emplace(readDistribution(*index, entries[i]));
        });
        for (qsizetype i = 0; i < entries.size(); ++i) {
            Result<InstalledDistribution> &dist = *read[std::size_t(i)];
            if (!dist) {
                // The message already names the entry's path.
                set.problems.append(Problem{Severity::Warning, QStringLiteral("skipped"), QString(),
                                            dist.error().message});
                continue;
            }
            for (const QString &module : std::as_const(dist->missingModules)) {
                set.problems.append(
                    Problem{Severity::Warning, QStringLiteral("missing-module"), dist->metadataPath,
                            QStringLiteral("%1 names module \"%2\", which is not in %3; left out")
                                .arg(dist->name, module, directory)});
            }
            for (const QString &module : std::as_const(dist->unimportableNames)) {
                set.problems.append(Problem{
                    Severity::Warning, QStringLiteral("not-a-module"), dist->metadataPath,
                    QStringLiteral("%1 names \"%2\", which cannot be a top-level module name "
                                   "(it holds a dot or whitespace); left out")
                        .arg(dist->name, module)});
            }
            if (dist->topLevelModules.isEmpty()) {
                set.problems.append(Problem{
                    Severity::Warning, QStringLiteral("no-modules"), dist->metadataPath,
                    QStringLiteral("%1 names no importable top-level module (no top_level.txt, "
                                   "RECORD or module matching its name)")
                        .arg(dist->name)});
            }
            const QString key = canonicalName(dist->name);
            const auto seen = byCanonical.constFind(key);
            if (seen == byCanonical.cend()) {
                byCanonical.insert(key, set.distributions.size());
                set.distributions.append(std::move(*dist));
                continue;
            }
            InstalledDistribution &first = set.distributions[*seen];
            if (first.version == dist->version) {
                set.problems.append(Problem{
                    Severity::Warning, QStringLiteral("duplicate-merged"), dist->metadataPath,
                    QStringLiteral("%1 %2 is also installed at %3; recorded once")
                        .arg(dist->name, dist->version, first.metadataPath)});
                for (const QString &m : dist->topLevelModules) {
                    if (!first.topLevelModules.contains(m))
                        first.topLevelModules.append(m);
                }
                std::sort(first.topLevelModules.begin(), first.topLevelModules.end(),
                          codePointLess);
            } else {
                set.problems.append(Problem{
                    Severity::Error, QStringLiteral("conflicting-versions"), dist->metadataPath,
                    QStringLiteral("%1 is installed twice at different versions: %2 at %3 and "
                                   "%4 at %5")
                        .arg(first.name, first.version, first.metadataPath, dist->version,
                             dist->metadataPath)});
            }
        }
        set.indexes.append(std::move(*index));
    }
    return set;
}

Lock lockFromInstalled(const InstalledSet &installed)
{
    Lock lock;
    lock.distributions.reserve(std::size_t(installed.distributions.size()));
    for (const InstalledDistribution &d : installed.distributions)
        lock.distributions.push_back(
            Distribution{d.name, d.version, d.topLevelModules, nlohmann::json::object()});
    normalizeLock(lock);
    return lock;
}

} // namespace deskpack::lock
