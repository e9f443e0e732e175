// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "pythonprocess.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace deskpack::runner {

// The environment pip runs in: sanitizedPythonEnvironment(), every PIP_*
// variable dropped and PIP_CONFIG_FILE pointed at the null device, so a build
// machine's index, find-links or config (CI images set PIP_FIND_LINKS) cannot
// leak into what gets installed.
QProcessEnvironment
pipEnvironment(const QProcessEnvironment &base = QProcessEnvironment::systemEnvironment());

// One pip run. pip comes from `pipWheel` (run as `python -I WHEEL/pip`) when
// set, else from the interpreter (`python -I -m pip`). Options that keep pip
// offline-safe and quiet (--isolated, --disable-pip-version-check, --no-input,
// --progress-bar off) are added before `arguments`. Which pip fits which
// interpreter is build-machine policy, decided by the packager
// (packager/bundle/pipselection.h); the runner only runs the pip it is given.
struct PipCommand
{
    QString interpreter;
    QString pipWheel;
    QStringList arguments; // e.g. {"install", "--no-index", ...}
    QString logFile;       // pip's output is appended here when set
    int timeoutMs = 15 * 60 * 1000;
};

// Runs pip. A non-zero exit fails with ErrorKind::Environment and a message
// made of pip's own ERROR lines (which name the requirement).
Result<PythonOutput> runPip(const PipCommand &command);

// pip's "ERROR: ..." lines from its stderr, or its last lines when there are none.
QString pipFailureSummary(const QByteArray &standardError);

} // namespace deskpack::runner
