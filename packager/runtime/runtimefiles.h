// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>
#include <QStringList>

namespace deskpack::runtime {

// File operations of runtime assembly, shared by the host copy and its tests.

QString errnoText();

// "_ssl.cpython-311-x86_64-linux-gnu.so" -> "_ssl"; "tkinter" -> "tkinter".
QString moduleNameOf(const QString &fileName);

// True when the stdlib entry or extension module `name` belongs to an
// excluded module X (named X or _X).
bool isExcludedName(const QString &name, const QStringList &excluded);

// Copies a file (content and mode), leaving the copy writable by its owner:
// patchelf edits copies, and the tree must stay deletable.
Result<void> copyFile(const QString &from, const QString &to);

Result<void> makeSymlink(const QString &target, const QString &link);

// Copies a host stdlib into `destination` without what a runtime must not
// carry: site-/dist-packages, lib-dynload (copied separately), __pycache__,
// config-X.Y-*, EXTERNALLY-MANAGED, sitecustomize/usercustomize, and the
// excluded modules. Symlinks that stay inside the stdlib are kept; one that
// leaves it is replaced by the file it points to, or left out if it is not a
// file, so the runtime never points back at the host.
Result<void> copyStdlib(const QString &source, const QString &destination,
                        const QStringList &excludedModules);

} // namespace deskpack::runtime
