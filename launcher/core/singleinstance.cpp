// SPDX-License-Identifier: MIT
#include "singleinstance.h"

#include "launcherlogging.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QThread>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {
constexpr char ActivateMessage[] = "activate\n";
constexpr char AnswerMessage[] = "ok\n";
} // namespace

SingleInstance::SingleInstance(const QString &dataDir, QObject *parent)
    : QObject(parent)
    , m_dataDir(QFileInfo(dataDir).absoluteFilePath())
    , m_lock(QDir(m_dataDir).filePath(u"launcher.lock"_s))
{
    m_lock.setStaleLockTime(0); // only a dead owner makes the lock stale
}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::serverName() const
{
    // Socket paths are limited to ~100 bytes; a hash of the data directory
    // fits anywhere and names the same server for every instance.
    const QByteArray hash =
        QCryptographicHash::hash(QFile::encodeName(m_dataDir), QCryptographicHash::Sha256)
            .toHex()
            .left(20);
    return u"deskpack-launcher-"_s + QString::fromLatin1(hash);
}

QString SingleInstance::errorString() const
{
    return m_error;
}

SingleInstance::Role SingleInstance::acquire()
{
    if (!QDir().mkpath(m_dataDir)) {
        m_error = u"%1: cannot create the data directory"_s.arg(m_dataDir);
        return Role::Error;
    }
    if (!m_lock.tryLock(0)) {
        if (m_lock.error() == QLockFile::LockFailedError)
            return Role::Secondary;
        m_error = u"%1: cannot create the lock file"_s.arg(m_lock.fileName());
        return Role::Error;
    }
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    QLocalServer::removeServer(serverName()); // a socket left by a dead owner
    if (!m_server->listen(serverName())) {
        qCWarning(lcLauncher, "cannot listen on %s: %s", qPrintable(serverName()),
                  qPrintable(m_server->errorString()));
        return Role::Primary; // still the only instance; just cannot be raised
    }
    connect(m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *socket = m_server->nextPendingConnection()) {
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
                if (!socket->canReadLine())
                    return;
                const QByteArray line = socket->readLine();
                if (line == ActivateMessage) {
                    qCInfo(lcLauncher, "another instance started on this data directory");
                    Q_EMIT activationRequested();
                }
                socket->write(AnswerMessage);
                socket->flush();
                socket->disconnectFromServer();
            });
        }
    });
    return Role::Primary;
}

bool SingleInstance::activatePrimary(int timeoutMs)
{
    // The primary may still be starting up (lock taken, not yet listening).
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        QLocalSocket socket;
        socket.connectToServer(serverName());
        if (socket.waitForConnected(int(qMax<qint64>(1, deadline.remainingTime())))) {
            socket.write(ActivateMessage);
            socket.flush();
            while (!socket.canReadLine() &&
                   socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
                ;
            return socket.readLine() == AnswerMessage;
        }
        QThread::msleep(50);
    }
    return false;
}

} // namespace deskpack::launcher
