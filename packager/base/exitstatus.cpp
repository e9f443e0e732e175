// SPDX-License-Identifier: MIT
#include "exitstatus.h"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <iterator>

using namespace Qt::Literals::StringLiterals;

namespace deskpack {

namespace {

struct SignalName
{
    int number;
    const char *name;
};

// The names from the macros rather than from sigabbrev_np(): glibc has that
// only since 2.32 and other C libraries not at all.
const SignalName SignalNames[] = {
    {SIGABRT, "SIGABRT"}, {SIGFPE, "SIGFPE"},   {SIGILL, "SIGILL"},   {SIGINT, "SIGINT"},
    {SIGSEGV, "SIGSEGV"}, {SIGTERM, "SIGTERM"},
#ifdef Q_OS_UNIX
    {SIGALRM, "SIGALRM"}, {SIGBUS, "SIGBUS"},   {SIGHUP, "SIGHUP"},   {SIGKILL, "SIGKILL"},
    {SIGPIPE, "SIGPIPE"}, {SIGQUIT, "SIGQUIT"}, {SIGSYS, "SIGSYS"},   {SIGTRAP, "SIGTRAP"},
    {SIGUSR1, "SIGUSR1"}, {SIGUSR2, "SIGUSR2"}, {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"},
#endif
};

// strsignal()'s text ("Segmentation fault") in the lower case of a clause.
QString signalDescription(int signal)
{
#ifdef Q_OS_UNIX
    const char *text = ::strsignal(signal);
    if (!text || std::strncmp(text, "Unknown signal", 14) == 0 ||
        std::strncmp(text, "Real-time signal", 16) == 0)
        return {};
    QString description = QString::fromLocal8Bit(text);
    if (description.size() > 1 && description.at(1).isLower())
        description[0] = description.at(0).toLower();
    return description;
#else
    Q_UNUSED(signal);
    return {};
#endif
}

} // namespace

QString describeSignal(int signal)
{
    const auto named = std::find_if(std::begin(SignalNames), std::end(SignalNames),
                                    [signal](const SignalName &s) { return s.number == signal; });
    if (named == std::end(SignalNames))
        return u"signal %1"_s.arg(signal);
    const QString description = signalDescription(signal);
    return u"%1 (signal %2%3)"_s.arg(QLatin1StringView(named->name))
        .arg(signal)
        .arg(description.isEmpty() ? QString() : u", "_s + description);
}

QString describeExit(int exitCode, QProcess::ExitStatus status)
{
    if (status == QProcess::NormalExit)
        return u"exited with code %1"_s.arg(exitCode);
#ifdef Q_OS_UNIX
    if (exitCode > 0)
        return u"was killed by "_s + describeSignal(exitCode);
#else
    if (exitCode != 0)
        return u"crashed (status 0x%1)"_s.arg(quint32(exitCode), 8, 16, u'0');
#endif
    return u"was killed by a signal"_s;
}

} // namespace deskpack
