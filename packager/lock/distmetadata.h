// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringList>

namespace deskpack::lock {

// The two core-metadata fields a lock needs, read from the header block of a
// METADATA or PKG-INFO file (RFC 822 style: folded continuation lines, the
// first occurrence wins, field names case-insensitive, the body after the
// first blank line ignored).
struct CoreMetadata
{
    QString name;
    QString version;
};

CoreMetadata parseCoreMetadata(QByteArrayView data);

// Lines of top_level.txt, trimmed, without blanks and "#" comments.
QStringList parseTopLevel(QByteArrayView data);

// The first field of each RECORD row (CSV, quoted fields allowed).
QStringList recordPaths(QByteArrayView data);

// Top-level importable names from installed file paths relative to
// site-packages, by DESIGN.md's rules: package directories (namespace packages
// included) and top-level .py / extension modules; *.dist-info, *.egg-info,
// *.data, __pycache__, "..", absolute paths and bin/ scripts excluded.
QStringList modulesFromInstalledPaths(const QStringList &paths);

// Paths of an egg-info's installed-files.txt, made relative to site-packages
// (they are written relative to the .egg-info directory).
QStringList installedFilesPaths(QByteArrayView data);

// Whether `name` is a valid Python identifier (so it can be imported).
bool isIdentifier(QStringView name);

// Module name of a top-level file (foo.py, foo.cpython-311-x86_64-linux-gnu.so,
// foo.abi3.so, foo.pyd ...); empty if the file is not a module.
QString moduleNameOfFile(QStringView fileName);

} // namespace deskpack::lock
