// SPDX-License-Identifier: MIT
#pragma once

#include <QLockFile>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

class QLocalServer;
class QLocalSocket;

namespace deskpack::launcher {

// One launcher per data directory. The first instance holds DATA/launcher.lock
// (QLockFile: a lock left by a dead process is taken over) and listens on a
// local socket named after the data directory (formats/instancechannel.h); a
// later instance finds the lock taken, asks the first to come forward over
// that socket and exits 0. The installer asks it to quit the same way before
// it replaces or removes the files under it.
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

    // Answers a quit request: true = "ok" (the caller then stops the backend
    // and exits), false = "refused". Callable once; later calls do nothing.
    using QuitReply = std::function<void(bool accepted)>;

Q_SIGNALS:
    // Primary: another instance started on the same data directory.
    void activationRequested();
    // Primary: a client (the installer) asks the launcher to quit for `reason`
    // ("upgrade to 1.0.1", "uninstall"). Connect directly; call `reply` now or
    // later. With no receiver the request is refused.
    void quitRequested(const QString &reason, const QuitReply &reply);
    // Primary: the client of an unanswered quit request went away (the
    // installer gave up or was closed): a question still open is moot.
    void quitRequestWithdrawn();

private:
    void serve(QLocalSocket *socket);

    QString m_dataDir;
    QString m_error;
    QLockFile m_lock;
    QLocalServer *m_server = nullptr;
};

} // namespace deskpack::launcher
