// SPDX-License-Identifier: MIT
#include "singleinstance.h"

#include "formats/instancechannel.h"
#include "launcherlogging.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QMetaMethod>
#include <QPointer>
#include <QThread>

#include <memory>
#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {

void answer(QLocalSocket *socket, const char *line)
{
    socket->write(line);
    socket->flush();
    socket->disconnectFromServer(); // writes what is pending first
}

} // namespace

SingleInstance::SingleInstance(const QString &dataDir, QObject *parent)
    : QObject(parent)
    , m_dataDir(QFileInfo(dataDir).absoluteFilePath())
    , m_lock(formats::instanceLockPath(m_dataDir))
{
    m_lock.setStaleLockTime(0); // only a dead owner makes the lock stale
}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::serverName() const
{
    return formats::instanceServerName(m_dataDir);
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
        while (QLocalSocket *socket = m_server->nextPendingConnection())
            serve(socket);
    });
    return Role::Primary;
}

void SingleInstance::serve(QLocalSocket *socket)
{
    connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
        if (!socket->canReadLine()) {
            if (socket->bytesAvailable() > formats::InstanceMaxLine)
                socket->abort();
            return;
        }
        socket->disconnect(this); // one request per connection
        const formats::InstanceRequest request =
            formats::parseInstanceRequest(socket->readLine(formats::InstanceMaxLine + 1));
        if (request.kind != formats::InstanceRequest::Kind::Quit) {
            if (request.kind == formats::InstanceRequest::Kind::Activate) {
                qCInfo(lcLauncher, "another instance started on this data directory");
                Q_EMIT activationRequested();
            }
            answer(socket, formats::InstanceOkAnswer);
            return;
        }
        qCInfo(lcLauncher, "asked to quit for %s", qPrintable(request.reason));
        if (!isSignalConnected(QMetaMethod::fromSignal(&SingleInstance::quitRequested))) {
            answer(socket, formats::InstanceRefusedAnswer);
            return;
        }
        // The answer may come after a question to the user: the client may be gone by then.
        auto answered = std::make_shared<bool>(false);
        QPointer<QLocalSocket> target(socket);
        connect(socket, &QLocalSocket::disconnected, this, [this, answered] {
            if (!std::exchange(*answered, true))
                Q_EMIT quitRequestWithdrawn();
        });
        Q_EMIT quitRequested(request.reason, [target, answered](bool accepted) {
            if (std::exchange(*answered, true) || !target)
                return;
            answer(target, accepted ? formats::InstanceOkAnswer : formats::InstanceRefusedAnswer);
        });
    });
}

bool SingleInstance::activatePrimary(int timeoutMs)
{
    // The primary may still be starting up (lock taken, not yet listening).
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        QLocalSocket socket;
        socket.connectToServer(serverName());
        if (socket.waitForConnected(int(qMax<qint64>(1, deadline.remainingTime())))) {
            socket.write(formats::InstanceActivateRequest);
            socket.flush();
            while (!socket.canReadLine() &&
                   socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
                ;
            return socket.readLine() == formats::InstanceOkAnswer;
        }
        QThread::msleep(50);
    }
    return false;
}

} // namespace deskpack::launcher
