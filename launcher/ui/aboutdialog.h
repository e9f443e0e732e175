// SPDX-License-Identifier: MIT
#pragma once

#include "launcher/core/aboutinfo.h"

#include <QDialog>
#include <QIcon>

#include <memory>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QThread;

namespace deskpack::launcher {

struct AboutFacts
{
    QString appName;
    QString appVersion;
    QString pythonVersion;    // empty until the runtime was inspected: "unknown"
    QString signingPublicKey; // bundle.json signing.publicKey, may be empty
    QString bundleDir;        // the inventory's source; empty: no licences to show
    QIcon icon;
};

// "About <App>": icon, name, version, "Built with Deskpack <v>", Python, the
// signing state; a "Third-party licences" tab with every component of the
// bundle (sbom::collectInventory, read on a worker thread the first time the
// tab is shown) in a sortable,
// filterable table and the selected one's licence files below it.
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(AboutFacts facts, QWidget *parent = nullptr);
    ~AboutDialog() override;

    // For tests and screenshots: the inventory has been read (or failed).
    bool inventoryLoaded() const { return m_loaded; }
    // Switches to the licences tab (which starts reading the inventory).
    void showLicences();

Q_SIGNALS:
    void inventoryReady();

private:
    QWidget *buildAboutTab();
    QWidget *buildLicencesTab();
    void startInventory();
    void onInventory(const Result<sbom::Inventory> &inventory);
    void onSelectionChanged();

    AboutFacts m_facts;
    QTabWidget *m_tabs;
    QLabel *m_licencesStatus;
    QLineEdit *m_filter;
    QTableView *m_table;
    QPlainTextEdit *m_text;
    LicenceModel *m_model;
    QSortFilterProxyModel *m_proxy;
    std::unique_ptr<QThread> m_worker;
    bool m_loaded = false;
};

} // namespace deskpack::launcher
