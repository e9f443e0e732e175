// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "runtime/pythoninfo.h"

#include <QString>
#include <QStringList>

namespace deskpack::runtime {

struct HostRuntimeOptions
{
    // Top-level stdlib modules to leave out ("tkinter", "test", "idlelib").
    // Excluding X also drops the extension modules X and _X from lib-dynload,
    // so the shared libraries only they need are not copied either.
    QStringList excludedModules;
};

struct HostRuntime
{
    QString root;                 // the runtime directory (python-build-standalone's "python/")
    QString interpreter;          // root/bin/pythonX.Y
    PythonInfo info;              // as the copy reports itself
    QStringList bundledLibraries; // sonames copied into root/lib
    bool siteCustomized = false;  // a sitecustomize.py had to add the core site-packages
};

// Checks the file named as a host interpreter before anything is run or
// copied: it exists, is an executable ELF binary (not a script such as a pyenv
// shim, not a text file) and is not a virtual environment's interpreter (a
// venv's bin/python is a link into another prefix, not a relocatable one; it
// is recognised by the pyvenv.cfg beside or above it). Each refusal names the
// file; a missing file is ErrorKind::Environment (exit 3, as a missing
// interpreter is in DESIGN.md), the rest ErrorKind::Usage (exit 2).
// copyHostRuntime() runs it first.
Result<void> checkHostInterpreterFile(const QString &path);

// Copies a host interpreter into `destination` as a relocatable runtime in
// python-build-standalone's install_only layout:
//   bin/pythonX.Y, bin/python3 -> pythonX.Y
//   lib/pythonX.Y/...            the stdlib, without site-/dist-packages,
//                                __pycache__, config-*, EXTERNALLY-MANAGED
//   lib/pythonX.Y/lib-dynload/   extension modules, RUNPATH $ORIGIN/../..
//   lib/pythonX.Y/site-packages/ the (empty) core site-packages
//   lib/*.so.*                   shared libraries beyond the base system,
//                                RUNPATH $ORIGIN; the binary gets $ORIGIN/../lib
// The copy is then run (through deskpack::runner) to prove it works from its
// own prefix: sys.prefix is the copy, no sys.path entry points back at the
// host, the core site-packages is on sys.path (Debian's patched `site` only
// knows dist-packages, so a sitecustomize.py adds it, see docs/runtime.md),
// and every extension module that imports on the host imports in the copy.
// Built in a staging directory beside `destination` and renamed into place,
// so a failure leaves nothing behind. `destination` must not exist or be empty.
Result<HostRuntime> copyHostRuntime(const QString &hostInterpreter, const QString &destination,
                                    const HostRuntimeOptions &options = {});

// The interpreter inside a runtime directory (bin/pythonX.Y, else bin/python3).
Result<QString> findInterpreter(const QString &runtimeRoot);

} // namespace deskpack::runtime
