// SPDX-License-Identifier: MIT
#pragma once

// Shared by the runner tests: kernel options for the fake kernel and for
// Debian's Python, a collector for one request's callbacks, and /proc probes
// for leftover processes, zombies and file descriptors.

#include "common/testutil.h"
#include "runner/kernel/kernel.h"
#include "runner/kernel/kernellaunch.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <memory>
#include <unistd.h>

namespace deskpack::test {

using namespace Qt::Literals::StringLiterals;

inline runner::KernelOptions fakeKernel(const QString &scenario, const QStringList &extra = {})
{
    runner::KernelOptions options;
    options.program = binDir() + u"/runner_fakekernel"_s;
    options.arguments = QStringList{scenario} + extra;
    options.startTimeoutMs = 10'000;
    options.interruptGraceMs = 300;
    options.escalationStepMs = 300;
    return options;
}

inline runner::KernelOptions pythonKernel()
{
    Result<runner::KernelOptions> options = runner::pythonKernelOptions(systemPython());
    if (!options)
        qFatal("%s", qPrintable(options.error().message));
    options->interruptGraceMs = 5'000;
    return options.value();
}

// Everything one request reported; `doneCalls` counts onDone invocations.
struct Collected
{
    QString out;
    QString err;
    QList<runner::RichOutput> rich;
    runner::ExecuteResult result;
    int doneCalls = 0;
    bool truncated = false;
    bool done() const { return doneCalls > 0; }
};

inline runner::ExecuteCallbacks collectInto(const std::shared_ptr<Collected> &c)
{
    runner::ExecuteCallbacks callbacks;
    callbacks.onOutput = [c](const runner::OutputChunk &chunk) {
        (chunk.stream == runner::OutputStream::Stdout ? c->out : c->err) += chunk.text;
        c->truncated = c->truncated || chunk.truncated;
    };
    callbacks.onRich = [c](const runner::RichOutput &rich) {
        c->rich.append(rich);
    };
    callbacks.onDone = [c](const runner::ExecuteResult &result) {
        c->result = result;
        ++c->doneCalls;
    };
    return callbacks;
}

// A JSON value as text for QCOMPARE: a string as is, anything else dumped.
inline QString jtext(const nlohmann::json &value)
{
    if (value.is_string())
        return QString::fromStdString(value.get<std::string>());
    return QString::fromStdString(value.dump());
}

inline QString plain(const std::shared_ptr<Collected> &c)
{
    return jtext(c->result.result.value("text/plain", nlohmann::json()));
}

// Runs `code` on `kernel` and waits (up to `timeoutMs`) for it to settle.
inline std::shared_ptr<Collected> run(runner::Kernel &kernel, const QString &code,
                                      const runner::ExecuteOptions &options = {},
                                      int timeoutMs = 30'000)
{
    auto c = std::make_shared<Collected>();
    kernel.execute(code, options, collectInto(c));
    // A request that never settles fails the test here, so callers' checks on
    // the result can never pass vacuously.
    if (!QTest::qWaitFor([&] { return c->done(); }, timeoutMs))
        QTest::qFail("the request did not settle in time", __FILE__, __LINE__);
    return c;
}

// Modules of the standard library the kernel uses, shadowed in `dir` by files that
// raise on import, plus mymod.py (VALUE = 42), a module only `dir` has.
inline QStringList shadowingModules()
{
    return {u"json"_s,      u"selectors"_s, u"threading"_s, u"queue"_s,   u"signal"_s,
            u"traceback"_s, u"linecache"_s, u"base64"_s,    u"asyncio"_s, u"platform"_s,
            u"ast"_s,       u"codecs"_s,    u"types"_s,     u"select"_s,  u"os"_s};
}

inline bool writeShadowingModules(const QString &dir)
{
    for (const QString &name : shadowingModules()) {
        QFile file(dir + u'/' + name + u".py"_s);
        if (!file.open(QIODevice::WriteOnly))
            return false;
        file.write("raise ImportError('the working directory shadowed " + name.toUtf8() + "')\n");
    }
    QFile mine(dir + u"/mymod.py"_s);
    return mine.open(QIODevice::WriteOnly) && mine.write("VALUE = 42\n") > 0;
}

// Alive and not a zombie.
inline bool processRunning(qint64 pid)
{
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (pid <= 0 || !stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype paren = text.lastIndexOf(')');
    return paren > 0 && text.mid(paren + 2, 1) != "Z";
}

// Processes (zombies included) whose process group is `group`.
inline QList<qint64> groupMembers(qint64 group)
{
    QList<qint64> members;
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok)
            continue;
        QFile stat(u"/proc/%1/stat"_s.arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 2 && fields.at(2).toLongLong() == group)
            members.append(pid);
    }
    return members;
}

// Our own children that have exited and were never reaped.
inline int zombieChildren()
{
    int zombies = 0;
    const QString self = QString::number(::getpid());
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        QFile stat(u"/proc/%1/stat"_s.arg(entry));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 1 && fields.at(0) == "Z" && fields.at(1) == self.toLatin1())
            ++zombies;
    }
    return zombies;
}

inline int openFileDescriptors()
{
    return int(QDir(u"/proc/self/fd"_s)
                   .entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)
                   .size());
}

} // namespace deskpack::test
