// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>
#include <QStringList>

namespace deskpack::runtime {

// What an interpreter reports about itself (run with -I -B, so neither the
// caller's environment nor a bytecode write changes the answer or the tree).
struct PythonInfo
{
    QString executable;     // sys.executable
    QString version;        // "3.11.2"
    QString versionShort;   // "3.11"
    QString implementation; // "cpython"
    QString abiTag;         // "cp311" (wheel ABI tag)
    QString platformTag;    // "linux_x86_64" (wheel platform tag)
    QString soabi;          // "cpython-311-x86_64-linux-gnu"
    QString prefix;         // sys.prefix
    QString basePrefix;     // sys.base_prefix
    QString stdlib;         // sysconfig stdlib path
    QString dynload;        // the lib-dynload entry of sys.path (empty if none)
    QString purelib;        // sysconfig's default install location
    QStringList sysPath;
};

// Runs `interpreter` through deskpack::runner and parses its answer. A missing
// or failing interpreter is ErrorKind::Environment.
Result<PythonInfo> probePython(const QString &interpreter);

// Imports each module in `interpreter`; returns module -> error for those that fail.
Result<QList<QPair<QString, QString>>> failingImports(const QString &interpreter,
                                                      const QStringList &modules);

} // namespace deskpack::runtime
