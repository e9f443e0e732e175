// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>
#include <QStringList>

namespace deskpack::bundle {

// What the relocatability audit looks for in a bundle being built.
struct RelocationInput
{
    QString bundleRoot;       // the tree being audited (staging)
    QString interpreter;      // relative to bundleRoot: runtime/bin/python3.X
    QString coreSitePackages; // relative to bundleRoot
    QStringList buildPaths;   // absolute paths that must not remain anywhere
    QStringList hostPaths;    // absolute host paths: reported, not fatal
};

struct RelocationReport
{
    QStringList rewritten; // "path: what was rewritten"
    QStringList reported;  // "path: mentions /usr/lib/python3.11" (host paths, harmless)
    QStringList errors;    // "path: contains build path X"
};

// Makes the bundle independent of where it was built:
//  - every script whose shebang names an absolute interpreter gets a /bin/sh
//    trampoline that runs the bundled interpreter by a path relative to the
//    script (and its RECORD line gets the new hash and size);
//  - absolute paths under the core site-packages in RECORD and .pth files are
//    made relative;
//  - any other file still containing a build path is an error naming it;
//  - every ELF file is audited (runtime::auditElfTree): an absolute RUNPATH or
//    RPATH, a library found only outside the bundle and the base system, or
//    an ELF for another machine is an error naming the file;
//  - text files naming host paths (sysconfigdata, Makefile) are reported.
Result<RelocationReport> makeRelocatable(const RelocationInput &input);

// The /bin/sh + Python polyglot first lines that run `relativeInterpreter`
// (relative to the script's directory) on the script itself.
QByteArray trampoline(const QString &relativeInterpreter);

} // namespace deskpack::bundle
