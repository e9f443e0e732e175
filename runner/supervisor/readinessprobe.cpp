// SPDX-License-Identifier: MIT
#include "readinessprobe.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner {

namespace {

// The inodes of the sockets listening on `port` in /proc/net/tcp or tcp6.
QList<QByteArray> listeningInodes(int port)
{
    QList<QByteArray> inodes;
    for (const char *table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile file(QString::fromLatin1(table));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        file.readLine(); // header
        while (!file.atEnd()) {
            const QList<QByteArray> fields = file.readLine().simplified().split(' ');
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            if (fields.size() < 10 || fields[3] != "0A") // 0A: LISTEN
                continue;
            const QByteArray local = fields[1];
            bool ok = false;
            const int localPort = local.mid(local.lastIndexOf(':') + 1).toInt(&ok, 16);
            if (ok && localPort == port)
                inodes.append(fields[9]);
        }
    }
    return inodes;
}

// The process holding socket `inode`, by scanning /proc/*/fd.
PortOwner ownerOfInode(const QByteArray &inode)
{
    PortOwner owner;
#ifdef Q_OS_LINUX
    const QString wanted = "socket:["_L1 + QString::fromLatin1(inode) + u']';
    const QStringList pids = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &pid : pids) {
        bool numeric = false;
        const qint64 id = pid.toLongLong(&numeric);
        if (!numeric)
            continue;
        const QDir fds(u"/proc/"_s + pid + u"/fd"_s);
        for (const QString &fd : fds.entryList(QDir::System | QDir::NoDotAndDotDot)) {
            // The raw link: QFileInfo would resolve "socket:[N]" as a relative path.
            const QByteArray path = QFile::encodeName(fds.filePath(fd));
            char buffer[64];
            const ssize_t n = ::readlink(path.constData(), buffer, sizeof buffer);
            if (n <= 0 || QLatin1StringView(buffer, n) != wanted)
                continue;
            owner.pid = id;
            QFile cmdline(u"/proc/"_s + pid + u"/cmdline"_s);
            if (cmdline.open(QIODevice::ReadOnly)) {
                QByteArray bytes = cmdline.readAll();
                while (bytes.endsWith('\0'))
                    bytes.chop(1);
                owner.command = QString::fromUtf8(bytes.replace('\0', ' '));
            }
            return owner;
        }
    }
#else
    Q_UNUSED(inode);
#endif
    return owner;
}

// Whether the heartbeat file was written at or after `since`.
bool heartbeatSince(const QString &file, const QDateTime &since)
{
    const QFileInfo info(file);
    return info.exists() && info.lastModified().toUTC() >= since;
}

// The host a probe connects to: an HTTP URL's own host, except localhost or
// none, which mean 127.0.0.1 as for a TCP probe.
QString probeHost(const formats::Readiness &readiness, const QUrl &url)
{
    if (readiness.kind == formats::Readiness::Kind::Http && !url.host().isEmpty() &&
        url.host() != u"localhost"_s)
        return url.host();
    return u"127.0.0.1"_s;
}

QByteArray httpGet(const QUrl &url)
{
    QByteArray path = url.path(QUrl::FullyEncoded).toLatin1();
    if (path.isEmpty())
        path = "/";
    if (url.hasQuery())
        path += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    return "GET " + path + " HTTP/1.0\r\nHost: " + url.authority().toLatin1() +
           "\r\nConnection: close\r\n\r\n";
}

// The code of an HTTP status line ("HTTP/1.x 200 OK"); 0 when there is none.
int statusCode(const QByteArray &statusLine)
{
    const QList<QByteArray> status = statusLine.split(' ');
    return status.size() >= 2 ? status[1].toInt() : 0;
}

} // namespace

int readinessPort(const formats::Readiness &readiness)
{
    switch (readiness.kind) {
    case formats::Readiness::Kind::Tcp:
        return readiness.port;
    case formats::Readiness::Kind::Http: {
        const QUrl url(readiness.url);
        return url.port(url.scheme() == u"https"_s ? 443 : 80);
    }
    case formats::Readiness::Kind::Heartbeat:
        return 0;
    }
    return 0;
}

QString PortOwner::describe() const
{
    QString text = u"port %1 is already in use"_s.arg(port);
    if (pid > 0) {
        text += u" by pid %1"_s.arg(pid);
        if (!command.isEmpty())
            text += u" ("_s + command + u')';
    }
    return text;
}

