// SPDX-License-Identifier: MIT
#include "base/sha256.h"
#include "sbom.h"

#include "base/fileio.h"

#include <QDateTime>
#include <QDir>
#include <QTimeZone>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::sbom {

SbomOptions sbomOptionsFromEnvironment()
{
    SbomOptions options;
    if (const qint64 epoch = sourceDateEpoch(-1); epoch >= 0)
        options.sourceDateEpoch = epoch;
    return options;
}

QString contentUuid(const QByteArray &data)
{
    QByteArray b = Sha256::hash(data).first(16);
    b[6] = char((uchar(b[6]) & 0x0f) | 0x80);
    b[8] = char((uchar(b[8]) & 0x3f) | 0x80);
    const QString hex = QString::fromLatin1(b.toHex());
    return u"%1-%2-%3-%4-%5"_s.arg(hex.mid(0, 8), hex.mid(8, 4), hex.mid(12, 4), hex.mid(16, 4),
                                   hex.mid(20, 12));
}

QString documentTime(const SbomOptions &options)
{
    const qint64 seconds = options.sourceDateEpoch.value_or(ZipEpochSeconds);
    return QDateTime::fromSecsSinceEpoch(seconds, QTimeZone::utc())
        .toString(u"yyyy-MM-dd'T'HH:mm:ss'Z'"_s);
}

Result<QStringList> writeSboms(const QString &bundleDir, const QString &outDir,
                               const QString &baseName, const SbomOptions &options)
{
    Result<Inventory> inventory = collectInventory(bundleDir);
    if (!inventory)
        return inventory.error();
    if (!QDir().mkpath(outDir))
        return makeError(ErrorKind::Environment, u"%1: cannot create the directory"_s.arg(outDir));
    const QString cdx = QDir(outDir).filePath(baseName + u".cdx.json"_s);
    const QString spdx = QDir(outDir).filePath(baseName + u".spdx.json"_s);
    if (Result<void> w = writeFileAtomically(cdx, toCycloneDx(*inventory, options)); !w)
        return w.error();
    if (Result<void> w = writeFileAtomically(spdx, toSpdx(*inventory, options)); !w)
        return w.error();
    return QStringList{cdx, spdx};
}

} // namespace deskpack::sbom
