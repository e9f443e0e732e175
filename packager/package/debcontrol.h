// SPDX-License-Identifier: MIT
#pragma once

// The control side of a .deb and its ar container; debpackage.cpp builds the
// data side. Not installed.

#include "archive/archivewriter.h"
#include "base/result.h"
#include "package/package.h"
#include "formats/bundlemanifest.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace deskpack::package::deb {

// One line: control fields cannot hold newlines unescaped.
QString controlText(const QString &value);

// What the control file says beyond the manifest.
struct ControlFields
{
    QString maintainer;
    QString description; // empty: a generated one
    QStringList depends;
};

// The .deb's bytes: debian-binary, control.tar.xz (control, md5sums, postrm)
// and data.tar.xz (`data` in archive order), in an ar container. The tars are
// written in a work directory beside `debPath`; `dataEntries` gets the count
// of data.tar's entries.
Result<QByteArray> debArchive(const formats::BundleManifest &manifest, const ControlFields &fields,
                              QList<archive::ArchiveEntry> data, const PackageOptions &options,
                              qint64 mtime, const QString &debPath, qint64 *dataEntries);

} // namespace deskpack::package::deb