std::optional<PortOwner> findPortOwner(int port)
{
    if (port <= 0 || port > 65535)
        return std::nullopt;
    // A trial bind first: it takes microseconds, while reading /proc/net/tcp
    // walks the kernel's socket tables (tens of ms on some machines). Qt
    // binds with SO_REUSEADDR, so sockets in TIME_WAIT do not count; Any is
    // dual-stack, so a listener on an IPv4 or IPv6 address makes it fail.
    QTcpServer trial;
    if (trial.listen(QHostAddress::Any, quint16(port))) {
        trial.close();
        return std::nullopt;
    }
    const bool inUse = trial.serverError() == QAbstractSocket::AddressInUseError;
    PortOwner owner;
    owner.port = port;
    if (QFileInfo::exists(u"/proc/net/tcp"_s)) {
        const QList<QByteArray> inodes = listeningInodes(port);
        for (const QByteArray &inode : inodes) {
            PortOwner found = ownerOfInode(inode);
            if (found.pid > 0) {
                found.port = port;
                return found;
            }
        }
        if (!inodes.isEmpty())
            return owner; // another user's process
        // No listener any more: it closed between the bind and the read.
        if (inUse && trial.listen(QHostAddress::Any, quint16(port))) {
            trial.close();
            return std::nullopt;
        }
    }
    // Not bindable for another reason (a privileged port): /proc saw no
    // listener, so the backend may well be allowed to bind it.
    if (!inUse)
        return std::nullopt;
    return owner;
}

ReadinessProbe::ReadinessProbe(QObject *parent)
    : QObject(parent)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &ReadinessProbe::attempt);
}

ReadinessProbe::~ReadinessProbe()
{
    stop();
}

void ReadinessProbe::start(const formats::Readiness &readiness, const QString &heartbeatFile, int intervalMs)
{
    stop();
    m_readiness = readiness;
    m_heartbeatFile = heartbeatFile;
    m_intervalMs = qMax(1, intervalMs);
    // Whole seconds: some file systems keep mtimes that coarse.
    m_startedAt = QDateTime::currentDateTimeUtc().addMSecs(-1000);
    m_active = true;
    attempt();
}

void ReadinessProbe::stop()
{
    m_active = false;
    m_retry.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_socket = nullptr;
    m_response.clear();
}

bool ReadinessProbe::isActive() const
{
    return m_active;
}

QString ReadinessProbe::describe() const
{
    switch (m_readiness.kind) {
    case formats::Readiness::Kind::Http:
        return u"GET "_s + m_readiness.url;
    case formats::Readiness::Kind::Tcp:
        return u"a TCP connection to 127.0.0.1:%1"_s.arg(m_readiness.port);
    case formats::Readiness::Kind::Heartbeat:
        return u"a heartbeat in "_s + m_heartbeatFile;
    }
    return {};
}

void ReadinessProbe::attempt()
{
    if (!m_active)
        return;
    if (m_readiness.kind == formats::Readiness::Kind::Heartbeat) {
        if (heartbeatSince(m_heartbeatFile, m_startedAt))
            succeed();
        else
            attemptFailed();
        return;
    }
    const QUrl url(m_readiness.url);
    const bool http = m_readiness.kind == formats::Readiness::Kind::Http && url.scheme() == u"http"_s;
    const QString host = probeHost(m_readiness, url);
    const int port = readinessPort(m_readiness);
    auto *socket = new QTcpSocket(this);
    m_socket = socket;
    m_response.clear();
    connect(socket, &QTcpSocket::connected, this, [this, socket, url, http] {
        if (!http) {
            succeed();
            return;
        }
        socket->write(httpGet(url));
    });
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
        m_response += socket->readAll();
        const qsizetype end = m_response.indexOf("\r\n");
        if (end < 0) {
            if (m_response.size() > 4096)
                socket->abort();
            return;
        }
        const int code = statusCode(m_response.left(end));
        if (code >= 200 && code < 400)
            succeed();
        else
            socket->abort();
    });
    connect(socket, &QTcpSocket::errorOccurred, this, [this, socket] {
        if (m_socket == socket)
            attemptFailed();
    });
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        if (m_socket == socket)
            attemptFailed();
    });
    socket->connectToHost(host, quint16(port));
}

void ReadinessProbe::attemptFailed()
{
    if (m_socket) {
        QTcpSocket *socket = m_socket;
        m_socket = nullptr;
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
    if (m_active)
        m_retry.start(m_intervalMs);
}

void ReadinessProbe::succeed()
{
    if (!m_active)
        return;
    stop();
    Q_EMIT ready();
}

} // namespace deskpack::runner
