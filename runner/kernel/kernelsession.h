// SPDX-License-Identifier: MIT
#pragma once

#include "kernel.h"
#include "kerneldeps.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

class QThread;

#include <deque>
#include <memory>

namespace deskpack::runner {

// Keeps one Kernel per key (a plugin, a console tab) and runs each key's
// requests in FIFO order. A kernel that died is replaced on the key's next
// request; callers that arrive while the replacement starts queue on it, so
// they share one. Requests pending when a kernel dies fail (they are not
// replayed: their side effects are unknown). reset() discards the key's
// kernel (pending requests settle cancelled) and the next request starts a
// fresh one. In PerCall mode every request gets a kernel of its own that is
// shut down once the request settles.
//
// Dependencies (docs/runner.md): with setDependencies(), deps() installs,
// uninstalls, lists and syncs plugin requirements in the host (never pip
// inside a kernel), one request at a time on a worker thread. A deps request
// is a barrier across all keys: it starts once every cell sent before it has
// settled, and cells sent after it wait until it is done, so no cell imports
// from the plugin site-packages while it changes.
class KernelSession : public QObject
{
    Q_OBJECT
public:
    enum class Mode
    {
        Persistent,
        PerCall
    };

    explicit KernelSession(KernelOptions options, Mode mode = Mode::Persistent,
                           QObject *parent = nullptr);
    // Kills every kernel; pending requests settle Aborted.
    ~KernelSession() override;

    // Returns the request id (for cancel()). onDone runs exactly once.
    QString execute(const QString &key, const QString &code, const ExecuteOptions &options = {},
                    ExecuteCallbacks callbacks = {});
    bool cancel(const QString &requestId);
    void interrupt(const QString &key);
    void reset(const QString &key);
    void shutdown();

    // Dependency operations; null turns them off (the default: a plain
    // interpreter has no plugin site-packages). depsInstall/depsUninstall
    // follow. Set it before the first deps() call.
    void setDependencies(std::shared_ptr<KernelDependencies> dependencies);
    bool hasDependencies() const { return bool(m_dependencies); }
    // Queues a dependency request behind every cell sent so far; onDone runs
    // exactly once, on this object's thread (Failed with a usage error when
    // the session has no dependencies). Returns the request id.
    QString deps(DepsRequest request, std::function<void(const DepsResult &)> onDone);
    // A deps request runs or waits (cells sent now wait behind it).
    bool depsPending() const { return m_depsRunning || !m_held.empty(); }

    Mode mode() const { return m_mode; }
    KernelCapabilities capabilities() const;
    // The key's current kernel, or null; for status displays and tests.
    Kernel *kernel(const QString &key) const;
    QStringList keys() const;
    // Kernels alive, the retiring ones included.
    int kernelCount() const;

Q_SIGNALS:
    void kernelStarted(const QString &key, qint64 pid);
    void kernelExited(const QString &key, const deskpack::runner::KernelExit &exit);

private:
    // A cell or a deps request waiting behind a deps request.
    struct Held
    {
        QString id;
        bool isDeps = false;
        QString key;
        QString code;
        ExecuteOptions options;
        ExecuteCallbacks callbacks;
        DepsRequest deps;
        std::function<void(const DepsResult &)> onDepsDone;
    };

    Kernel *kernelFor(const QString &key);
    void retire(Kernel *kernel);
    QString send(const QString &key, const QString &code, const ExecuteOptions &options,
                 ExecuteCallbacks callbacks);
    void pump();
    void startDeps(Held held);
    static void settleUnrun(Held &held, ErrorKind kind, const QString &message);
    void depsFinished();

    KernelOptions m_options;
    Mode m_mode;
    QHash<QString, Kernel *> m_kernels; // key → live kernel
    QList<QPointer<Kernel>> m_retiring; // shutting down, deleted on exit
    quint64 m_perCallCounter = 0;
    std::shared_ptr<KernelDependencies> m_dependencies;
    std::deque<Held> m_held;          // FIFO behind a deps request
    QHash<QString, QString> m_sentAs; // held cell id -> the kernel's request id
    int m_inFlight = 0;               // cells sent to kernels, not settled
    bool m_depsRunning = false;
    quint64 m_heldCounter = 0;
    bool m_pumping = false;
    bool m_destroying = false;
    // The running deps request: its worker, where the worker writes the
    // result, and what to do with it on this thread.
    QThread *m_depsThread = nullptr;
    std::shared_ptr<DepsResult> m_depsOut;
    Held m_depsCurrent;
};

} // namespace deskpack::runner
