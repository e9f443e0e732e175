// SPDX-License-Identifier: MIT
#include "headlessrunner.h"
#include "base/terminal.h"

#include "launchaudit.h"
#include "launchsession.h"
#include "signalwatcher.h"
#include "singleinstance.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {

class HeadlessFrontEnd final : public LauncherFrontEnd
{
public:
    int run(Launch &launch) override
    {
        auditAtLaunch(launch.bundleDir, launch.dataDir, launch.options.safeMode);
        HeadlessRunner runner(launch.controller.get(), launch.options.exitWhenReady);
        QObject::connect(&launch.signalWatcher, &SignalWatcher::received, &runner,
                         [&runner](int number) {
                             printText(stderr, u"launcher: signal %1\n"_s.arg(number));
                             runner.shutdown(0);
                         });
        QObject::connect(&runner, &HeadlessRunner::finished, &launch.app,
                         [](int code) { QCoreApplication::exit(code); });
        QObject::connect(&launch.instance, &SingleInstance::activationRequested, &runner, [] {
            printText(
                stderr,
                u"launcher: another instance asked to come forward (headless: nothing to show)\n"_s);
        });
        // Nobody to ask: the installer's request is granted, the backend stopped gracefully.
        QObject::connect(&launch.instance, &SingleInstance::quitRequested, &runner,
                         [&runner](const QString &reason, const SingleInstance::QuitReply &reply) {
                             printText(stderr, u"launcher: asked to quit for %1\n"_s.arg(reason));
                             reply(true);
                             runner.shutdown(0);
                         });
        runner.start();
        const int code = launch.app.exec();
        launch.controller.reset(); // stops the backend's group if it still runs
        return code;
    }
};

} // namespace

int runWithoutWindow(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    HeadlessFrontEnd frontEnd;
    return runLauncherWith(app, frontEnd);
}

HeadlessRunner::HeadlessRunner(BackendController *controller, bool exitWhenReady, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_exitWhenReady(exitWhenReady)
{
    connect(m_controller, &BackendController::stateChanged, this, &HeadlessRunner::onStateChanged);
    connect(m_controller, &BackendController::logLine, this,
            [](const QString &line) { printText(stderr, line + u'\n'); });
}

void HeadlessRunner::start()
{
    m_clock.start();
    m_controller->start();
}

void HeadlessRunner::shutdown(int exitCode)
{
    if (m_shuttingDown) {
        // A second Ctrl+C: do not wait for the grace period.
        Q_EMIT finished(exitCode);
        return;
    }
    m_shuttingDown = true;
    m_exitCode = exitCode;
    const BackendState s = m_controller->state();
    if (s == BackendState::Stopped || s == BackendState::Failed) {
        QTimer::singleShot(0, this, [this] { Q_EMIT finished(m_exitCode); });
        return;
    }
    printText(stderr, u"launcher: stopping the backend\n"_s);
    m_controller->stop();
}

void HeadlessRunner::onStateChanged(BackendState state)
{
    printText(stderr, u"launcher: %1%2\n"_s.arg(stateText(state).toLower(),
                                                m_controller->processId() > 0
                                                    ? u" (pid %1)"_s.arg(m_controller->processId())
                                                    : QString()));
    if (m_shuttingDown) {
        if (state == BackendState::Stopped || state == BackendState::Failed)
            Q_EMIT finished(m_exitCode);
        return;
    }
    switch (state) {
    case BackendState::Ready:
    case BackendState::SafeMode:
        if (m_exitWhenReady) {
            const QString url = frontPageUrl(m_controller->url());
            std::printf("%s\n", qPrintable(url.isEmpty() ? u"ready"_s : url));
            std::printf("ready in %lld ms\n", static_cast<long long>(m_clock.elapsed()));
            std::fflush(stdout);
            shutdown(0);
        }
        break;
    case BackendState::Failed:
    case BackendState::Crashed:
        if (state == BackendState::Crashed && !m_exitWhenReady)
            break; // the supervisor restarts it
        printText(stderr,
                  u"launcher: the backend %1: %2\n"_s.arg(
                      state == BackendState::Failed ? u"failed"_s : u"exited before it was ready"_s,
                      m_controller->failureReason()));
        if (const QStringList tail = m_controller->lastLogLines(); !tail.isEmpty())
            printText(stderr, u"launcher: last lines of %1:\n  %2\n"_s.arg(
                                  m_controller->logFilePath(), tail.join(u"\n  "_s)));
        if (m_exitWhenReady || state == BackendState::Failed)
            shutdown(3);
        break;
    default:
        break;
    }
}

} // namespace deskpack::launcher
