// SPDX-License-Identifier: MIT
#include "cellrunner.h"
#include "base/terminal.h"
#include "base/fileio.h"

#include "deskpackrun.h"
#include "runner/kernel/kernelsession.h"

#include <QCoreApplication>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner::cli {

namespace {

int g_signalPipe[2] = {-1, -1};

extern "C" void forwardSignal(int sig)
{
    const int saved = errno;
    const char byte = char(sig);
    [[maybe_unused]] const auto written = ::write(g_signalPipe[1], &byte, 1);
    errno = saved;
}

QString plainText(const nlohmann::json &data)
{
    const auto it = data.find("text/plain");
    if (it == data.end() || !it->is_string())
        return {};
    return QString::fromStdString(it->get_ref<const std::string &>());
}

const char *statusName(ExecuteStatus status)
{
    switch (status) {
    case ExecuteStatus::Ok:
        return "ok";
    case ExecuteStatus::Error:
        return "error";
    case ExecuteStatus::Aborted:
        return "aborted";
    }
    return "aborted";
}

} // namespace

CellRunner::CellRunner(Config config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_session(m_config.kernel, KernelSession::Mode::Persistent)
{
    m_session.setDependencies(m_config.dependencies);
    connect(&m_session, &KernelSession::kernelStarted, this, [this] { m_kernelWasReady = true; });
    if (::pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) == 0) {
        m_signalNotifier =
            std::make_unique<QSocketNotifier>(g_signalPipe[0], QSocketNotifier::Read);
        connect(m_signalNotifier.get(), &QSocketNotifier::activated, this, &CellRunner::onSignal);
        struct sigaction action = {};
        action.sa_handler = forwardSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        for (int sig : {SIGINT, SIGTERM, SIGHUP})
            ::sigaction(sig, &action, nullptr);
    }
}

CellRunner::~CellRunner()
{
    for (int sig : {SIGINT, SIGTERM, SIGHUP})
        ::signal(sig, SIG_DFL);
    m_signalNotifier.reset();
    for (int &fd : g_signalPipe) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
}

void CellRunner::start()
{
    if (!m_config.steps.isEmpty())
        runStep();
    else
        stepsDone();
}

void CellRunner::runStep()
{
    const Step &step = m_config.steps.at(m_nextCell);
    if (step.deps)
        runDeps(*step.deps);
    else
        runCell(step.code);
}

void CellRunner::runCell(const QString &code)
{
    ++m_outstanding;
    m_interruptRequested = false;
    const int cell = m_nextCell++;
    ExecuteCallbacks callbacks;
    callbacks.onOutput = [this, cell](const OutputChunk &chunk) {
        const bool err = chunk.stream == OutputStream::Stderr;
        if (m_config.json) {
            nlohmann::json frame{{"type", err ? "stderr" : "stdout"},
                                 {"cell", cell},
                                 {"text", chunk.text.toStdString()}};
            if (chunk.truncated)
                frame["truncated"] = true;
            emitFrame(std::move(frame));
        } else {
            printText(err ? stderr : stdout, chunk.text);
        }
    };
    callbacks.onRich = [this, cell](const RichOutput &rich) {
        if (m_config.json) {
            nlohmann::json frame{
                {"type", rich.kind == RichOutput::Kind::Result ? "result" : "display"},
                {"cell", cell},
                {"data", rich.data},
                {"metadata", rich.metadata}};
            if (rich.truncated)
                frame["truncated"] = true;
            emitFrame(std::move(frame));
        } else if (const QString text = plainText(rich.data); !text.isEmpty()) {
            printText(stdout, text + u'\n');
        }
    };
    callbacks.onDone = [this, cell](const ExecuteResult &result) {
        cellDone(cell, result);
    };
    ExecuteOptions options;
    options.timeoutMs = m_config.timeoutMs;
    m_session.execute(u"main"_s, code, options, std::move(callbacks));
}

