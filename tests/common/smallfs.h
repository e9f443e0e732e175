// SPDX-License-Identifier: MIT
#pragma once

// A full disk for tests: a tmpfs of a few KiB mounted over a directory in a
// private mount namespace of the calling process, so nothing outside the test
// sees it and it disappears with the process. Needs CAP_SYS_ADMIN (CI runs as
// root); callers fail under CI=true when it is not possible and skip
// otherwise.

#include <QByteArray>
#include <QFile>
#include <QString>

#include <cerrno>
#include <cstring>

#include <sched.h>
#include <sys/mount.h>

namespace deskpack::test {

// Mounts a tmpfs of `bytes` at `dir`; returns "" or why it could not.
inline QString mountSmallTmpfs(const QString &dir, qint64 bytes)
{
    static bool privateNamespace = false;
    if (!privateNamespace) {
        if (::unshare(CLONE_NEWNS) != 0)
            return QString::fromUtf8("unshare(CLONE_NEWNS): ") +
                   QString::fromLocal8Bit(std::strerror(errno));
        if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            return QString::fromUtf8("mount --make-rprivate /: ") +
                   QString::fromLocal8Bit(std::strerror(errno));
        privateNamespace = true;
    }
    const QByteArray options = "size=" + QByteArray::number(bytes);
    if (::mount("tmpfs", QFile::encodeName(dir).constData(), "tmpfs", 0, options.constData()) != 0)
        return QString::fromUtf8("mount tmpfs: ") + QString::fromLocal8Bit(std::strerror(errno));
    return {};
}

inline bool unmountSmallTmpfs(const QString &dir)
{
    return ::umount2(QFile::encodeName(dir).constData(), MNT_DETACH) == 0;
}

// Fills the filesystem holding `dir` with DIR/ballast until it is full.
// Returns the bytes written.
inline qint64 fillUp(const QString &dir)
{
    QFile f(dir + QString::fromUtf8("/ballast"));
    if (!f.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered))
        return -1;
    const QByteArray block(4096, 'b');
    qint64 total = 0;
    for (;;) {
        const qint64 n = f.write(block);
        if (n <= 0)
            break;
        total += n;
    }
    return total;
}

} // namespace deskpack::test
