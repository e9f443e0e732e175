// SPDX-License-Identifier: MIT
#pragma once

// The installer file format (docs/release-engineering.md, "The installer
// format"), shared by the writer (`deskpack package --format installer`) and
// the reader (installer/). It depends on base only, so the installer links it
// without the rest of the packager.
//
//   [deskpack-installer executable][payload: tar.zst of the bundle][header: JSON][trailer]
//
// The trailer is the file's last TrailerSize bytes; every offset in it is
// checked against the file's size before anything is read.
#include "base/result.h"

#include <QByteArray>
#include <QString>

class QFile;

namespace deskpack::formats {

struct InstallerHeader
{
    static constexpr int SchemaVersion = 1;
    QString id;
    QString name;
    QString version;
    QString licence;  // the app's licence text, empty when it has none
    QByteArray icon;  // the icon file's bytes, empty when none
    QString iconName; // its file name in the bundle (resources/x.png -> x.png)
    QString launcher; // the launcher's path in the bundle (the app id)
    QString payloadFormat = QStringLiteral("tar.zst");
};

struct InstallerTrailer
{
    static constexpr int Size = 120;
    static constexpr const char Magic[17] = "DESKPACK-INSTALL";
    static constexpr quint32 FormatVersion = 1;
    qint64 payloadOffset = 0;
    qint64 payloadSize = 0;
    qint64 headerOffset = 0;
    qint64 headerSize = 0;
    QByteArray payloadSha256; // 32 raw bytes
    QByteArray headerSha256;  // 32 raw bytes
};

// Deterministic bytes: sorted keys, 2-space indent, icon as base64.
QByteArray serializeInstallerHeader(const InstallerHeader &header);
// Never throws; problems name `fileName` and the JSON path (ErrorKind::Unreadable).
Result<InstallerHeader> parseInstallerHeader(QByteArrayView data, const QString &fileName);

QByteArray serializeInstallerTrailer(const InstallerTrailer &trailer);
// Reads and checks the trailer of an open file: magic, version, and that the
// payload, header and trailer tile the file's end exactly. A file without one
// (the bare template, a truncated download) is ErrorKind::Unreadable.
Result<InstallerTrailer> readInstallerTrailer(QFile &file);

// The trailer, then the header (checked against its SHA-256) of `file`.
struct InstallerContents
{
    InstallerTrailer trailer;
    InstallerHeader header;
};
Result<InstallerContents> readInstallerContents(QFile &file);

} // namespace deskpack::formats
