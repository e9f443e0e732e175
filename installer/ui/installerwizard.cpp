// SPDX-License-Identifier: MIT
#include "installerwizard.h"

#include "wizardpages.h"

#include <QAbstractButton>
#include <QPixmap>
#include <QProcess>
#include <QThread>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

InstallerWizard::InstallerWizard(InstallerFile file, InstallLayout defaultLayout, QWidget *parent)
    : QWizard(parent)
    , m_file(std::move(file))
    , m_defaultLayout(std::move(defaultLayout))
    , m_chosen(m_defaultLayout)
{
    setObjectName(u"installerWizard"_s);
    const package::InstallerHeader &header = m_file.header();
    setWindowTitle(u"%1 %2 Setup"_s.arg(header.name, header.version));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setOption(QWizard::NoBackButtonOnLastPage);
    QPixmap logo;
    if (!header.icon.isEmpty() && logo.loadFromData(header.icon))
        setPixmap(QWizard::LogoPixmap,
                  logo.scaled(48, 48, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    setPage(WelcomePage, new installer::WelcomePage(this));
    if (!header.licence.isEmpty())
        setPage(LicencePage, new installer::LicencePage(this));
    setPage(LocationPage, new installer::LocationPage(this));
    setPage(ProgressPage, new installer::ProgressPage(this));
    setPage(FinishPage, new installer::FinishPage(this));
    setStartId(WelcomePage);
    button(QWizard::BackButton)->setObjectName(u"backButton"_s);
    button(QWizard::NextButton)->setObjectName(u"nextButton"_s);
    button(QWizard::CommitButton)->setObjectName(u"installButton"_s);
    button(QWizard::FinishButton)->setObjectName(u"finishButton"_s);
    button(QWizard::CancelButton)->setObjectName(u"cancelButton"_s);
    setButtonText(QWizard::CommitButton, u"&Install"_s);
    resize(640, 460);
}

InstallerWizard::~InstallerWizard()
{
    if (m_worker) {
        m_cancel = true;
        m_worker->wait();
    }
}

void InstallerWizard::startInstall()
{
    if (m_worker)
        return;
    m_cancel = false;
    const InstallLayout layout = m_chosen;
    m_worker = QThread::create([this, layout] {
        InstallOptions options;
        options.cancel = &m_cancel;
        options.progress = [this](const InstallProgress &p) {
            Q_EMIT installProgress(p.fraction, p.text);
        };
        Result<InstallReport> r = install(m_file, layout, options);
        if (r) {
            m_report = *r;
            m_exitCode = ExitOk;
            Q_EMIT installFinished(true, {});
        } else {
            m_exitCode = exitCodeFor(r.error().kind);
            Q_EMIT installFinished(false, r.error().message);
        }
    });
    m_worker->setObjectName(u"installWorker"_s);
    connect(m_worker, &QThread::finished, this, [this] {
        m_worker->wait();
        delete m_worker;
        m_worker = nullptr;
        if (m_pendingResult >= 0)
            QWizard::done(m_pendingResult);
    });
    m_worker->start();
}

void InstallerWizard::done(int result)
{
    if (m_worker) {
        // Cancel while installing: the worker rolls back, then the window closes.
        m_cancel = true;
        m_pendingResult = result;
        button(QWizard::CancelButton)->setEnabled(false);
        button(QWizard::CancelButton)->setText(u"Cancelling..."_s);
        return;
    }
    if (result == QDialog::Accepted && m_exitCode == ExitOk) {
        if (auto *finish = qobject_cast<installer::FinishPage *>(page(FinishPage));
            finish && finish->launchRequested() && !m_report.launcherLink.isEmpty())
            QProcess::startDetached(m_report.launcherLink, {});
    }
    QWizard::done(result);
}

} // namespace deskpack::installer
