// SPDX-License-Identifier: MIT
#include "wizardpages.h"

#include "installerwizard.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcessEnvironment>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

namespace {

QLabel *wrappedLabel(const QString &name, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setTextFormat(Qt::RichText);
    return label;
}

QString homeRelative(const QString &path)
{
    const QString home = QDir::homePath();
    return path.startsWith(home + u'/') ? u"~"_s + path.mid(home.size()) : path;
}

} // namespace

WelcomePage::WelcomePage(InstallerWizard *wizard)
    : m_wizard(wizard)
{
    setObjectName(u"welcomePage"_s);
    const formats::InstallerHeader &h = wizard->installerFile().header();
    setTitle(u"Welcome to %1 Setup"_s.arg(h.name));
    m_text = wrappedLabel(u"welcomeText"_s, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_text);
    layout->addStretch(1);
}

void WelcomePage::initializePage()
{
    const formats::InstallerHeader &h = m_wizard->installerFile().header();
    const QString installed = currentVersion(m_wizard->defaultLayout());
    QString text = u"<p>This will install <b>%1 %2</b> on this computer.</p>"_s.arg(
        h.name.toHtmlEscaped(), h.version.toHtmlEscaped());
    if (installed.isEmpty())
        text += u"<p>It is installed for your user account only: no administrator password is "
                "needed.</p>"_s;
    else if (installed == h.version)
        text += u"<p>%1 %2 is already installed. Continuing installs it again, which repairs "
                "damaged files.</p>"_s.arg(h.name.toHtmlEscaped(), installed.toHtmlEscaped());
    else
        text += u"<p>%1 %2 is installed. Continuing upgrades it to %3; version %2 is kept so you "
                "can go back to it.</p>"_s.arg(h.name.toHtmlEscaped(), installed.toHtmlEscaped(),
                                               h.version.toHtmlEscaped());
    text += u"<p>Your settings, logs and plugins stay in <b>%1</b> and are never touched by an "
            "upgrade.</p><p>Click <b>Next</b> to continue.</p>"_s.arg(
                homeRelative(m_wizard->defaultLayout().dataDir()).toHtmlEscaped());
    m_text->setText(text);
}

int WelcomePage::nextId() const
{
    return m_wizard->page(InstallerWizard::LicencePage) ? InstallerWizard::LicencePage
                                                        : InstallerWizard::LocationPage;
}

LicencePage::LicencePage(InstallerWizard *wizard)
{
    setObjectName(u"licencePage"_s);
    setTitle(u"Licence agreement"_s);
    setSubTitle(u"Please read the licence of %1 before installing it."_s.arg(
        wizard->installerFile().header().name));
    auto *text = new QPlainTextEdit(this);
    text->setObjectName(u"licenceText"_s);
    text->setReadOnly(true);
    text->setPlainText(wizard->installerFile().header().licence);
    m_accept = new QCheckBox(u"I &accept the terms of the licence"_s, this);
    m_accept->setObjectName(u"acceptLicence"_s);
    connect(m_accept, &QCheckBox::toggled, this, &QWizardPage::completeChanged);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(text, 1);
    layout->addWidget(m_accept);
}

bool LicencePage::isComplete() const
{
    return m_accept->isChecked();
}

LocationPage::LocationPage(InstallerWizard *wizard)
    : m_wizard(wizard)
{
    setObjectName(u"locationPage"_s);
    setTitle(u"Install location"_s);
    setSubTitle(
        u"Choose the folder to install %1 into."_s.arg(wizard->installerFile().header().name));
    setCommitPage(true);
    auto *caption = new QLabel(u"&Folder:"_s, this);
    caption->setObjectName(u"locationCaption"_s);
    m_location = new QLineEdit(this);
    m_location->setObjectName(u"locationEdit"_s);
    caption->setBuddy(m_location);
    auto *browse = new QPushButton(u"&Browse..."_s, this);
    browse->setObjectName(u"browseButton"_s);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, u"Install location"_s, m_location->text());
        if (!dir.isEmpty())
            m_location->setText(dir);
    });
    m_details = wrappedLabel(u"locationDetails"_s, this);
    m_error = wrappedLabel(u"locationError"_s, this);
    m_error->setStyleSheet(u"color: #b00020;"_s);
    auto *row = new QHBoxLayout;
    row->addWidget(caption);
    row->addWidget(m_location, 1);
    row->addWidget(browse);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addSpacing(8);
    layout->addWidget(m_details);
    layout->addWidget(m_error);
    layout->addStretch(1);
}

