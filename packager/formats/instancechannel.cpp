// SPDX-License-Identifier: MIT
#include "instancechannel.h"
#include "base/sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::formats {

namespace {

constexpr QByteArrayView QuitPrefix = "quit ";

QString absoluteDir(const QString &dataDir)
{
    return QDir::cleanPath(QFileInfo(dataDir).absoluteFilePath());
}

} // namespace

QString instanceLockPath(const QString &dataDir)
{
    return absoluteDir(dataDir) + u"/launcher.lock"_s;
}

QString instanceServerName(const QString &dataDir)
{
    // Socket paths are limited to ~100 bytes; a hash of the data directory
    // fits anywhere.
    const QByteArray hash = Sha256::hash(QFile::encodeName(absoluteDir(dataDir))).toHex().left(20);
    return u"deskpack-launcher-"_s + QString::fromLatin1(hash);
}

QByteArray instanceQuitRequest(const QString &reason)
{
    QString oneLine = reason;
    oneLine.replace(u'\r', u' ').replace(u'\n', u' ');
    QByteArray text = oneLine.trimmed().toUtf8();
    const qsizetype room = InstanceMaxLine - QuitPrefix.size() - 1;
    if (text.size() > room) {
        text.truncate(room);
        // Never end inside a UTF-8 sequence.
        while (!text.isEmpty() && (uchar(text.back()) & 0xC0) == 0x80)
            text.chop(1);
        if (!text.isEmpty() && uchar(text.back()) >= 0xC0)
            text.chop(1);
    }
    return QuitPrefix.toByteArray() + text + '\n';
}

InstanceRequest parseInstanceRequest(QByteArrayView line)
{
    InstanceRequest request;
    if (line.size() > InstanceMaxLine || !line.endsWith('\n'))
        return request;
    if (line == InstanceActivateRequest) {
        request.kind = InstanceRequest::Kind::Activate;
    } else if (line.startsWith(QuitPrefix)) {
        request.kind = InstanceRequest::Kind::Quit;
        request.reason = QString::fromUtf8(line.sliced(QuitPrefix.size()).chopped(1)).trimmed();
    }
    return request;
}

} // namespace deskpack::formats
