// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "formats/runtimeorigin.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace deskpack::sbom {

// What a component's licence is, as far as the files say. `expression` is a
// valid SPDX licence expression ("MIT", "Apache-2.0 OR BSD-3-Clause") when
// License-Expression is present or the License field / classifiers map to one;
// otherwise it is empty and `text` holds what the distribution wrote (its
// License field, or the classifiers joined with "; "). Both empty: unknown.
struct License
{
    QString expression;
    QString text;
    QString source; // "License-Expression", "License", "classifier", or empty

    bool isEmpty() const { return expression.isEmpty() && text.isEmpty(); }
    bool operator==(const License &) const = default;
};

// Where a component's version came from, so a reader can judge it.
enum class VersionSource
{
    Metadata,    // a METADATA Version: field, the lock or bundle.json
    FileContent, // a version string inside the file ("OpenSSL 3.0.15 3 Sep 2024")
    Soname,      // the SONAME / file name ("libffi.so.8.1.2" -> 8.1.2)
    Unknown,
};
QString versionSourceName(VersionSource source); // "metadata", "file-content", "soname", "unknown"

// One third-party component of a bundle: a Python distribution of the core
// site-packages, the Python runtime, a native library, or the launcher.
struct Component
{
    enum class Kind
    {
        Application, // the launcher executable
        Runtime,     // the Python interpreter (CycloneDX type "framework")
        Distribution,
        NativeLibrary,
    };
    Kind kind = Kind::Distribution;
    QString ref;  // stable id, unique in the inventory: "pypi:<canonical name>", "lib:<path>", ...
    QString name; // as written (METADATA Name:, "python", "OpenSSL", the SONAME, ...)
    QString version;
    VersionSource versionSource = VersionSource::Unknown;
    QString purl; // pkg:pypi/<PEP 503 name>@<version> for distributions, else empty
    License license;
    // Paths relative to the bundle root, sorted: licence/notice texts a UI can show
    // (PEP 639 License-File entries, dist-info/licenses/*, LICENSE*, COPYING*, NOTICE*).
    QStringList licenseFiles;
    // Paths relative to the bundle root of the component's own files: the
    // dist-info directory, the library or executable file.
    QString path;
    QString sha256; // of `path` for a file; for a distribution, see recordSha256
    // Distribution only: SHA-256 (hex) of its RECORD file's bytes as installed
    // (the RECORD lists every installed file with its own hash, so this one digest
    // pins them all); empty when the dist-info has no RECORD.
    QString recordSha256;
    QString summary; // METADATA Summary:, may be empty
    // Sorted extra facts (name, value), e.g. ("deskpack:version-source", "file-content"),
    // ("deskpack:python-origin", "debian"). The writers copy them to properties/comments.
    QList<QPair<QString, QString>> properties;

    bool operator==(const Component &) const = default;
};

using RuntimeOrigin = formats::RuntimeOrigin; // bundle.json "runtimeOrigin"

// Everything an SBOM says about one bundle. Components are sorted by ref;
// dependencies by (from, to). Deterministic for a given bundle.
struct Inventory
{
    // The app itself (bundle.json id, name, version): the SBOM's subject.
    QString appId;
    QString appName;
    QString appVersion;
    QString deskpackVersion;     // the deskpack that reads the bundle (the SBOM's tool)
    RuntimeOrigin runtimeOrigin; // empty kind: the bundle does not say
    QList<Component> components;
    // (from, to) by ref: the Requires-Dist edges between distributions the
    // bundle holds (a requirement whose marker mentions `extra` is optional and
    // dropped; other markers are not evaluated: pip installed the target), the
    // runtime -> each native library under runtime/, and the launcher -> the
    // Qt it runs on.
    QList<QPair<QString, QString>> dependencies;
    QStringList warnings; // things read with a fallback (a dist-info without RECORD, ...)

    const Component *find(const QString &ref) const;
};

// Reads a built bundle: bundle.json (formats::readManifest), its lock, every
// core distribution's dist-info, the Python runtime, every ELF shared library
// under runtime/ and lib/ with its version, and the launcher. Errors
// (ErrorKind::Unreadable, naming the file): bundle.json or the lock missing or
// malformed, a locked distribution without a dist-info. A dist-info without
// RECORD or with an unparsable METADATA line is read with a warning instead.
Result<Inventory> collectInventory(const QString &bundleDir);

} // namespace deskpack::sbom
