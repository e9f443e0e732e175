// SPDX-License-Identifier: MIT
#include "kernelsession.h"

#include "runnerlogging.h"

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner {

KernelSession::KernelSession(KernelOptions options, Mode mode, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_mode(mode)
{
}

KernelSession::~KernelSession()
{
    // Each ~Kernel kills its group and settles what it still holds.
    const QList<Kernel *> live = m_kernels.values();
    m_kernels.clear();
    for (Kernel *kernel : live)
        delete kernel;
    for (const QPointer<Kernel> &kernel : std::as_const(m_retiring))
        delete kernel.data();
}

QString KernelSession::execute(const QString &key, const QString &code,
                               const ExecuteOptions &options, ExecuteCallbacks callbacks)
{
    if (m_mode == Mode::PerCall) {
        const QString callKey = u"call-%1"_s.arg(++m_perCallCounter);
        Kernel *kernel = kernelFor(callKey);
        QPointer<Kernel> guard(kernel);
        auto done = std::move(callbacks.onDone);
        callbacks.onDone = [this, guard, callKey, done](const ExecuteResult &result) {
            if (guard && m_kernels.value(callKey) == guard.data()) {
                m_kernels.remove(callKey);
                retire(guard.data());
            }
            if (done)
                done(result);
        };
        return kernel->execute(code, options, std::move(callbacks));
    }
    return kernelFor(key)->execute(code, options, std::move(callbacks));
}

bool KernelSession::cancel(const QString &requestId)
{
    for (Kernel *kernel : std::as_const(m_kernels)) {
        if (kernel->hasPending(requestId))
            return kernel->cancel(requestId);
    }
    return false;
}

void KernelSession::interrupt(const QString &key)
{
    if (Kernel *kernel = m_kernels.value(key))
        kernel->interrupt();
}

void KernelSession::reset(const QString &key)
{
    if (Kernel *kernel = m_kernels.take(key))
        retire(kernel);
}

void KernelSession::shutdown()
{
    const QStringList all = m_kernels.keys();
    for (const QString &key : all)
        reset(key);
}

KernelCapabilities KernelSession::capabilities() const
{
    return KernelCapabilities{};
}

Kernel *KernelSession::kernel(const QString &key) const
{
    return m_kernels.value(key);
}

QStringList KernelSession::keys() const
{
    return m_kernels.keys();
}

int KernelSession::kernelCount() const
{
    int retiring = 0;
    for (const QPointer<Kernel> &kernel : m_retiring)
        retiring += kernel ? 1 : 0;
    return int(m_kernels.size()) + retiring;
}

Kernel *KernelSession::kernelFor(const QString &key)
{
    if (Kernel *existing = m_kernels.value(key)) {
        const Kernel::State state = existing->state();
        if (state != Kernel::State::Stopping && state != Kernel::State::Exited)
            return existing;
        m_kernels.remove(key);
        retire(existing);
        qCInfo(lcRunner).noquote() << "replacing the kernel of" << key;
    }
    auto *kernel = new Kernel(m_options, this);
    m_kernels.insert(key, kernel);
    connect(kernel, &Kernel::ready, this,
            [this, key, kernel] { Q_EMIT kernelStarted(key, kernel->processId()); });
    connect(kernel, &Kernel::exited, this, [this, key, kernel](const KernelExit &exit) {
        if (m_kernels.value(key) == kernel)
            m_kernels.remove(key); // the next request for the key starts a new one
        m_retiring.removeAll(kernel);
        kernel->deleteLater();
        Q_EMIT kernelExited(key, exit);
    });
    kernel->start();
    return kernel;
}

void KernelSession::retire(Kernel *kernel)
{
    if (kernel->state() == Kernel::State::Exited) {
        kernel->deleteLater();
        return;
    }
    m_retiring.append(kernel);
    kernel->shutdown(); // its exited() handler deletes it
}

} // namespace deskpack::runner
