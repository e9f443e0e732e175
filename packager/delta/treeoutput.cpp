// SPDX-License-Identifier: MIT
#include "treeoutput.h"

#include <QFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::delta {

Error writeError(const QString &path, int error)
{
    const QString why = QString::fromLocal8Bit(std::strerror(error));
    const bool contradiction = error == EEXIST || error == ENOTDIR || error == EISDIR ||
                               error == ENAMETOOLONG || error == ELOOP;
    return makeError(contradiction ? ErrorKind::Invalid : ErrorKind::Environment,
                     u"cannot write %1: %2"_s.arg(path, why));
}

OutputFile::~OutputFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Result<void> OutputFile::open(const QString &path, bool executable)
{
    m_path = path;
    const mode_t mode = executable ? 0755 : 0644;
    m_fd = ::open(QFile::encodeName(path).constData(),
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (m_fd < 0)
        return writeError(path, errno);
    // The umask must not decide what verifies.
    if (::fchmod(m_fd, mode) != 0)
        return writeError(path, errno);
    return {};
}

Result<void> OutputFile::write(QByteArrayView data)
{
    m_hash.addData(data);
    const char *p = data.data();
    qsizetype left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(m_fd, p, size_t(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return writeError(m_path, n < 0 ? errno : ENOSPC);
        p += n;
        left -= n;
    }
    return {};
}

Result<QString> OutputFile::finish()
{
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0)
        return writeError(m_path, errno);
    return QString::fromLatin1(m_hash.result().toHex());
}

Result<void> writeNewFile(const QString &path, QByteArrayView data, bool executable)
{
    OutputFile file;
    Result<void> written = file.open(path, executable);
    if (written)
        written = file.write(data);
    if (!written)
        return written;
    Result<QString> closed = file.finish();
    if (!closed)
        return closed.error();
    return {};
}

} // namespace deskpack::delta
