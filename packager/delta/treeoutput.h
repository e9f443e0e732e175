// SPDX-License-Identifier: MIT
#pragma once

// Writing the files of a tree being built from a delta: POSIX calls, so a
// full disk is told apart (by errno) from a delta that asks for something
// impossible (a file where a directory is).

#include "base/result.h"

#include <QByteArrayView>
#include <QCryptographicHash>
#include <QString>

namespace deskpack::delta {

// ENOSPC, EIO and the like are ErrorKind::Environment; what only a
// self-contradicting delta causes (EEXIST, ENOTDIR, EISDIR) is
// ErrorKind::Invalid. The message names `path` and the system's reason.
Error writeError(const QString &path, int error);

// One new file (created, never replaced), 0755 when `executable` else 0644
// whatever the umask, with the SHA-256 of what was written.
class OutputFile
{
public:
    OutputFile() = default;
    ~OutputFile();
    OutputFile(const OutputFile &) = delete;
    OutputFile &operator=(const OutputFile &) = delete;

    Result<void> open(const QString &path, bool executable);
    Result<void> write(QByteArrayView data);
    // Closes the file and returns the hex SHA-256 of everything written.
    Result<QString> finish();

private:
    QString m_path;
    int m_fd = -1;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
};

// A whole file at once.
Result<void> writeNewFile(const QString &path, QByteArrayView data, bool executable);

} // namespace deskpack::delta
