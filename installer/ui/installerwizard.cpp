// SPDX-License-Identifier: MIT
#include "installerwizard.h"

#include "wizardpages.h"

#include <QAbstractButton>
#include <QLinearGradient>
#include <QPainter>
#include <QPixmap>
#include <QProcess>
#include <QThread>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

namespace {

// The tall band beside the welcome and finish pages: the app's icon and name
// on a calm gradient, drawn here so every app gets one without artwork.
QPixmap watermark(const QString &name, const QPixmap &icon)
{
    QPixmap band(164, 414);
    QPainter p(&band);
    p.setRenderHint(QPainter::Antialiasing);
    QLinearGradient gradient(0, 0, 0, band.height());
    gradient.setColorAt(0, QColor(0x1d, 0x4e, 0x9e));
    gradient.setColorAt(1, QColor(0x2f, 0x80, 0xd8));
    p.fillRect(band.rect(), gradient);
    const QRect iconRect(34, 56, 96, 96);
    if (!icon.isNull()) {
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(255, 255, 255, 235));
        p.drawRoundedRect(iconRect.adjusted(-10, -10, 10, 10), 22, 22);
        p.drawPixmap(iconRect,
                     icon.scaled(iconRect.size(), Qt::KeepAspectRatio, Qt::SmoothTransformation));
    } else {
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(255, 255, 255, 230));
        p.drawRoundedRect(iconRect, 20, 20);
        QFont letter = p.font();
        letter.setPixelSize(52);
        letter.setBold(true);
        p.setFont(letter);
        p.setPen(QColor(0x1d, 0x4e, 0x9e));
        p.drawText(iconRect, Qt::AlignCenter, name.left(1).toUpper());
    }
    QFont title = p.font();
    title.setPixelSize(17);
    title.setBold(true);
    p.setFont(title);
    p.setPen(Qt::white);
    p.drawText(QRect(12, 168, 140, 80), Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, name);
    return band;
}

} // namespace

QString InstallerWizard::titleFor(const formats::InstallerHeader &header)
{
    return u"%1 %2 Setup"_s.arg(header.name, header.version);
}

InstallerWizard::InstallerWizard(InstallerFile file, InstallLayout defaultLayout, QWidget *parent)
    : QWizard(parent)
    , m_file(std::move(file))
    , m_defaultLayout(std::move(defaultLayout))
    , m_chosen(m_defaultLayout)
{
    setObjectName(u"installerWizard"_s);
    const formats::InstallerHeader &header = m_file.header();
    setWindowTitle(titleFor(header));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setOption(QWizard::NoBackButtonOnLastPage);
    setOption(QWizard::NoCancelButtonOnLastPage);
    QPixmap logo;
    if (!header.icon.isEmpty() && logo.loadFromData(header.icon))
        setPixmap(QWizard::LogoPixmap,
                  logo.scaled(40, 40, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    setPage(WelcomePage, new installer::WelcomePage(this));
    if (!header.licence.isEmpty())
        setPage(LicencePage, new installer::LicencePage(this));
    setPage(LocationPage, new installer::LocationPage(this));
    setPage(ProgressPage, new installer::ProgressPage(this));
    setPage(FinishPage, new installer::FinishPage(this));
    setStartId(WelcomePage);
    // The band only beside the welcome and finish pages; the others have a header.
    const QPixmap band = watermark(header.name, logo);
    page(WelcomePage)->setPixmap(QWizard::WatermarkPixmap, band);
    page(FinishPage)->setPixmap(QWizard::WatermarkPixmap, band);
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
