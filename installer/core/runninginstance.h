// SPDX-License-Identifier: MIT
#pragma once

// A launcher running on the app's data directory while the installer is about
// to replace or remove its files (formats/instancechannel.h): the installer
// asks it to quit and goes on only once it has.
#include "base/result.h"

#include <QString>

namespace deskpack::installer {

struct CloseInstanceOptions
{
    int answerTimeoutMs = 120000; // a person may be deciding
    int releaseTimeoutMs = 15000; // the backend's grace period and then some
};

// When a live process holds <dataDir>/launcher.lock, sends it "quit <reason>"
// and waits for the lock to be released. Refused, no answer, or still held
// after the wait is ErrorKind::Environment "<appName> is running (pid N):
// close it and run the installer again"; nothing is changed. No launcher
// (no data directory, no lock, a lock left by a dead process) returns at once.
Result<void> closeRunningInstance(const QString &dataDir, const QString &appName,
                                  const QString &reason, const CloseInstanceOptions &options = {});

} // namespace deskpack::installer
