// SPDX-License-Identifier: MIT
#pragma once

#include <QProcess>
#include <QString>

namespace deskpack {

// A signal for people: "SIGSEGV (signal 11, segmentation fault)". A number
// without a name of its own reads "signal 42". Qt only: Unix signals; on
// Windows the number is returned as it is.
QString describeSignal(int signal);

// How a child ended, for messages that go on with the subject before it:
// "exited with code 3", "was killed by SIGKILL (signal 9, killed)". On Unix,
// QProcess reports a CrashExit with the terminating signal's number as its
// exit code (forkfd's si_status); that is what names the signal here.
QString describeExit(int exitCode, QProcess::ExitStatus status);

} // namespace deskpack
