// SPDX-License-Identifier: MIT
#pragma once

// tests/common/feedserver.py from a Qt test: serves a feed directory on
// 127.0.0.1 (a port of the system's choice) and misbehaves on cue through
// its control file, so a test needs no HTTP client of its own to set faults.
//
//   test::FeedServer server;
//   QVERIFY2(server.start(feedDir), qPrintable(server.error()));
//   server.setFaults(R"([{"path": "packages/*", "mode": "drop-after", "bytes": 4096}])");
//   ... fetch server.url() + "/channels/stable.json" ...
//
// The server's request log goes to the test's stderr. In a Q_OBJECT test
// file, keep "/" and "*" apart in string literals (moc reads them as a
// comment): name paths exactly, or "packages?x*".

#include "common/testutil.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSaveFile>
#include <QTemporaryDir>

namespace deskpack::test {

class FeedServer
{
public:
    ~FeedServer() { stop(); }

    bool start(const QString &feedDir)
    {
        if (!m_control.isValid()) {
            m_error = u"cannot create a temporary directory"_s;
            return false;
        }
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(u"/usr/bin/python3"_s, {sourceDir() + u"/tests/common/feedserver.py"_s,
                                                feedDir, u"--control-file"_s, controlFile()});
        QElapsedTimer timer;
        timer.start();
        while (!m_process.canReadLine() && timer.elapsed() < 10000 &&
               m_process.state() != QProcess::NotRunning)
            m_process.waitForReadyRead(100);
        const QByteArray line = m_process.readLine().trimmed();
        if (!line.startsWith("PORT ")) {
            m_error = u"feedserver.py did not start: %1"_s.arg(QString::fromUtf8(line));
            return false;
        }
        m_port = line.mid(5).toInt();
        return m_port > 0;
    }

    void stop()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    // A fault object or a JSON list of them (feedserver.py's documentation);
    // "[]" clears them. Takes effect from the next request.
    bool setFaults(const QByteArray &json)
    {
        QSaveFile file(controlFile());
        return file.open(QIODevice::WriteOnly) && file.write(json) == json.size() && file.commit();
    }

    int port() const { return m_port; }
    QString url() const { return u"http://127.0.0.1:%1"_s.arg(m_port); }
    QString error() const { return m_error; }

private:
    QString controlFile() const { return m_control.filePath(u"faults.json"_s); }

    QProcess m_process;
    QTemporaryDir m_control;
    int m_port = 0;
    QString m_error;
};

} // namespace deskpack::test