void CellRunner::cellDone(int cell, const ExecuteResult &result)
{
    --m_outstanding;
    if (m_config.json) {
        if (result.error) {
            nlohmann::json traceback = nlohmann::json::array();
            for (const QString &line : result.error->traceback)
                traceback.push_back(line.toStdString());
            emitFrame({{"type", "error"},
                       {"cell", cell},
                       {"ename", result.error->ename.toStdString()},
                       {"evalue", result.error->evalue.toStdString()},
                       {"traceback", traceback}});
        }
        nlohmann::json done{{"type", "done"},
                            {"cell", cell},
                            {"status", statusName(result.status)},
                            {"executionCount", result.executionCount},
                            {"cancelled", result.cancelled},
                            {"timedOut", result.timedOut},
                            {"kernelKilled", result.kernelKilled},
                            {"outputLost", result.outputLost}};
        if (!result.message.isEmpty())
            done["message"] = result.message.toStdString();
        emitFrame(std::move(done));
    } else {
        if (result.error)
            printText(stderr, result.error->traceback.join(QString()));
        if (result.timedOut)
            printText(stderr, u"deskpack-run: the cell timed out after %1 s\n"_s.arg(
                                  m_config.timeoutMs / 1000.0));
        if ((result.status == ExecuteStatus::Aborted || result.outputLost) &&
            !result.message.isEmpty())
            printText(stderr, u"deskpack-run: %1\n"_s.arg(result.message));
    }
    if (m_finishing)
        return;
    if (!m_kernelWasReady && result.status == ExecuteStatus::Aborted) {
        finish(RunNoInterpreter); // the interpreter could not even run the kernel
        return;
    }
    if (m_inRepl) {
        prompt();
        return;
    }
    if (result.timedOut)
        return finish(RunTimedOut);
    if (result.cancelled && m_interruptRequested)
        return finish(RunInterrupted);
    if (result.status != ExecuteStatus::Ok)
        return finish(RunCellFailed);
    if (m_nextCell >= m_config.steps.size())
        return stepsDone();
    runStep();
}

void CellRunner::runDeps(const DepsRequest &request)
{
    ++m_outstanding;
    const int cell = m_nextCell++;
    if (!m_config.json) {
        const QString what = request.plugin.isEmpty()
                                 ? depsOperationName(request.operation)
                                 : depsOperationName(request.operation) + u' ' + request.plugin;
        printText(stderr, u"deskpack-run: deps %1 ...\n"_s.arg(what));
    }
    m_session.deps(request, [this, cell](const DepsResult &result) { depsDone(cell, result); });
}

