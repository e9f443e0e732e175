// SPDX-License-Identifier: MIT
#include "kernelsession.h"

#include "runner/python/runnerlogging.h"

#include <QThread>

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
    m_destroying = true;
    // A change is never abandoned half-way: wait for it, then settle it.
    if (m_depsThread) {
        m_depsThread->wait();
        delete m_depsThread;
        m_depsThread = nullptr;
        DepsResult result = *m_depsOut;
        result.id = m_depsCurrent.id;
        if (m_depsCurrent.onDepsDone)
            m_depsCurrent.onDepsDone(result);
    }
    while (!m_held.empty()) {
        Held held = std::move(m_held.front());
        m_held.pop_front();
        settleUnrun(held, ErrorKind::Environment, u"the kernel session ended before it ran"_s);
    }
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
    if (m_depsRunning || !m_held.empty()) {
        Held held;
        held.id = u"held-%1"_s.arg(++m_heldCounter);
        held.key = key;
        held.code = code;
        held.options = options;
        held.callbacks = std::move(callbacks);
        m_held.push_back(std::move(held));
        return m_held.back().id;
    }
    return send(key, code, options, std::move(callbacks));
}

QString KernelSession::send(const QString &key, const QString &code, const ExecuteOptions &options,
                            ExecuteCallbacks callbacks)
{
    ++m_inFlight;
    {
        QPointer<KernelSession> self(this);
        auto done = std::move(callbacks.onDone);
        callbacks.onDone = [self, done](const ExecuteResult &result) {
            if (done)
                done(result);
            if (self && --self->m_inFlight == 0)
                self->pump();
        };
    }
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

// A held request that will never run settles with `message`: a deps request
// as an error of `kind`, a cell as cancelled.
void KernelSession::settleUnrun(Held &held, ErrorKind kind, const QString &message)
{
    if (held.isDeps) {
        DepsResult result;
        result.id = held.id;
        result.operation = held.deps.operation;
        result.plugin = held.deps.plugin;
        result.error = makeError(kind, message);
        if (held.onDepsDone)
            held.onDepsDone(result);
    } else if (held.callbacks.onDone) {
        ExecuteResult result;
        result.id = held.id;
        result.cancelled = true;
        result.message = message;
        held.callbacks.onDone(result);
    }
}

bool KernelSession::cancel(const QString &requestId)
{
    for (auto it = m_held.begin(); it != m_held.end(); ++it) {
        if (it->id != requestId)
            continue;
        Held held = std::move(*it);
        m_held.erase(it);
        settleUnrun(held, ErrorKind::Usage, u"cancelled before it ran"_s);
        pump();
        return true;
    }
    const QString id = m_sentAs.value(requestId, requestId);
    for (Kernel *kernel : std::as_const(m_kernels)) {
        if (kernel->hasPending(id))
            return kernel->cancel(id);
    }
    return false;
}

void KernelSession::setDependencies(std::shared_ptr<KernelDependencies> dependencies)
{
    m_dependencies = std::move(dependencies);
}

QString KernelSession::deps(DepsRequest request, std::function<void(const DepsResult &)> onDone)
{
    Held held;
    held.id = u"deps-%1"_s.arg(++m_heldCounter);
    held.isDeps = true;
    held.deps = std::move(request);
    held.onDepsDone = std::move(onDone);
    const QString id = held.id;
    if (!m_dependencies) {
        DepsResult result;
        result.id = id;
        result.operation = held.deps.operation;
        result.plugin = held.deps.plugin;
        result.error = makeError(
            ErrorKind::Usage,
            u"this kernel has no plugin site-packages: dependency operations need a bundle and "
            "a data directory (--bundle BUNDLE [--data-dir DIR]), not a bare interpreter"_s);
        QMetaObject::invokeMethod(
            this, [result, done = std::move(held.onDepsDone)] { done(result); },
            Qt::QueuedConnection);
        return id;
    }
    m_held.push_back(std::move(held));
    pump();
    return id;
}

// Sends held cells until a deps request is at the front; starts that one once
// every cell sent before it has settled.
void KernelSession::pump()
{
    if (m_destroying || m_pumping)
        return;
    m_pumping = true;
    while (!m_depsRunning && !m_held.empty()) {
        if (m_held.front().isDeps) {
            if (m_inFlight > 0)
                break;
            m_depsCurrent = std::move(m_held.front());
            m_held.pop_front();
            m_depsRunning = true;
            m_depsOut = std::make_shared<DepsResult>();
            m_depsThread = QThread::create([deps = m_dependencies, request = m_depsCurrent.deps,
                                            out = m_depsOut] { *out = deps->run(request); });
            m_depsThread->setObjectName(u"deskpack-deps"_s);
            connect(m_depsThread, &QThread::finished, this, &KernelSession::depsFinished);
            qCInfo(lcRunner).noquote()
                << "dependencies:" << depsOperationName(m_depsCurrent.deps.operation)
                << m_depsCurrent.deps.plugin;
            m_depsThread->start();
            break;
        }
        Held held = std::move(m_held.front());
        m_held.pop_front();
        QPointer<KernelSession> self(this);
        auto done = std::move(held.callbacks.onDone);
        held.callbacks.onDone = [self, id = held.id, done](const ExecuteResult &result) {
            if (self)
                self->m_sentAs.remove(id);
            ExecuteResult renamed = result;
            renamed.id = id; // the id the caller was given
            if (done)
                done(renamed);
        };
        m_sentAs.insert(held.id,
                        send(held.key, held.code, held.options, std::move(held.callbacks)));
    }
    m_pumping = false;
}

void KernelSession::depsFinished()
{
    if (!m_depsThread)
        return;
    m_depsThread->wait();
    m_depsThread->deleteLater();
    m_depsThread = nullptr;
    DepsResult result = *m_depsOut;
    m_depsOut.reset();
    result.id = m_depsCurrent.id;
    if (result.changed && !m_kernels.isEmpty()) {
        // Every live kernel started before the change (cells waited behind it).
        if (m_depsCurrent.deps.restart) {
            const QStringList all = m_kernels.keys();
            for (const QString &key : all)
                reset(key);
            result.restarted = true;
        } else {
            result.restartRequired = true;
        }
    }
    auto done = std::move(m_depsCurrent.onDepsDone);
    m_depsCurrent = {};
    m_depsRunning = false;
    if (done)
        done(result);
    pump();
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
    KernelCapabilities caps;
    caps.depsInstall = caps.depsUninstall = bool(m_dependencies);
    return caps;
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
