// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

namespace deskpack::runner {

// Sends `signal` to every process in the group whose leader is `leader` (a
// kernel started in its own session). Refuses ids that would address the
// caller's own group or every process (0, 1, negatives). Returns false when
// refused or when no such group exists any more.
bool signalProcessGroup(qint64 leader, int signal);

// Whether `pid` is a child of this process that has not been reaped yet (running,
// or a zombie): only then is its id certainly still its own, and the group it
// leads still the one it started. Does not reap.
bool isUnreapedChild(qint64 pid);

// Whether any process still belongs to the group `leader` led.
bool processGroupExists(qint64 leader);

// For QProcess::setChildProcessModifier: runs in the forked child before exec.
// Starts a new session (so the kernel and everything it spawns form one group
// the host can signal) and restores default signal dispositions and mask that
// the host may have changed. Async-signal-safe.
void prepareKernelChild();

} // namespace deskpack::runner
