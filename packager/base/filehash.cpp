// SPDX-License-Identifier: MIT
#include "filehash.h"

#include <QCryptographicHash>
#include <QFile>

namespace deskpack {

Result<QString> sha256OfDevice(QIODevice &device, const QString &nameForMessages)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    for (;;) {
        const qint64 n = device.read(buffer.data(), buffer.size());
        if (n < 0)
            return makeError(ErrorKind::Unreadable, QStringLiteral("%1: read error: %2")
                                                        .arg(nameForMessages, device.errorString()));
        if (n == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), n));
    }
    return QString::fromLatin1(hash.result().toHex());
}

Result<QString> sha256OfFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
    return sha256OfDevice(file, path);
}

} // namespace deskpack
