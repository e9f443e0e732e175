// SPDX-License-Identifier: MIT
#include "aboutdialog.h"

#include "launcher/core/launcherlogging.h"
#include "launcher/core/launcherversion.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {

QLabel *selectableLabel(const QString &text, const QString &name, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setObjectName(name);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

} // namespace

AboutDialog::AboutDialog(AboutFacts facts, QWidget *parent)
    : QDialog(parent)
    , m_facts(std::move(facts))
    , m_tabs(new QTabWidget(this))
    , m_licencesStatus(new QLabel(this))
    , m_filter(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_text(new QPlainTextEdit(this))
    , m_model(new LicenceModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    setObjectName(u"aboutDialog"_s);
    setWindowTitle(u"About %1"_s.arg(m_facts.appName));
    setWindowIcon(m_facts.icon);
    m_tabs->setObjectName(u"aboutTabs"_s);
    m_tabs->addTab(buildAboutTab(), u"About"_s);
    m_tabs->addTab(buildLicencesTab(), u"Third-party licences"_s);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(buttons);
    resize(740, 540);
    // Read the bundle only when someone looks at the licences.
    // Typing goes to the filter as soon as the list is shown.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (index != 1)
            return;
        m_filter->setFocus();
        if (!m_worker && !m_loaded)
            startInventory();
    });
}

AboutDialog::~AboutDialog()
{
    // The worker only reads the bundle; waiting keeps it from outliving us.
    if (m_worker)
        m_worker->wait();
}

void AboutDialog::showLicences()
{
    m_tabs->setCurrentIndex(1);
}

QWidget *AboutDialog::buildAboutTab()
{
    auto *page = new QWidget(this);
    auto *icon = new QLabel(page);
    icon->setObjectName(u"aboutIcon"_s);
    icon->setPixmap(m_facts.icon.pixmap(64, 64));
    auto *name = selectableLabel(m_facts.appName, u"aboutName"_s, page);
    QFont big = name->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    name->setFont(big);
    auto *version =
        selectableLabel(u"Version %1"_s.arg(m_facts.appVersion), u"aboutVersion"_s, page);
    auto *titles = new QVBoxLayout;
    titles->setSpacing(2);
    titles->addWidget(name);
    titles->addWidget(version);
    titles->addStretch(1);
    auto *header = new QHBoxLayout;
    header->setSpacing(16);
    header->addWidget(icon, 0, Qt::AlignTop);
    header->addLayout(titles, 1);

    const SigningState signing = signingState(m_facts.signingPublicKey);
    auto *signingLabel = selectableLabel(signing.text, u"aboutSigning"_s, page);
    if (signing.malformed)
        signingLabel->setStyleSheet(u"color: #b91c1c;"_s);
    const QString python = m_facts.pythonVersion.isEmpty() ? u"unknown"_s : m_facts.pythonVersion;
    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight);
    form->setHorizontalSpacing(16);
    form->setVerticalSpacing(8);
    form->addRow(u"Built with:"_s, selectableLabel(u"Deskpack %1"_s.arg(launcherVersion()),
                                                   u"aboutDeskpack"_s, page));
    form->addRow(u"Python:"_s, selectableLabel(python, u"aboutPython"_s, page));
    form->addRow(u"Updates:"_s, signingLabel);

    auto *thirdParty = new QLabel(
        u"%1 includes open-source software by others: see <a href=\"#licences\">Third-party "
        "licences</a>."_s.arg(m_facts.appName.toHtmlEscaped()),
        page);
    thirdParty->setObjectName(u"aboutThirdParty"_s);
    thirdParty->setWordWrap(true);
    connect(thirdParty, &QLabel::linkActivated, this, &AboutDialog::showLicences);

    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(20, 18, 20, 18);
    layout->setSpacing(18);
    layout->addLayout(header);
    layout->addLayout(form);
    layout->addWidget(thirdParty);
    layout->addStretch(1);
    return page;
}

QWidget *AboutDialog::buildLicencesTab()
{
    auto *page = new QWidget(this);
    m_licencesStatus->setObjectName(u"licencesStatus"_s);
    m_licencesStatus->setWordWrap(true);
    m_licencesStatus->setText(u"Reading the bundle\u2026"_s);
    m_filter->setObjectName(u"licencesFilter"_s);
    m_filter->setPlaceholderText(u"Filter by name, version, licence or kind"_s);
    m_filter->setClearButtonEnabled(true);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    m_table->setObjectName(u"licencesTable"_s);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(LicenceModel::NameColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    // One text line per row: the style's default leaves room for two.
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setSectionResizeMode(LicenceModel::LicenceColumn,
                                                      QHeaderView::Stretch);
    m_text->setObjectName(u"licenceText"_s);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setPlaceholderText(u"Select a component to read its licence."_s);
    auto *splitter = new QSplitter(Qt::Vertical, page);
    splitter->addWidget(m_table);
    splitter->addWidget(m_text);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_licencesStatus);
    layout->addWidget(m_filter);
    layout->addWidget(splitter, 1);
    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &AboutDialog::onSelectionChanged);
    return page;
}

// collectInventory reads every dist-info and ELF file of the bundle (about
// 100 ms for the demo, more for a big app): off the GUI thread, so the tab
// shows at once with "Reading the bundle..." whatever the bundle's size.
void AboutDialog::startInventory()
{
    if (m_facts.bundleDir.isEmpty()) {
        onInventory(Result<sbom::Inventory>(
            Error{ErrorKind::Unreadable, u"the launcher knows no bundle directory"_s}));
        return;
    }
    QPointer<AboutDialog> self(this);
    m_worker.reset(QThread::create([dir = m_facts.bundleDir, self] {
        QElapsedTimer timer;
        timer.start();
        Result<sbom::Inventory> inventory = sbom::collectInventory(dir);
        qCInfo(lcLauncher, "inventory of %s read in %lld ms", qPrintable(dir), timer.elapsed());
        QMetaObject::invokeMethod(
            qApp,
            [self, inventory = std::move(inventory)] {
                if (self)
                    self->onInventory(inventory);
            },
            Qt::QueuedConnection);
    }));
    m_worker->start();
}

void AboutDialog::onInventory(const Result<sbom::Inventory> &inventory)
{
    m_loaded = true;
    if (!inventory) {
        m_licencesStatus->setText(
            u"The bundle's components could not be read: %1"_s.arg(inventory.error().message));
        m_licencesStatus->setStyleSheet(u"color: #b91c1c;"_s);
        m_filter->setEnabled(false);
        Q_EMIT inventoryReady();
        return;
    }
    m_model->setRows(licenceRows(*inventory));
    m_licencesStatus->setText(
        u"%1 bundles these %2 components. Select one to read its licence."_s.arg(m_facts.appName)
            .arg(m_model->rowCount()));
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setSectionResizeMode(LicenceModel::LicenceColumn,
                                                      QHeaderView::Stretch);
    Q_EMIT inventoryReady();
}

// Read lazily: a bundle can carry hundreds of licence files.
void AboutDialog::onSelectionChanged()
{
    const QModelIndex current = m_proxy->mapToSource(m_table->currentIndex());
    if (!current.isValid()) {
        m_text->clear();
        return;
    }
    m_text->setPlainText(licenceText(m_facts.bundleDir, m_model->rows().at(current.row())));
}

} // namespace deskpack::launcher
