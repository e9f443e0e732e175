// SPDX-License-Identifier: MIT
// The installer's wizard driven by objectName on the offscreen platform:
// welcome, licence (accepting required; no page without a licence), location
// (a refused folder stays on the page), progress on a worker thread, finish,
// a real install with icon and menu entry; Cancel during the install rolls
// back. With DESKPACK_SCREENSHOT_DIR set, each page is saved there as PNG
// (docs/images; run under Xvfb with QT_QPA_PLATFORM=xcb).
#include "common/installertestutil.h"
#include "ui/installerwizard.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace deskpack::installer;
using namespace deskpack::test;
using namespace Qt::Literals::StringLiterals;

namespace {

const QByteArray Licence = "MIT License\n\nCopyright (c) 2026 Deskpack Demo authors\n\n"
                           "Permission is hereby granted, free of charge, to any person "
                           "obtaining a copy of this software and associated documentation "
                           "files (the \"Software\"), to deal in the Software without "
                           "restriction, including without limitation the rights to use, copy, "
                           "modify, merge, publish, distribute, sublicense, and/or sell copies "
                           "of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT "
                           "WARRANTY OF ANY KIND.\n";

// A 64x64 icon, so the wizard's logo and the hicolor install are exercised.
bool addIcon(const QString &bundle)
{
    QImage image(64, 64, QImage::Format_ARGB32);
    image.fill(Qt::transparent);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(QColor(0x2a, 0x6f, 0xdb));
    p.setPen(Qt::NoPen);
    p.drawRoundedRect(4, 4, 56, 56, 12, 12);
    p.setBrush(Qt::white);
    p.drawEllipse(QPoint(32, 32), 14, 14);
    p.end();
    if (!image.save(bundle + u"/resources/deskpack-demo.png"_s))
        return false;
    Result<formats::BundleManifest> manifest = formats::readManifest(bundle);
    if (!manifest)
        return false;
    manifest->icon = u"resources/deskpack-demo.png"_s;
    return writeFileAtomically(bundle + u"/bundle.json"_s, formats::serializeManifest(*manifest)) &&
           remanifest(bundle);
}

QAbstractButton *button(QWizard &w, const char *name)
{
    return w.findChild<QAbstractButton *>(QString::fromLatin1(name));
}

} // namespace

