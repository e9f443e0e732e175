// SPDX-License-Identifier: MIT
#pragma once

// A running launcher as the installer sees it (formats/instancechannel.h), on
// a thread of the test process: what the installer's suites ask to quit.
#include "formats/instancechannel.h"

#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLockFile>
#include <QMutex>
#include <QSemaphore>
#include <QThread>
#include <QTimer>

namespace deskpack::test {

// A launcher as the installer sees it: <data>/launcher.lock held, the channel
// listening; it answers a quit request as told and, on "ok", lets the lock go.
class FakeInstance : public QThread
{
public:
    enum class Answer
    {
        Ok,
        Refused,
        Silent,
    };

    FakeInstance(const QString &dataDir, Answer answer)
        : m_dataDir(dataDir)
        , m_answer(answer)
    {
    }
    ~FakeInstance() override
    {
        quit();
        wait();
    }

    // Starts the thread; true once it holds the lock and listens.
    bool begin()
    {
        start();
        m_ready.acquire();
        return m_listening;
    }

    QByteArray request() const
    {
        QMutexLocker locker(&m_mutex);
        return m_request;
    }

protected:
    void run() override
    {
        QLockFile lock(formats::instanceLockPath(m_dataDir));
        lock.setStaleLockTime(0);
        QLocalServer server;
        const QString name = formats::instanceServerName(m_dataDir);
        QLocalServer::removeServer(name);
        m_listening = QDir().mkpath(m_dataDir) && lock.tryLock(0) && server.listen(name);
        m_ready.release();
        if (!m_listening)
            return;
        QObject::connect(&server, &QLocalServer::newConnection, &server, [&] {
            QLocalSocket *client = server.nextPendingConnection();
            QObject::connect(client, &QLocalSocket::readyRead, client, [&, client] {
                if (!client->canReadLine())
                    return;
                {
                    QMutexLocker locker(&m_mutex);
                    m_request = client->readLine();
                }
                if (m_answer == Answer::Silent)
                    return;
                client->write(m_answer == Answer::Ok ? formats::InstanceOkAnswer
                                                     : formats::InstanceRefusedAnswer);
                client->flush();
                if (m_answer == Answer::Ok) // the backend's grace period, then the exit
                    QTimer::singleShot(300, client, [&] {
                        lock.unlock();
                        quit();
                    });
            });
        });
        exec();
    }

private:
    const QString m_dataDir;
    const Answer m_answer;
    QSemaphore m_ready;
    bool m_listening = false;
    mutable QMutex m_mutex;
    QByteArray m_request;
};

} // namespace deskpack::test
