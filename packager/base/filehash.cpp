// SPDX-License-Identifier: MIT
#include "filehash.h"
#include "base/sha256.h"

#include <QFile>
#include <QRegularExpression>

using namespace Qt::Literals::StringLiterals;

namespace deskpack {

Result<QString> sha256OfDevice(QIODevice &device, const QString &nameForMessages)
{
    Sha256 hash;
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    for (;;) {
        const qint64 n = device.read(buffer.data(), buffer.size());
        if (n < 0)
            return makeError(ErrorKind::Unreadable,
                             u"%1: read error: %2"_s.arg(nameForMessages, device.errorString()));
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
                         u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    return sha256OfDevice(file, path);
}

bool isSha256Hex(const QString &text)
{
    static const QRegularExpression hex(u"^[0-9a-fA-F]{64}\\z"_s);
    return hex.match(text).hasMatch();
}

Result<void> verifySha256(const QString &path, const QString &expectedHex)
{
    if (!isSha256Hex(expectedHex)) {
        return makeError(ErrorKind::Usage,
                         u"'%1' is not a SHA-256 (expected 64 hex digits)"_s.arg(expectedHex));
    }
    Result<QString> actual = sha256OfFile(path);
    if (!actual)
        return actual.error();
    if (actual->compare(expectedHex, Qt::CaseInsensitive) != 0) {
        return makeError(ErrorKind::Invalid, u"%1: SHA-256 mismatch: expected %2, got %3"_s.arg(
                                                 path, expectedHex.toLower(), *actual));
    }
    return {};
}

} // namespace deskpack
