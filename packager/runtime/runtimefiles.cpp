// SPDX-License-Identifier: MIT
#include "runtimefiles.h"

#include "runtime/runtimelogging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runtime {

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

QString moduleNameOf(const QString &fileName)
{
    return fileName.section(u'.', 0, 0);
}

bool isExcludedName(const QString &name, const QStringList &excluded)
{
    const QString stem = moduleNameOf(name);
    for (const QString &x : excluded) {
        if (stem == x || stem == u'_' + x)
            return true;
    }
    return false;
}

Result<void> copyFile(const QString &from, const QString &to)
{
    QFile::remove(to);
    if (!QFile::copy(from, to)) {
        return makeError(ErrorKind::Environment, u"cannot copy %1 to %2"_s.arg(from, to));
    }
    // Writable by us: patchelf edits copies, and the tree must be deletable.
    QFile::setPermissions(to, QFile::permissions(to) | QFile::WriteOwner | QFile::ReadOwner);
    return {};
}

Result<void> makeSymlink(const QString &target, const QString &link)
{
    if (::symlink(QFile::encodeName(target).constData(), QFile::encodeName(link).constData()) !=
        0) {
        return makeError(ErrorKind::Environment,
                         u"cannot create symlink %1: %2"_s.arg(link, errnoText()));
    }
    return {};
}

namespace {

class StdlibCopier
{
public:
    StdlibCopier(const QString &source, const QStringList &excluded)
        : m_source(source)
        , m_excluded(excluded)
    {
    }
    Result<void> copy(const QString &relative, const QString &destination);

private:
    bool skipTopLevel(const QString &name) const
    {
        static const QStringList never = {
            u"site-packages"_s,      u"dist-packages"_s,    u"lib-dynload"_s,
            u"EXTERNALLY-MANAGED"_s, u"sitecustomize.py"_s, u"usercustomize.py"_s,
        };
        // config-X.Y-*: static libpython and Makefile for building extensions,
        // which a bundle installing binary wheels never does.
        return never.contains(name) || name.startsWith(u"config-") ||
               isExcludedName(name, m_excluded);
    }

    QString m_source;
    QStringList m_excluded;
};

Result<void> StdlibCopier::copy(const QString &relative, const QString &destination)
{
    const QString sourceDir = relative.isEmpty() ? m_source : m_source + u'/' + relative;
    const QString targetDir = relative.isEmpty() ? destination : destination + u'/' + relative;
    if (!QDir().mkpath(targetDir))
        return makeError(ErrorKind::Environment, u"cannot create %1"_s.arg(targetDir));
    const QFileInfoList entries = QDir(sourceDir).entryInfoList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo &entry : entries) {
        const QString name = entry.fileName();
        if (name == u"__pycache__" || name.endsWith(u".pyc"))
            continue;
        if (relative.isEmpty() && skipTopLevel(name))
            continue;
        const QString child = relative.isEmpty() ? name : relative + u'/' + name;
        const QString target = targetDir + u'/' + name;
        if (entry.isSymLink()) {
            const QByteArray raw = QFile::encodeName(entry.filePath());
            char buffer[4096];
            const ssize_t n = ::readlink(raw.constData(), buffer, sizeof buffer);
            const QString link = n > 0 ? QString::fromUtf8(buffer, n) : QString();
            const QString resolved =
                QDir::cleanPath((relative.isEmpty() ? QString() : relative + u'/') + link);
            if (!link.isEmpty() && !link.startsWith(u'/') && !resolved.startsWith(u"..")) {
                if (Result<void> made = makeSymlink(link, target); !made)
                    return made;
                continue;
            }
            // A link out of the stdlib would tie the runtime to this machine:
            // take the file it points at, or leave it out.
            if (!entry.isFile()) {
                qCWarning(lcRuntime) << "left out" << entry.filePath() << "-> " << link;
                continue;
            }
        }
        if (entry.isDir()) {
            if (Result<void> done = copy(child, destination); !done)
                return done;
        } else if (entry.isFile()) {
            if (Result<void> done = copyFile(entry.filePath(), target); !done)
                return done;
        }
    }
    return {};
}

} // namespace

Result<void> copyStdlib(const QString &source, const QString &destination,
                        const QStringList &excludedModules)
{
    return StdlibCopier(source, excludedModules).copy(QString(), destination);
}

} // namespace deskpack::runtime