namespace {

QStringList jsonStrings(const nlohmann::json &value)
{
    QStringList out;
    if (value.is_array()) {
        for (const auto &item : value) {
            if (item.is_string())
                out.append(QString::fromStdString(item.get_ref<const std::string &>()));
        }
    }
    return out;
}

// object[key], or null when `object` is not an object or lacks it.
nlohmann::json member(const nlohmann::json &object, const char *key)
{
    const auto it = object.is_object() ? object.find(key) : object.end();
    return it != object.end() ? *it : nlohmann::json();
}

QString jsonString(const nlohmann::json &object, const char *key)
{
    const auto it = object.is_object() ? object.find(key) : object.end();
    return it != object.end() && it->is_string()
               ? QString::fromStdString(it->get_ref<const std::string &>())
               : QString();
}

// What a person reads: the boundary's report, briefly.
void printDeps(const DepsResult &result)
{
    const nlohmann::json &r = result.report;
    auto list = [&](const char *key) {
        return jsonStrings(member(r, key));
    };
    if (result.status == DepsResult::Status::Failed) {
        printText(stderr, u"deskpack-run: %1\n"_s.arg(result.message()));
        return;
    }
    if (result.operation == DepsOperation::List) {
        QString text;
        const nlohmann::json plugins = member(r, "plugins");
        if (plugins.is_array()) {
            for (const auto &p : plugins) {
                text += u"%1: %2"_s.arg(jsonString(p, "name"),
                                        jsonStrings(member(p, "distributions")).join(u", "_s));
                if (const QStringList missing = jsonStrings(member(p, "missing"));
                    !missing.isEmpty())
                    text += u" (missing: %1)"_s.arg(missing.join(u", "_s));
                text += u'\n';
            }
        }
        const nlohmann::json quarantine = member(r, "quarantine");
        if (quarantine.is_array()) {
            for (const auto &q : quarantine)
                text += u"quarantined: %1 %2 (%3)\n"_s.arg(
                    jsonString(q, "distribution"), jsonString(q, "version"), jsonString(q, "id"));
        }
        if (text.isEmpty())
            text = u"no plugins installed\n"_s;
        printText(stdout, text);
        return;
    }
    QString text;
    for (const char *key : {"clashes", "offenses"}) {
        if (const nlohmann::json items = member(r, key); items.is_array()) {
            for (const auto &item : items)
                text += u"deskpack-run: %1\n"_s.arg(jsonString(item, "message"));
        }
    }
    if (const QStringList installed = list("installed"); !installed.isEmpty())
        text += u"deskpack-run: installed %1\n"_s.arg(installed.join(u", "_s));
    if (const QStringList removed = list("removed"); !removed.isEmpty())
        text += u"deskpack-run: removed %1\n"_s.arg(removed.join(u", "_s));
    if (const QStringList kept = list("kept"); !kept.isEmpty())
        text += u"deskpack-run: kept %1\n"_s.arg(kept.join(u", "_s));
    text += u"deskpack-run: %1\n"_s.arg(result.message());
    if (result.restartRequired)
        text += u"deskpack-run: the running kernel started before this change and may still "
                "hold removed or replaced modules; restart it (\"restart\": true) to see the "
                "change\n"_s;
    if (result.restarted)
        text += u"deskpack-run: the kernel was restarted\n"_s;
    printText(stderr, text);
}

} // namespace

void CellRunner::depsDone(int cell, const DepsResult &result)
{
    --m_outstanding;
    if (m_config.json) {
        nlohmann::json frame = result.toJson();
        frame["cell"] = cell;
        emitFrame(std::move(frame));
    } else {
        printDeps(result);
    }
    if (m_finishing)
        return;
    if (m_inRepl) {
        prompt();
        return;
    }
    if (result.status != DepsResult::Status::Ok)
        return finish(result.exitCode());
    if (m_nextCell >= m_config.steps.size())
        return stepsDone();
    runStep();
}

void CellRunner::onSignal()
{
    char sig = 0;
    while (::read(g_signalPipe[0], &sig, 1) == 1) {
        if (sig != SIGINT) {
            m_finishing = true;
            if (Kernel *kernel = m_session.kernel(u"main"_s))
                kernel->kill();
            finish(128 + sig);
            return;
        }
        if (m_outstanding > 0) {
            if (m_interruptRequested) { // a second Ctrl-C: do not wait for the grace
                if (Kernel *kernel = m_session.kernel(u"main"_s))
                    kernel->kill();
            }
            m_interruptRequested = true;
            m_session.interrupt(u"main"_s);
        } else if (m_config.repl) {
            m_replBuffer.clear();
            printText(stderr, u"\nKeyboardInterrupt\n"_s);
            prompt();
        } else {
            finish(RunInterrupted);
            return;
        }
    }
}

void CellRunner::finish(int exitCode)
{
    m_finishing = true;
    if (m_inputNotifier)
        m_inputNotifier->setEnabled(false);
    QTimer::singleShot(0, this, [this, exitCode] { Q_EMIT finished(exitCode); });
}

void CellRunner::emitFrame(nlohmann::json frame)
{
    std::string line = frame.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
}

} // namespace deskpack::runner::cli
