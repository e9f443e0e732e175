// SPDX-License-Identifier: MIT
#pragma once

#include <QLockFile>
#include <QObject>
#include <QString>

#include <memory>

class QLocalServer;

namespace deskpack::launcher {

// One launcher per data directory. The first instance holds DATA/launcher.lock
// (QLockFile: a lock left by a dead process is taken over) and listens on a
// local socket named after the data directory; a later instance finds the lock
// taken, asks the first to come forward over that socket and exits 0.
class SingleInstance : public QObject
{
    Q_OBJECT
public:
    explicit SingleInstance(const QString &dataDir, QObject *parent = nullptr);
    ~SingleInstance() override;

    enum class Role
    {
        Primary,   // we hold the lock and listen
        Secondary, // another launcher has this data directory
        Error,     // the data directory cannot be used (errorString())
    };
    // Takes the lock or finds its holder. Never blocks for long.
    Role acquire();
    // Secondary: asks the primary to raise its window; true when it answered.
    bool activatePrimary(int timeoutMs = 3000);
    QString errorString() const;
    QString serverName() const;

Q_SIGNALS:
    // Primary: another instance started on the same data directory.
    void activationRequested();

private:
    QString m_dataDir;
    QString m_error;
    QLockFile m_lock;
    QLocalServer *m_server = nullptr;
};

} // namespace deskpack::launcher
