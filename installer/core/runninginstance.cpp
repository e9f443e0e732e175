// SPDX-License-Identifier: MIT
#include "runninginstance.h"

#include "formats/instancechannel.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QLocalSocket>
#include <QLockFile>
#include <QThread>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

namespace {

// The pid holding the launcher's lock, 0 when no live process does. Taking the
// lock is how QLockFile tells a live holder from a dead one; it is given back
// at once so the app can start again afterwards.
qint64 lockHolder(const QString &dataDir)
{
    const QString path = formats::instanceLockPath(dataDir);
    if (!QFileInfo(path).exists())
        return 0;
    QLockFile lock(path);
    lock.setStaleLockTime(0); // only a dead owner makes it stale, as in the launcher
    if (lock.tryLock(0)) {
        lock.unlock();
        return 0;
    }
    qint64 pid = 0;
    QString host;
    QString app;
    if (!lock.getLockInfo(&pid, &host, &app) || pid <= 0)
        pid = -1; // held, but unreadable: still running as far as we can tell
    return pid;
}

int remainingMs(const QDeadlineTimer &deadline)
{
    return int(qBound(qint64(1), deadline.remainingTime(), qint64(1) << 30));
}

// Sends the request; the answer line ("ok\n", "refused\n"), empty when none came.
QByteArray askToQuit(const QString &dataDir, const QString &reason, int timeoutMs)
{
    QLocalSocket socket;
    socket.connectToServer(formats::instanceServerName(dataDir));
    if (!socket.waitForConnected(qMin(timeoutMs, 5000)))
        return {};
    socket.write(formats::instanceQuitRequest(reason));
    if (!socket.waitForBytesWritten(5000))
        return {};
    const QDeadlineTimer deadline(timeoutMs);
    while (!socket.canReadLine() && socket.state() == QLocalSocket::ConnectedState &&
           !deadline.hasExpired())
        socket.waitForReadyRead(qMin(remainingMs(deadline), 500));
    return socket.canReadLine() ? socket.readLine(64) : QByteArray();
}

bool waitForRelease(const QString &dataDir, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (lockHolder(dataDir) != 0) {
        if (deadline.hasExpired())
            return false;
        QThread::msleep(100);
    }
    return true;
}

} // namespace

Result<void> closeRunningInstance(const QString &dataDir, const QString &appName,
                                  const QString &reason, const CloseInstanceOptions &options)
{
    const qint64 pid = lockHolder(dataDir);
    if (pid == 0)
        return {};
    const QByteArray answer = askToQuit(dataDir, reason, options.answerTimeoutMs);
    // A launcher older than the quit request answers "ok" and stays: the lock decides.
    if (answer != formats::InstanceRefusedAnswer &&
        waitForRelease(dataDir, options.releaseTimeoutMs))
        return {};
    const QString why = answer == formats::InstanceRefusedAnswer
                            ? u"it was asked to close and the user kept it open"_s
                        : answer.isEmpty() ? u"it did not answer the request to close"_s
                                           : u"it did not close when asked"_s;
    return makeError(
        ErrorKind::Environment,
        u"%1 is running (pid %2): close it and run the installer again (%3; "
        "nothing was changed)"_s.arg(appName, pid > 0 ? QString::number(pid) : u"unknown"_s, why));
}

} // namespace deskpack::installer
