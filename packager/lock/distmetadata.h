// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringList>

namespace deskpack::lock {

// One header line of a METADATA or PKG-INFO file, with the continuation
// lines folded under it.
struct MetadataField
{
    QString name;          // as written, blanks around it trimmed
    QString value;         // the rest of the line, leading blanks dropped
    QStringList continued; // the continuation lines as written (leading blank kept)
    // False when the name holds a space ("Na me: x", "Name : x"): readers
    // that only want real field names skip it (it is in `malformed` too).
    bool wellFormed = true;
    qsizetype line = 0; // 1-based
};

// The header block of METADATA / PKG-INFO (RFC 822 style): a UTF-8 BOM
// skipped, CRLF or LF, continuation lines starting with a space or tab, the
// block ending at the first empty or blank line (the body, the long
// description, after it is not read). Lines with no "Field:" (which end the
// field before them) and fields whose name holds a space are listed in
// `malformed` ("line N: ..."), in file order.
struct MetadataHeaders
{
    QList<MetadataField> fields; // in file order
    QStringList malformed;
};

MetadataHeaders parseMetadataHeaders(QByteArrayView data);

// The two core-metadata fields a lock needs, from parseMetadataHeaders()
// (the first occurrence wins, field names case-insensitive, continuation
// lines appended as written, the whole value trimmed).
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
// site-packages, by DESIGN.md's rules: directories holding a file Python can
// import (packages and namespace portions) and top-level .py / .pyc /
// extension modules; *.dist-info, *.egg-info, *.data, __pycache__, "..",
// absolute paths and bin/ scripts excluded. Names need not be identifiers
// (mypyc's "81d243bd2c585b0f4821__mypyc"); a "foo-stubs" directory of .pyi
// files holds nothing importable and is not a module.
QStringList modulesFromInstalledPaths(const QStringList &paths);

// Paths of an egg-info's installed-files.txt, made relative to site-packages
// (they are written relative to the .egg-info directory).
QStringList installedFilesPaths(QByteArrayView data);

// Whether `name` is a valid Python identifier (usable in an import statement).
bool isIdentifier(QStringView name);

// Whether `name` can name a top-level module: what importlib.import_module()
// looks up as one entry of a sys.path directory, so no ".", "/" or backslash, and
// recordable in a lock, so no whitespace. It need not be an identifier.
bool isTopLevelModuleName(QStringView name);

// Module name of a top-level file by importlib.machinery.all_suffixes():
// foo.py, foo.pyc (sourceless), foo.cpython-311-x86_64-linux-gnu.so, foo.abi3.so,
// foo.so, and other platforms' foo.cp311-win_amd64.pyd, foo.pyd, foo.pyw;
// empty if the file is not a top-level module ("foo.bar.py", "x.pth", "y.pyi").
QString moduleNameOfFile(QStringView fileName);

} // namespace deskpack::lock
