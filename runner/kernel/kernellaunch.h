// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "kerneltypes.h"

#include <QByteArray>
#include <QString>

namespace deskpack::runner {

// resources/runner.py as compiled into this library, with the module it loads
// (resources/deskpack_runner_io.py) embedded, so it runs with -c.
QByteArray embeddedRunnerSource();

// A kernel on `interpreter` in the environment of DESIGN.md ("the backend's
// environment"). Without `runnerScript` the embedded runner is passed with -c.
// Fails with ErrorKind::Environment when the interpreter is not executable.
Result<KernelOptions> pythonKernelOptions(const QString &interpreter,
                                          const QString &runnerScript = {});

// A kernel exactly as a bundle's backend sees Python: the bundle's interpreter
// and runner.py, the app directory first on sys.path and as working directory,
// the lock path variables (only when the lock exists; a value already set
// wins), the plugin site-packages last, DESKPACK_DATA_DIR/BUNDLE_DIR and the
// manifest's extra environment. `dataDir` empty: the platform default for the
// app id. Fails with Unreadable (no manifest) or Environment (no interpreter).
Result<KernelOptions> bundleKernelOptions(const QString &bundleDir, const QString &dataDir = {});

} // namespace deskpack::runner
