// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QMap>
#include <QString>
#include <QStringList>

namespace deskpack::runtime {

// The shared libraries of a set of ELF files, as the host's dynamic loader
// resolves them (`ldd`, so the whole dependency closure with the host's search
// order), minus the base system: glibc and the libraries the manylinux2014
// policy lets wheels assume (libgcc_s, libstdc++, libX11, libGL, glib, ...).
struct LibraryClosure
{
    QMap<QString, QString> libraries;        // soname -> resolved host path
    QMap<QString, QStringList> dependencies; // ELF file -> sonames it needs beyond the base
    QMap<QString, QStringList> missing;      // ELF file -> sonames the host cannot resolve
};

// True for sonames every target system provides (see LibraryClosure).
bool isBaseSystemLibrary(const QString &soname);

Result<LibraryClosure> resolveLibraries(const QStringList &elfFiles);

// True when the file starts with the ELF magic.
bool isElfFile(const QString &path);

// Sets DT_RUNPATH of every file to `runPath` (one patchelf run). A missing
// patchelf is ErrorKind::Environment and says which Debian package has it.
Result<void> setRunPath(const QStringList &files, const QString &runPath);

} // namespace deskpack::runtime
