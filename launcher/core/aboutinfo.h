// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "sbom/inventory.h"

#include <QAbstractTableModel>
#include <QList>
#include <QString>
#include <QStringList>

namespace deskpack::launcher {

// What the About dialog says about updates: "Updates are signed with key
// <KEYID>" for a bundle.json signing.publicKey that parses, "signing key in
// bundle.json is malformed" for one that does not, else "This app declares no
// signing key". `malformed` lets the dialog colour the text.
struct SigningState
{
    QString text;
    QString keyId; // minisign's upper-case hex; empty unless the key parsed
    bool malformed = false;
};
SigningState signingState(const QString &publicKey);

// One row of the "Third-party licences" table.
struct LicenceRow
{
    QString name;
    QString version;
    QString licence;          // the SPDX expression, else the text the component wrote, else empty
    QString kind;             // "Python package", "Runtime", "Native library", "Application"
    QStringList licenseFiles; // relative to the bundle root
};
QList<LicenceRow> licenceRows(const sbom::Inventory &inventory);

// Licence file texts are read when a row is selected, each capped so a
// pathological file cannot stall the window.
inline constexpr qint64 MaxLicenceFileBytes = 256 * 1024;

// The texts of `row`'s licence files under `bundleDir`, each under a
// "==> path <==" line when there are several; a file that cannot be read says
// so in place; "No licence file is shipped with <name>" when there is none.
QString licenceText(const QString &bundleDir, const LicenceRow &row);

// The rows as a sortable table: Component, Version, Licence, Kind. Qt Core
// only, so the window's proxy/filter and the tests share it.
class LicenceModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        VersionColumn,
        LicenceColumn,
        KindColumn,
        ColumnCount
    };
    using QAbstractTableModel::QAbstractTableModel;

    void setRows(QList<LicenceRow> rows);
    const QList<LicenceRow> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<LicenceRow> m_rows;
};

} // namespace deskpack::launcher
