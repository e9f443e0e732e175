// SPDX-License-Identifier: MIT
#include "aboutinfo.h"

#include "signing/signing.h"

#include <QDir>
#include <QFile>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {

QString kindName(sbom::Component::Kind kind)
{
    switch (kind) {
    case sbom::Component::Kind::Application:
        return u"Application"_s;
    case sbom::Component::Kind::Runtime:
        return u"Runtime"_s;
    case sbom::Component::Kind::Distribution:
        return u"Python package"_s;
    case sbom::Component::Kind::NativeLibrary:
        return u"Native library"_s;
    }
    return {};
}

QString readCapped(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return u"(cannot read %1: %2)"_s.arg(QDir::toNativeSeparators(path), file.errorString());
    const QByteArray bytes = file.read(MaxLicenceFileBytes);
    QString text = QString::fromUtf8(bytes);
    if (file.size() > MaxLicenceFileBytes)
        text += u"\n[... cut at %1 KiB of %2 KiB]\n"_s.arg(MaxLicenceFileBytes / 1024)
                    .arg(file.size() / 1024);
    return text;
}

} // namespace

SigningState signingState(const QString &publicKey)
{
    if (publicKey.trimmed().isEmpty())
        return {u"This app declares no signing key"_s, {}, false};
    Result<signing::PublicKey> key =
        signing::parsePublicKey(publicKey, u"bundle.json signing.publicKey"_s);
    if (!key)
        return {u"signing key in bundle.json is malformed"_s, {}, true};
    const QString id = key->keyIdHex();
    return {u"Updates are signed with key %1"_s.arg(id), id, false};
}

QList<LicenceRow> licenceRows(const sbom::Inventory &inventory)
{
    QList<LicenceRow> rows;
    rows.reserve(inventory.components.size());
    for (const sbom::Component &c : inventory.components) {
        const QString licence =
            c.license.expression.isEmpty() ? c.license.text : c.license.expression;
        rows.push_back({c.name, c.version, licence, kindName(c.kind), c.licenseFiles});
    }
    // By name as people read it; the inventory sorts by ref ("lib:", "pypi:").
    std::stable_sort(rows.begin(), rows.end(), [](const LicenceRow &a, const LicenceRow &b) {
        return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
    });
    return rows;
}

QString licenceText(const QString &bundleDir, const LicenceRow &row)
{
    if (row.licenseFiles.isEmpty())
        return u"No licence file is shipped with %1"_s.arg(row.name);
    const QDir root(bundleDir);
    if (row.licenseFiles.size() == 1)
        return readCapped(root.filePath(row.licenseFiles.first()));
    QStringList parts;
    for (const QString &rel : row.licenseFiles)
        parts << u"==> %1 <==\n%2"_s.arg(rel, readCapped(root.filePath(rel)));
    return parts.join(u"\n\n"_s);
}

void LicenceModel::setRows(QList<LicenceRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int LicenceModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LicenceModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

QVariant LicenceModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const LicenceRow &row = m_rows.at(index.row());
    if (role == Qt::ToolTipRole && index.column() == LicenceColumn)
        return row.licence;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case NameColumn:
        return row.name;
    case VersionColumn:
        return row.version;
    case LicenceColumn:
        return row.licence.isEmpty() ? u"unknown"_s : row.licence;
    case KindColumn:
        return row.kind;
    }
    return {};
}

QVariant LicenceModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const QStringList titles{u"Component"_s, u"Version"_s, u"Licence"_s, u"Kind"_s};
    return section >= 0 && section < titles.size() ? QVariant(titles.at(section)) : QVariant();
}

} // namespace deskpack::launcher
