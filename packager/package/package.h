// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace deskpack::package {

enum class PackageFormat
{
    Zip,
    TarGz,
    TarZst,
    Deb,
    Installer,
};

std::optional<PackageFormat> parsePackageFormat(const QString &name); // "zip", "tar.gz", ...
QString packageFormatName(PackageFormat format);

struct PackageOptions
{
    QString bundleDir;
    PackageFormat format = PackageFormat::TarGz;
    QString outDir;            // default: the directory holding the bundle
    int compressionLevel = -1; // -1: the format's default (deb: xz -6, as dpkg-deb)
    // deb control fields; empty: from bundle.json ("maintainer", "description"), then defaults.
    QString maintainer;
    QString description;
    // deb: the Depends field as given, instead of asking dpkg which packages
    // provide the libraries the bundle's ELF files need from the system.
    std::optional<QStringList> depends;
    // installer: the deskpack-installer template; empty: installerTemplatePath()'s search.
    QString installerTemplate;
};

struct PackageResult
{
    QString path; // the file written
    QString sha256;
    qint64 size = 0;
    qint64 entries = 0;
    qint64 mtime = 0;             // every entry's mtime
    bool launcher = false;        // the bundle has its launcher executable
    QStringList rootExecutables;  // ELF files at the bundle root made self-contained
    QStringList bundledLibraries; // sonames copied into lib/ (zip/tar)
    QStringList bundledPlugins;   // plugins/<dir>/<file> copied (zip/tar)
    QStringList depends;          // deb
    QStringList warnings;
};

// Everything `deskpack verify` checks, as one error naming every problem
// (ErrorKind::Invalid), so a damaged bundle is never packaged; except that
// an ELF file at the bundle root (the launcher) may need system libraries
// the bundle does not carry: packaging provides them (lib/ or Depends).
Result<void> verifyBundle(const QString &bundleDir);

// The entries' mtime: SOURCE_DATE_EPOCH, else the mtime of the bundle's
// bundle.json (written last by `deskpack build`).
qint64 packageMtime(const QString &bundleDir);

// Verifies the bundle, then writes <out>/<id>-<version>-linux-<arch>.<ext> or
// <out>/<id>_<version>_<debarch>.deb or <out>/<id>-<version>-linux-<arch>.run
// (the installer: installerformat.h; docs/release-engineering.md). The same
// bundle gives the same bytes.
Result<PackageResult> packageBundle(const PackageOptions &options);

} // namespace deskpack::package
