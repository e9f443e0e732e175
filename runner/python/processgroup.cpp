// SPDX-License-Identifier: MIT
#include "processgroup.h"

#include <cerrno>
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

namespace deskpack::runner {

bool signalProcessGroup(qint64 leader, int signal)
{
    if (leader <= 1)
        return false;
    return ::kill(-pid_t(leader), signal) == 0;
}

bool isUnreapedChild(qint64 pid)
{
    if (pid <= 1)
        return false;
    siginfo_t info = {};
    // WNOWAIT: look, leave the child for QProcess to reap. __WALL: whatever its exit signal.
    if (::waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT | __WALL) != 0)
        return false; // ECHILD: not ours, or already reaped
    return true;      // si_pid 0: still running; si_pid == pid: a zombie, id still reserved
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
