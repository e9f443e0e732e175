// SPDX-License-Identifier: MIT
#pragma once

#include "kernel.h"

#include <QHash>
#include <QObject>
#include <QPointer>

namespace deskpack::runner {

// Keeps one Kernel per key (a plugin, a console tab) and runs each key's
// requests in FIFO order. A kernel that died is replaced on the key's next
// request; callers that arrive while the replacement starts queue on it, so
// they share one. Requests pending when a kernel dies fail (they are not
// replayed: their side effects are unknown). reset() discards the key's
// kernel (pending requests settle cancelled) and the next request starts a
// fresh one. In PerCall mode every request gets a kernel of its own that is
// shut down once the request settles.
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
    Kernel *kernelFor(const QString &key);
    void retire(Kernel *kernel);

    KernelOptions m_options;
    Mode m_mode;
    QHash<QString, Kernel *> m_kernels; // key → live kernel
    QList<QPointer<Kernel>> m_retiring; // shutting down, deleted on exit
    quint64 m_perCallCounter = 0;
};

} // namespace deskpack::runner
