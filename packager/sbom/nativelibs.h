// SPDX-License-Identifier: MIT
#pragma once

#include "formats/bundlemanifest.h"
#include "sbom/inventory.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

namespace deskpack::sbom {

// What a native library's bytes say about it.
struct LibraryIdentity
{
    QString name;    // upstream project ("OpenSSL", "zlib", "Qt"), or the file's SONAME-like name
    QString version; // empty when the file says nothing
    QString family;  // key shared by one project's libraries ("openssl", "ncurses", "qt")
    QString license; // SPDX expression upstream states for that project, or empty
};

// Identifies a shared library by its file name and reads its version from
// its own strings (a bounded scan of the bytes, no ELF parsing): OpenSSL,
// SQLite, zlib, expat, liblzma, bzip2, ncurses, readline, Berkeley DB,
// keyutils, Qt, ICU, libffi, mpdecimal... `content` may be empty (name only).
LibraryIdentity identifyLibrary(const QString &fileName, QByteArrayView content);

// "libffi.so.8.1.2" -> "8.1.2", "libdb-5.3.so" -> "5.3", "libfoo.so" -> "".
QString versionFromFileName(const QString &fileName);

// Every ELF shared library the bundle carries (regular files of `manifest`
// under runtime/ and lib/, and auditwheel's *.libs/ directories in
// site-packages), extension modules excluded: lib-dynload's belong to the
// runtime, site-packages' to their distribution. Read in parallel. A library
// whose project does not print its version gets it from a sibling of the same
// project (libssl from libcrypto, libpanelw from libtinfo), else from its
// file name; Component::versionSource says which.
QList<Component> nativeLibraries(const QString &bundleDir, const formats::BundleManifest &manifest);

// Whether the manifest path looks like a shared library to inspect.
bool isLibraryCandidate(const QString &path, const QString &coreSitePackages);

} // namespace deskpack::sbom
