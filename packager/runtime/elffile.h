// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>
#include <QStringList>

namespace deskpack::runtime {

// What the dynamic loader reads from an ELF file: its class and machine, the
// program interpreter (PT_INTERP), and the dynamic section's NEEDED, SONAME,
// RUNPATH and RPATH. Read with libelf (elfutils), never by running the file
// or the loader on it (`ldd` does), so hostile or foreign files are safe.
struct ElfInfo
{
    enum class Type
    {
        Other, // relocatable object, core file: never loaded as is
        Executable,
        SharedObject, // ET_DYN: shared libraries, extension modules, PIE executables
    };
    Type type = Type::Other;
    bool is64 = false;
    int machine = 0;     // e_machine (EM_X86_64 = 62)
    QString interpreter; // PT_INTERP, empty for libraries
    QString soname;
    QStringList needed;
    QStringList runPath; // DT_RUNPATH split on ':'
    QStringList rPath;   // DT_RPATH split on ':'

    bool isLoadable() const { return type != Type::Other; }
    // The search path the loader uses for this object's own NEEDED entries:
    // RUNPATH when present (RPATH is then ignored), else RPATH.
    QStringList searchPath() const { return runPath.isEmpty() ? rPath : runPath; }
};

// True when the file starts with the ELF magic.
bool isElfFile(const QString &path);

// Reads the file's headers and dynamic section. A file that is not ELF or is
// cut short is ErrorKind::Unreadable, naming the file.
Result<ElfInfo> readElf(const QString &path);

// The machine this program was built for (and runs the runtimes it builds).
int hostMachine();

// "x86-64 (64-bit)", "Intel 80386 (32-bit)", "AArch64 (64-bit)", "machine 4242 (32-bit)".
QString describeMachine(int machine, bool is64);

// Whether `info` can be loaded on this machine: 64-bit and of hostMachine().
bool runsOnHost(const ElfInfo &info);

} // namespace deskpack::runtime
