// SPDX-License-Identifier: MIT
#include "fileio.h"

#include <QFile>
#include <QSaveFile>

#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack {

Result<void> writeFileAtomically(const QString &path, const QByteArray &data)
{
    const bool existed = QFile::exists(path);
    const QFile::Permissions permissions =
        existed ? QFile::permissions(path) : QFile::Permissions();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit())
        return makeError(ErrorKind::Environment,
                         u"%1: cannot write: %2"_s.arg(path, file.errorString()));
    if (existed)
        QFile::setPermissions(path, permissions);
    return {};
}

QString readLinkTarget(const QString &path)
{
    QByteArray buffer(4096, Qt::Uninitialized);
    const ssize_t n =
        ::readlink(QFile::encodeName(path).constData(), buffer.data(), size_t(buffer.size()));
    return n < 0 ? QString() : QFile::decodeName(QByteArray(buffer.constData(), n));
}

void writeText(std::FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stream);
    std::fflush(stream);
}

} // namespace deskpack