void LocationPage::initializePage()
{
    const InstallLayout &l = m_wizard->chosenLayout();
    m_location->setText(l.root);
    m_details->setText(
        u"<p>Each version goes into its own folder under <tt>versions/</tt>; the "
        "previous one is kept so you can roll back.</p>"
        "<p>Start menu entry: <tt>%1</tt><br>Command: <tt>%2</tt><br>Your data: <tt>%3</tt> "
        "(kept when you uninstall)</p>"_s.arg(homeRelative(l.desktopEntry()).toHtmlEscaped(),
                                              homeRelative(l.binLink()).toHtmlEscaped(),
                                              homeRelative(l.dataDir()).toHtmlEscaped()));
    m_error->clear();
}

bool LocationPage::validatePage()
{
    const QString chosen = m_location->text().trimmed();
    if (chosen.isEmpty() || !QDir::isAbsolutePath(QDir::fromNativeSeparators(chosen))) {
        m_error->setText(u"Please choose a full folder path."_s);
        return false;
    }
    Result<InstallLayout> layout =
        layoutFor(m_wizard->installerFile().header().id,
                  chosen == m_wizard->defaultLayout().root ? QString() : chosen,
                  QProcessEnvironment::systemEnvironment());
    if (!layout) {
        m_error->setText(layout.error().message.toHtmlEscaped());
        return false;
    }
    m_wizard->setChosenLayout(*layout);
    return true;
}

ProgressPage::ProgressPage(InstallerWizard *wizard)
    : m_wizard(wizard)
{
    setObjectName(u"progressPage"_s);
    setTitle(u"Installing"_s);
    setSubTitle(u"Please wait while %1 is installed. Cancel leaves your computer as it was."_s.arg(
        wizard->installerFile().header().name));
    m_status = wrappedLabel(u"progressLabel"_s, this);
    m_status->setTextFormat(Qt::PlainText);
    m_bar = new QProgressBar(this);
    m_bar->setObjectName(u"progressBar"_s);
    m_bar->setRange(0, 1000);
    m_bar->setTextVisible(false);
    m_error = wrappedLabel(u"progressError"_s, this);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setStyleSheet(u"color: #b00020;"_s);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(m_bar);
    layout->addSpacing(8);
    layout->addWidget(m_error);
    layout->addStretch(1);
    connect(wizard, &InstallerWizard::installProgress, this,
            [this](double fraction, const QString &text) {
                m_bar->setValue(int(fraction * 1000));
                m_status->setText(text);
            });
    connect(wizard, &InstallerWizard::installFinished, this,
            [this](bool ok, const QString &message) {
                if (ok) {
                    m_done = true;
                    m_bar->setValue(1000);
                    Q_EMIT completeChanged();
                    m_wizard->next();
                    return;
                }
                m_status->setText(message == u"cancelled" ? u"Cancelled: nothing was changed."_s
                                                          : u"The installation failed; nothing "
                                                            "was changed."_s);
                if (message != u"cancelled")
                    m_error->setText(message);
                m_wizard->button(QWizard::CancelButton)->setText(u"&Close"_s);
            });
}

void ProgressPage::initializePage()
{
    m_done = false;
    m_error->clear();
    m_bar->setValue(0);
    m_status->setText(u"Starting..."_s);
    m_wizard->startInstall();
}

bool ProgressPage::isComplete() const
{
    return m_done;
}

FinishPage::FinishPage(InstallerWizard *wizard)
    : m_wizard(wizard)
{
    setObjectName(u"finishPage"_s);
    setTitle(u"Installation complete"_s);
    setFinalPage(true);
    m_text = wrappedLabel(u"finishText"_s, this);
    m_launch = new QCheckBox(u"&Launch %1 now"_s.arg(wizard->installerFile().header().name), this);
    m_launch->setObjectName(u"launchCheck"_s);
    m_launch->setChecked(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_text);
    layout->addSpacing(8);
    layout->addWidget(m_launch);
    layout->addStretch(1);
}

void FinishPage::initializePage()
{
    const formats::InstallerHeader &h = m_wizard->installerFile().header();
    const InstallReport &r = m_wizard->report();
    QString text = u"<p><b>%1 %2</b> is installed.</p>"_s.arg(h.name.toHtmlEscaped(),
                                                              h.version.toHtmlEscaped());
    if (!r.previousVersion.isEmpty() && r.previousVersion != h.version)
        text += u"<p>Version %1 is kept: to go back to it, run this installer with "
                "<tt>--rollback</tt>.</p>"_s.arg(r.previousVersion.toHtmlEscaped());
    text += u"<p>Find it in your applications menu, or start it from a terminal with:<br>"
            "<tt>%1</tt></p><p>Installed in:<br><tt>%2</tt></p>"_s.arg(
                homeRelative(r.launcherLink).toHtmlEscaped(),
                homeRelative(r.versionDir).toHtmlEscaped());
    m_text->setText(text);
}

bool FinishPage::launchRequested() const
{
    return m_launch->isChecked();
}

} // namespace deskpack::installer