class TestInstallerWizard : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_work;
    QString m_withLicence;
    QString m_plain;
    QString m_home;
    QString m_shots;

    std::unique_ptr<InstallerWizard> makeWizard(const QString &installer)
    {
        Result<InstallerFile> file = InstallerFile::open(installer);
        if (!file)
            return nullptr;
        Result<InstallLayout> layout =
            layoutFor(file->header().id, {}, QProcessEnvironment::systemEnvironment());
        if (!layout)
            return nullptr;
        auto w = std::make_unique<InstallerWizard>(*file, *layout);
        w->show();
        return w;
    }

    void shoot(QWizard &w, const QString &name)
    {
        QApplication::processEvents();
        const QImage image = w.grab().toImage();
        QVERIFY(!image.isNull() && image.width() >= 500 && image.height() >= 350);
        if (!m_shots.isEmpty())
            QVERIFY(image.save(m_shots + u"/installer-"_s + name + u".png"_s));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        m_home = m_work.filePath(u"home"_s);
        QVERIFY(QDir().mkpath(m_home));
        qputenv("HOME", QFile::encodeName(m_home));
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_home + u"/.local/share"_s));
        m_shots = qEnvironmentVariable("DESKPACK_SCREENSHOT_DIR");
        QString error;
        const QString demo = buildDemoBundle(m_work.filePath(u"demo"_s), &error);
        QVERIFY2(!demo.isEmpty(), qPrintable(error));
        const QString licensed =
            bundleAtVersion(demo, m_work.filePath(u"licensed"_s), u"1.1.0"_s, Licence);
        QVERIFY(!licensed.isEmpty());
        QVERIFY(addIcon(licensed));
        m_withLicence = packageInstaller(licensed, m_work.filePath(u"pkg1"_s), &error);
        QVERIFY2(!m_withLicence.isEmpty(), qPrintable(error));
        m_plain = packageInstaller(demo, m_work.filePath(u"pkg2"_s), &error);
        QVERIFY2(!m_plain.isEmpty(), qPrintable(error));
    }

    // Each test a home of its own: none sees what an earlier one installed.
    void init()
    {
        static int n = 0;
        m_home = m_work.filePath(u"home%1"_s.arg(++n));
        QVERIFY(QDir().mkpath(m_home));
        qputenv("HOME", QFile::encodeName(m_home));
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_home + u"/.local/share"_s));
    }

    void installThroughEveryPage()
    {
        auto w = makeWizard(m_withLicence);
        QVERIFY(w);
        QCOMPARE(w->currentPage()->objectName(), u"welcomePage"_s);
        QVERIFY(w->findChild<QLabel *>(u"welcomeText"_s)->text().contains(u"for your user"_s));
        shoot(*w, u"1-welcome"_s);

        button(*w, "nextButton")->click();
        QCOMPARE(w->currentPage()->objectName(), u"licencePage"_s);
        QVERIFY(w->findChild<QPlainTextEdit *>(u"licenceText"_s)
                    ->toPlainText()
                    .startsWith(u"MIT License"_s));
        QVERIFY2(!button(*w, "nextButton")->isEnabled(), "Next before accepting the licence");
        w->findChild<QCheckBox *>(u"acceptLicence"_s)->setChecked(true);
        QVERIFY(button(*w, "nextButton")->isEnabled());
        shoot(*w, u"2-licence"_s);

        button(*w, "nextButton")->click();
        QCOMPARE(w->currentPage()->objectName(), u"locationPage"_s);
        auto *location = w->findChild<QLineEdit *>(u"locationEdit"_s);
        QCOMPARE(location->text(), m_home + u"/.local/opt/deskpack-demo"_s);
        QVERIFY(w->findChild<QAbstractButton *>(u"browseButton"_s));
        shoot(*w, u"3-location"_s);

        // A folder the installer must refuse keeps the page, with the reason.
        location->setText(m_home);
        button(*w, "installButton")->click();
        QCOMPARE(w->currentPage()->objectName(), u"locationPage"_s);
        QVERIFY(!w->findChild<QLabel *>(u"locationError"_s)->text().isEmpty());

        const QString prefix = m_home + u"/Apps/deskpack-demo"_s;
        location->setText(prefix);
        button(*w, "installButton")->click();
        QCOMPARE(w->currentPage()->objectName(), u"progressPage"_s);
        auto *bar = w->findChild<QProgressBar *>(u"progressBar"_s);
        QVERIFY(bar);
        // The progress page as users see it mid-way (the bar has moved).
        bool shot = false;
        connect(w.get(), &InstallerWizard::installProgress, this, [&](double fraction) {
            if (!shot && fraction >= 0.3) {
                shot = true;
                shoot(*w, u"4-progress"_s);
            }
        });
        QTRY_COMPARE_WITH_TIMEOUT(w->currentPage()->objectName(), u"finishPage"_s, 120000);
        QCOMPARE(w->exitCode(), 0);
        QVERIFY(shot);
        QCOMPARE(bar->value(), bar->maximum());
        auto *launch = w->findChild<QCheckBox *>(u"launchCheck"_s);
        QVERIFY(launch->isChecked());
        QVERIFY(w->findChild<QLabel *>(u"finishText"_s)->text().contains(u"1.1.0"_s));
        shoot(*w, u"5-finish"_s);
        launch->setChecked(false);
        button(*w, "finishButton")->click();
        QTRY_VERIFY(!w->isVisible());

        QCOMPARE(readLinkTarget(prefix + u"/current"_s), u"versions/1.1.0"_s);
        QVERIFY(QFileInfo(prefix + u"/current/app/LICENSE"_s).isFile());
        QCOMPARE(readLinkTarget(m_home + u"/.local/bin/deskpack-demo"_s),
                 prefix + u"/current/deskpack-demo"_s);
        const QString icon = m_home + u"/.local/share/icons/hicolor/64x64/apps/deskpack-demo.png"_s;
        QVERIFY(QFileInfo(icon).isFile());
        QVERIFY(readAllOf(m_home + u"/.local/share/applications/deskpack-demo.desktop"_s)
                    .contains("\nIcon=deskpack-demo\n"));
        const ProcessResult run = runProcess(m_home + u"/.local/bin/deskpack-demo"_s,
                                             {u"--headless"_s, u"--exit-when-ready"_s}, {}, 120000,
                                             homeEnvironment(m_home));
        QVERIFY2(run.exitCode == 0, run.err.constData());

        // The same installer over it: the welcome page says it reinstalls.
        Result<InstallerFile> file = InstallerFile::open(m_withLicence);
        QVERIFY(file);
        Result<InstallLayout> layout =
            layoutFor(u"deskpack-demo"_s, prefix, QProcessEnvironment::systemEnvironment());
        QVERIFY(layout);
        InstallerWizard again(*file, *layout);
        again.show();
        QVERIFY(
            again.findChild<QLabel *>(u"welcomeText"_s)->text().contains(u"already installed"_s));
        // And out again through the core.
        QVERIFY(uninstall(*layout, true));
    }

    // The title bar says the app's name once: the title ends with the display
    // name the installer sets, so Qt appends nothing ("... Setup — ... Setup").
    void titleNamesTheAppOnce()
    {
        Result<InstallerFile> file = InstallerFile::open(m_plain);
        QVERIFY(file);
        const QString title = InstallerWizard::titleFor(file->header());
        QCOMPARE(title, u"Deskpack Demo 1.0.0 Setup"_s);
        const QString before = QGuiApplication::applicationDisplayName();
        QGuiApplication::setApplicationDisplayName(title); // as installerapp.cpp does
        auto w = makeWizard(m_plain);
        QVERIFY(w);
        QCOMPARE(w->windowTitle(), title);
        QVERIFY(w->windowTitle().endsWith(QGuiApplication::applicationDisplayName()));
        QCOMPARE(w->windowTitle().count(u"Deskpack Demo"_s), 1);
        QGuiApplication::setApplicationDisplayName(before);
    }

    void noLicencePageWithoutLicence()
    {
        auto w = makeWizard(m_plain);
        QVERIFY(w);
        QVERIFY(!w->findChild<QWidget *>(u"licencePage"_s));
        button(*w, "nextButton")->click();
        QCOMPARE(w->currentPage()->objectName(), u"locationPage"_s);
    }

    void cancelRollsBack()
    {
        auto w = makeWizard(m_plain);
        QVERIFY(w);
        button(*w, "nextButton")->click();
        const QString prefix = m_work.filePath(u"cancelled/demo"_s);
        w->findChild<QLineEdit *>(u"locationEdit"_s)->setText(prefix);
        button(*w, "installButton")->click();
        QCOMPARE(w->currentPage()->objectName(), u"progressPage"_s);
        QVERIFY(w->installRunning());
        button(*w, "cancelButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(!w->isVisible(), 60000);
        QVERIFY(!w->installRunning());
        QVERIFY(w->exitCode() != 0);
        QVERIFY2(!QFileInfo::exists(prefix), qPrintable(listTree(prefix).join(u", "_s)));
        QVERIFY(!QFileInfo(m_home + u"/.local/bin/deskpack-demo"_s).isSymLink());
    }
};

QTEST_MAIN(TestInstallerWizard)
#include "tst_installerwizard.moc"
