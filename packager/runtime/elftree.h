// SPDX-License-Identifier: MIT
#pragma once

// Internal helpers shared by the ELF audit and normalisation (not installed API).

#include <QHash>
#include <QString>
#include <QStringList>

namespace deskpack::runtime::elftree {

bool isInside(const QString &path, const QString &root);

// File name -> directories under `root` holding a file or symlink of that
// name that looks like a shared library ("*.so" or "*.so.*").
QHash<QString, QStringList> libraryIndex(const QString &root);

// "$ORIGIN" or "$ORIGIN/<dir relative to fromDir>".
QString originEntry(const QString &fromDir, const QString &dir);

// True when `dir`/`name` exists inside `root` (through symlinks that stay inside).
bool hasLibrary(const QString &dir, const QString &name, const QString &root);

} // namespace deskpack::runtime::elftree
