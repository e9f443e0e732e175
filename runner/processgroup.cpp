// SPDX-License-Identifier: MIT
#include "processgroup.h"

#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace deskpack::runner {

bool signalProcessGroup(qint64 leader, int signal)
{
    if (leader <= 1)
        return false;
    return ::kill(-pid_t(leader), signal) == 0;
}

bool processGroupExists(qint64 leader)
{
    if (leader <= 1)
        return false;
    return ::kill(-pid_t(leader), 0) == 0 || errno == EPERM;
}

void prepareKernelChild()
{
    ::setsid();
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD})
        ::signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

} // namespace deskpack::runner
