// SPDX-License-Identifier: MIT
#include "passwordinput.h"

#include "base/terminal.h"
#include "signing/signing.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::cli {

namespace {

// minisign's PASSWORDMAXBYTES: a longer line is refused, not truncated.
constexpr qsizetype MaxPasswordBytes = 1024;

// One line from the terminal on stdin, echo off for its duration.
Result<QByteArray> askTerminal(const QString &prompt)
{
    printText(stderr, prompt);
    termios saved{};
    const bool haveTermios = tcgetattr(STDIN_FILENO, &saved) == 0;
    if (haveTermios) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        quiet.c_lflag |= ECHONL;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    QByteArray line;
    line.reserve(MaxPasswordBytes + 1); // no reallocation leaves copies behind
    char c = 0;
    bool ended = false;
    while (::read(STDIN_FILENO, &c, 1) == 1) {
        if (c == '\n') {
            ended = true;
            break;
        }
        if (line.size() <= MaxPasswordBytes)
            line.append(c);
    }
    if (haveTermios)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    if (line.endsWith('\r'))
        line.chop(1);
    if (!ended || line.size() > MaxPasswordBytes) {
        signing::wipe(line);
        return makeError(ErrorKind::Usage, !ended ? u"no password given (end of input)"_s
                                                  : u"the password is longer than 1024 bytes"_s);
    }
    return line;
}

Result<QByteArray> askTwice(const QString &keyPath)
{
    Result<QByteArray> first = askTerminal(u"Password for the new key %1: "_s.arg(keyPath));
    if (!first)
        return first;
    Result<QByteArray> second = askTerminal(u"Password (again): "_s);
    if (!second) {
        signing::wipe(*first);
        return second;
    }
    const bool same = *first == *second;
    signing::wipe(*second);
    if (!same) {
        signing::wipe(*first);
        return makeError(ErrorKind::Usage, u"the two passwords differ; nothing was written"_s);
    }
    return first;
}

} // namespace

Result<QByteArray> readKeyPassword(const QString &keyPath, bool confirm, const QString &hint)
{
    QByteArray fromEnvironment = qgetenv(KeyPasswordVariable);
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    if (!isatty(STDIN_FILENO)) {
        return makeError(
            ErrorKind::Usage,
            u"%1 needs a password and there is no terminal to ask it on: set %2%3"_s.arg(
                keyPath, QLatin1StringView(KeyPasswordVariable), hint));
    }
    Result<QByteArray> password =
        confirm ? askTwice(keyPath) : askTerminal(u"Password for %1: "_s.arg(keyPath));
    if (password && password->isEmpty())
        return makeError(ErrorKind::Usage, u"empty password%1"_s.arg(hint));
    return password;
}

} // namespace deskpack::cli
