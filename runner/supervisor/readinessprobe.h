// SPDX-License-Identifier: MIT
#pragma once

#include "formats/bundlemanifest.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <optional>

class QTcpSocket;

namespace deskpack::runner {

// The TCP port a readiness probe talks to: the TCP port, or the HTTP URL's
// port (80 when the URL names none); 0 for a heartbeat.
int readinessPort(const formats::Readiness &readiness);

// A process listening on a local TCP port, as far as /proc tells.
struct PortOwner
{
    int port = 0;
    qint64 pid = 0;  // 0 when /proc does not tell (another user's process, no /proc)
    QString command; // its command line, space-joined; empty when unknown

    QString describe() const; // "port 8765 is already in use by pid 42 (python3 -m x)"
};

// Whether something already listens on `port` on this machine (any address,
// IPv4 or IPv6): a trial bind decides; when it fails, /proc/net/tcp{,6}
// gives the listening socket's inode, and /proc/*/fd its owning process.
std::optional<PortOwner> findPortOwner(int port);

// Polls a bundle's readiness probe from the event loop until it answers once,
// then emits ready() and stops. HTTP: a GET of the URL over a plain socket
// (HTTP/1.0, any 2xx or 3xx status); https:// URLs are probed as TCP on their
// port. TCP: a connection to 127.0.0.1:port. Heartbeat: `heartbeatFile`
// modified at or after start() (the backend or launch_backend.py writes it).
// The deadline is the caller's business (BackendSupervisor).
class ReadinessProbe : public QObject
{
    Q_OBJECT
public:
    explicit ReadinessProbe(QObject *parent = nullptr);
    ~ReadinessProbe() override;

    void start(const formats::Readiness &readiness, const QString &heartbeatFile, int intervalMs);
    void stop();
    bool isActive() const;
    // What is polled, in words ("GET http://127.0.0.1:8765/status").
    QString describe() const;

Q_SIGNALS:
    void ready();

private:
    void attempt();
    void attemptFailed();
    void succeed();

    formats::Readiness m_readiness;
    QString m_heartbeatFile;
    QDateTime m_startedAt;
    int m_intervalMs = 100;
    bool m_active = false;
    QTimer m_retry;
    QPointer<QTcpSocket> m_socket;
    QByteArray m_response;
};

} // namespace deskpack::runner
