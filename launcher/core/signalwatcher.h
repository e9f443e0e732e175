// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

class QSocketNotifier;

namespace deskpack::launcher {

// Turns SIGINT and SIGTERM into a Qt signal on the thread that created it: the
// handler only writes the signal number to a pipe (async-signal-safe), and a
// QSocketNotifier on the read end emits received(). One instance per process.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void received(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace deskpack::launcher
