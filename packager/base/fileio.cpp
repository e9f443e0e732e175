// SPDX-License-Identifier: MIT
#include "fileio.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack {

Result<QByteArray> readInputFile(const QString &path, qint64 limit, const QString &kind)
{
    const QFileInfo info(path);
    if (info.exists() && !info.isFile())
        return makeError(ErrorKind::Unreadable,
                         u"%1: not a regular file (expected a %2)"_s.arg(path, kind));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    if (file.size() > limit)
        return makeError(
            ErrorKind::Unreadable,
            u"%1: file is %2 bytes; a %3 is at most %4 bytes, so this is not one"_s.arg(path)
                .arg(file.size())
                .arg(kind)
                .arg(limit));
    QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    return data;
}

Result<void> commitSaveFile(QSaveFile &file, const QString &path)
{
    if (!file.flush()) {
        const QString why = file.errorString();
        file.cancelWriting();
        file.commit(); // after cancelWriting(): removes the temporary file, returns false
        return makeError(ErrorKind::Environment, u"%1: cannot write: %2"_s.arg(path, why));
    }
    if (!file.commit())
        return makeError(ErrorKind::Environment,
                         u"%1: cannot write: %2"_s.arg(path, file.errorString()));
    return {};
}

Result<void> writeFileAtomically(const QString &path, const QByteArray &data)
{
    const bool existed = QFile::exists(path);
    const QFile::Permissions permissions =
        existed ? QFile::permissions(path) : QFile::Permissions();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size()) {
        const QString why = file.errorString();
        file.cancelWriting();
        return makeError(ErrorKind::Environment, u"%1: cannot write: %2"_s.arg(path, why));
    }
    if (Result<void> committed = commitSaveFile(file, path); !committed)
        return committed;
    if (existed)
        QFile::setPermissions(path, permissions);
    return {};
}

namespace {

bool renamePath(const QString &from, const QString &to)
{
    return std::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) == 0;
}

QString lastSystemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

} // namespace

Result<void> moveIntoPlace(const QString &staging, const QString &destination,
                           const QString &displaced)
{
    const bool moveAside =
        !displaced.isEmpty() && (QFile::exists(destination) || QFileInfo(destination).isSymLink());
    if (moveAside && !renamePath(destination, displaced))
        return makeError(
            ErrorKind::Environment,
            u"%1: cannot move the previous tree aside: %2"_s.arg(destination, lastSystemError()));
    if (!renamePath(staging, destination)) {
        const QString why = lastSystemError();
        if (moveAside)
            renamePath(displaced, destination);
        return makeError(ErrorKind::Environment,
                         u"%1: cannot move the new tree into place: %2"_s.arg(destination, why));
    }
    return {};
}

QString readLinkTarget(const QString &path)
{
    QByteArray buffer(4096, Qt::Uninitialized);
    const ssize_t n =
        ::readlink(QFile::encodeName(path).constData(), buffer.data(), size_t(buffer.size()));
    return n < 0 ? QString() : QFile::decodeName(QByteArray(buffer.constData(), n));
}

qint64 sourceDateEpoch(qint64 fallback)
{
    bool ok = false;
    const qint64 value = qEnvironmentVariable("SOURCE_DATE_EPOCH").trimmed().toLongLong(&ok);
    return ok && value >= 0 ? value : fallback;
}

} // namespace deskpack
