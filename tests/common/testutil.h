// SPDX-License-Identifier: MIT
#pragma once

// Helpers shared by the test binaries: where fixtures and built tools are,
// running a tool or Debian's Python to completion, and skipping a test for
// something missing from the machine.

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::test {

// CI runs on an image that has every tool, interpreter and privilege the
// suites use; there a missing one is a broken image, not a reason to skip.
inline bool inCi()
{
    return qEnvironmentVariable("CI") == u"true";
}

inline QByteArray skipReason(const char *reason)
{
    return QByteArray(reason);
}

inline QByteArray skipReason(const QByteArray &reason)
{
    return reason;
}

inline QByteArray skipReason(const QString &reason)
{
    return reason.toUtf8();
}

} // namespace deskpack::test

// For a test that needs something the machine lacks (a tool, an interpreter,
// root, a kernel feature): skips, but fails when CI is "true". A macro because
// QSKIP and QFAIL return from the test function.
#define SKIP_OR_FAIL_IN_CI(reason)                                                                 \
    do {                                                                                           \
        const QByteArray skipOrFailReason_ = ::deskpack::test::skipReason(reason);                 \
        if (::deskpack::test::inCi())                                                              \
            QFAIL(skipOrFailReason_.constData());                                                  \
        QSKIP(skipOrFailReason_.constData());                                                      \
    } while (false)

namespace deskpack::test {

inline QString sourceDir()
{
    return QStringLiteral(DESKPACK_SOURCE_DIR);
}

inline QString binDir()
{
    return QStringLiteral(DESKPACK_BIN_DIR);
}

// The smallest ELF a loader could be asked about: a 32-bit i386 ET_DYN header.
inline QByteArray elf32Header()
{
    QByteArray h(52, '\0');
    h[0] = 0x7f;
    h[1] = 'E';
    h[2] = 'L';
    h[3] = 'F';
    h[4] = 1;   // ELFCLASS32
    h[5] = 1;   // little-endian
    h[6] = 1;   // EV_CURRENT
    h[16] = 3;  // ET_DYN
    h[18] = 3;  // EM_386
    h[20] = 1;  // e_version
    h[40] = 52; // e_ehsize
    return h;
}

inline QString fixture(const QString &relative)
{
    return sourceDir() + u"/tests/"_s + relative;
}

// Debian's interpreter: the machine image puts another python3 first on PATH.
inline QString systemPython()
{
    return u"/usr/bin/python3"_s;
}

struct ProcessResult
{
    int exitCode = -1;
    bool crashed = false;
    QByteArray out;
    QByteArray err;
};

inline ProcessResult runProcess(const QString &program, const QStringList &arguments,
                                const QByteArray &input = {}, int timeoutMs = 120000,
                                const QProcessEnvironment &environment = {})
{
    QProcess process;
    if (!environment.isEmpty())
        process.setProcessEnvironment(environment);
    process.start(program, arguments);
    ProcessResult result;
    if (!process.waitForStarted(timeoutMs)) {
        result.err = process.errorString().toUtf8();
        return result;
    }
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = "timed out";
        return result;
    }
    result.crashed = process.exitStatus() == QProcess::CrashExit;
    result.exitCode = process.exitCode();
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

inline ProcessResult runDeskpack(const QStringList &arguments,
                                 const QProcessEnvironment &environment = {})
{
    return runProcess(binDir() + u"/deskpack"_s, arguments, {}, 600000, environment);
}

inline ProcessResult runPythonScript(const QString &script, const QStringList &arguments = {},
                                     const QByteArray &input = {})
{
    return runProcess(systemPython(), QStringList{u"-I"_s, u"-c"_s, script} + arguments, input);
}

} // namespace deskpack::test
