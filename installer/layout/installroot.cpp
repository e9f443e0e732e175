// SPDX-License-Identifier: MIT
#include "installroot.h"

#include "base/fileio.h"
#include "base/jsonaccess.h"
#include "base/jsontext.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

namespace {

const QString VersionsPrefix = u"versions/"_s;

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

QByteArray encoded(const QString &path)
{
    return QFile::encodeName(path);
}

QString linkedVersion(const QString &link)
{
    const QString target = readLinkTarget(link);
    if (!target.startsWith(VersionsPrefix))
        return {};
    const QString version = target.mid(VersionsPrefix.size());
    if (version.isEmpty() || version.contains(u'/') || !QFileInfo(link).isDir())
        return {};
    return version;
}

} // namespace

QString versionLinkTarget(const QString &version)
{
    return VersionsPrefix + version;
}

bool isLink(const QString &path)
{
    return QFileInfo(path).isSymLink();
}

Result<void> replaceLink(const QString &link, const QString &target)
{
    const QString fresh = QFileInfo(link).absolutePath() + u"/."_s + QFileInfo(link).fileName() +
                          u".new-"_s + QString::number(::getpid());
    ::unlink(encoded(fresh).constData());
    if (::symlink(encoded(target).constData(), encoded(fresh).constData()) != 0)
        return makeError(ErrorKind::Environment,
                         u"%1: cannot create a link: %2"_s.arg(fresh, systemError()));
    if (::rename(encoded(fresh).constData(), encoded(link).constData()) != 0) {
        const QString why = systemError();
        ::unlink(encoded(fresh).constData());
        return makeError(ErrorKind::Environment,
                         u"%1: cannot switch the link: %2"_s.arg(link, why));
    }
    return {};
}

// Swaps two directories in one step where the kernel can (renameat2), so a
// reinstall of the current version never leaves `current` dangling.
bool exchangePaths(const QString &a, const QString &b)
{
#ifdef RENAME_EXCHANGE
    return ::renameat2(AT_FDCWD, encoded(a).constData(), AT_FDCWD, encoded(b).constData(),
                       RENAME_EXCHANGE) == 0;
#else
    Q_UNUSED(a);
    Q_UNUSED(b);
    errno = ENOSYS;
    return false;
#endif
}

QStringList removeLeftovers(const InstallLayout &layout)
{
    QStringList cleaned;
    const QDir root(layout.root);
    for (const QFileInfo &entry : root.entryInfoList(
             {u".staging-*"_s, u".current.new-*"_s, u".previous.new-*"_s},
             QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot)) {
        const bool gone = entry.isDir() && !entry.isSymLink()
                              ? QDir(entry.filePath()).removeRecursively()
                              : QFile::remove(entry.filePath());
        if (gone)
            cleaned.append(entry.fileName());
    }
    return cleaned;
}

QStringList pruneVersions(const InstallLayout &layout)
{
    const QString keepCurrent = currentVersion(layout);
    const QString keepPrevious = previousVersion(layout);
    QStringList pruned;
    const QDir versions(layout.versionsDir());
    for (const QFileInfo &entry : versions.entryInfoList(QDir::AllEntries | QDir::Hidden |
                                                         QDir::System | QDir::NoDotAndDotDot)) {
        if (entry.fileName() == keepCurrent || entry.fileName() == keepPrevious)
            continue;
        const bool gone = entry.isDir() && !entry.isSymLink()
                              ? QDir(entry.filePath()).removeRecursively()
                              : QFile::remove(entry.filePath());
        if (gone)
            pruned.append(entry.fileName());
    }
    return pruned;
}

// Entries of versions/ that are not a bundle of this app: a --prefix that
// holds something else is never written over or deleted.
QStringList foreignVersions(const InstallLayout &layout)
{
    QStringList foreign;
    const QDir versions(layout.versionsDir());
    for (const QFileInfo &entry : versions.entryInfoList(QDir::AllEntries | QDir::Hidden |
                                                         QDir::System | QDir::NoDotAndDotDot)) {
        QFile manifest(entry.filePath() + u"/bundle.json"_s);
        QString id;
        if (!entry.isSymLink() && entry.isDir() && manifest.open(QIODevice::ReadOnly)) {
            Result<nlohmann::json> parsed =
                parseJsonText(manifest.read(64 << 20), manifest.fileName(), 16);
            if (parsed) {
                JsonProblems problems(manifest.fileName());
                id = JsonNode(*parsed, problems)["id"].string().value_or(QString());
            }
        }
        if (id != layout.appId)
            foreign.append(u"versions/"_s + entry.fileName() +
                           (id.isEmpty() ? QString() : u" (%1)"_s.arg(id)));
    }
    return foreign;
}

Error foreignError(const InstallLayout &layout, const QStringList &foreign, ErrorKind kind)
{
    return makeError(
        kind, u"%1: holds something other than %2 (%3); nothing was changed: "
              "choose another --prefix"_s.arg(layout.root, layout.appId, foreign.join(u", "_s)));
}

Result<void> lockRoot(QLockFile &lock, const InstallLayout &layout)
{
    // A killed installer leaves the file behind; QLockFile sees its process is
    // gone. Never "stale by age": an install may take minutes.
    lock.setStaleLockTime(0);
    if (lock.tryLock(0))
        return {};
    qint64 pid = 0;
    QString host;
    QString app;
    lock.getLockInfo(&pid, &host, &app);
    return makeError(ErrorKind::Environment,
                     u"%1: another installer (%2, pid %3) is working on this installation; "
                     "wait for it to finish"_s.arg(layout.lockFile(), app, QString::number(pid)));
}

QString currentVersion(const InstallLayout &layout)
{
    return linkedVersion(layout.currentLink());
}

QString previousVersion(const InstallLayout &layout)
{
    return linkedVersion(layout.previousLink());
}

} // namespace deskpack::installer
