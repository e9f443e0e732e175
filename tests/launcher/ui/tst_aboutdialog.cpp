// SPDX-License-Identifier: MIT
// The About dialog (offscreen) on a hand-made bundle: the facts and signing
// state it shows, the licences table it fills off the GUI thread, the filter,
// the licence text of the selected row, and an unreadable bundle shown as a
// message rather than a crash. Also the status window's About button.
#include "launcher/core/launcherversion.h"
#include "launcher/ui/aboutdialog.h"
#include "launcher/ui/statuswindow.h"
#include "packager/sbom/sbomtestutil.h"
#include "signing/signing.h"

#include <QAbstractItemModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace deskpack::launcher;
using namespace Qt::Literals::StringLiterals;

namespace {

class IdleController : public BackendController
{
    Q_OBJECT
public:
    BackendState state() const override { return BackendState::Stopped; }
    qint64 processId() const override { return 0; }
    QDateTime readySince() const override { return {}; }
    QString url() const override { return {}; }
    QString failureReason() const override { return {}; }
    QStringList lastLogLines() const override { return {}; }
    bool safeModeSuggested() const override { return false; }
    bool safeMode() const override { return false; }
    QString logFilePath() const override { return {}; }
    void start() override {}
    void startSafeMode() override {}
    void stop() override {}
    void restart() override {}
};

QString labelText(QWidget *w, const QString &name)
{
    auto *label = w->findChild<QLabel *>(name);
    return label ? label->text() : u"<no %1>"_s.arg(name);
}

int rowOf(QAbstractItemModel *model, const QString &name)
{
    for (int r = 0; r < model->rowCount(); ++r)
        if (model->index(r, 0).data().toString() == name)
            return r;
    return -1;
}

} // namespace

class TestAboutDialog : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_bundle;

    AboutFacts facts(const QString &key = {}, const QString &bundle = {}) const
    {
        return {u"Demo"_s, u"1.2.3"_s, u"3.11.2"_s, key, bundle.isNull() ? m_bundle : bundle, {}};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_bundle = m_dir.filePath(u"bundle"_s);
        QCOMPARE(test::makeSyntheticBundle(m_bundle), QString());
    }

    void showsTheFacts()
    {
        const signing::PublicKey key = signing::SecretKey::generate().publicKey();
        AboutDialog dialog(facts(key.toBase64()));
        QCOMPARE(dialog.windowTitle(), u"About Demo"_s);
        QCOMPARE(labelText(&dialog, u"aboutName"_s), u"Demo"_s);
        QCOMPARE(labelText(&dialog, u"aboutVersion"_s), u"Version 1.2.3"_s);
        QCOMPARE(labelText(&dialog, u"aboutDeskpack"_s), u"Deskpack "_s + launcherVersion());
        QCOMPARE(labelText(&dialog, u"aboutPython"_s), u"3.11.2"_s);
        QCOMPARE(labelText(&dialog, u"aboutSigning"_s),
                 u"Updates are signed with key %1"_s.arg(key.keyIdHex()));
        // The About tab's link leads to the licences (and starts reading them).
        auto *link = dialog.findChild<QLabel *>(u"aboutThirdParty"_s);
        QVERIFY(link);
        QMetaObject::invokeMethod(link, "linkActivated", Q_ARG(QString, u"#licences"_s));
        QCOMPARE(dialog.findChild<QTabWidget *>(u"aboutTabs"_s)->currentIndex(), 1);
        QTRY_VERIFY(dialog.inventoryLoaded());
        AboutDialog unsigned_(facts());
        QCOMPARE(labelText(&unsigned_, u"aboutSigning"_s), u"This app declares no signing key"_s);
        AboutDialog malformed(facts(u"RWjunk"_s));
        QCOMPARE(labelText(&malformed, u"aboutSigning"_s),
                 u"signing key in bundle.json is malformed"_s);
    }

    void listsFiltersAndShowsLicences()
    {
        AboutDialog dialog(facts());
        dialog.showLicences();
        dialog.show();
        QTRY_VERIFY(dialog.inventoryLoaded());
        auto *table = dialog.findChild<QTableView *>(u"licencesTable"_s);
        auto *filter = dialog.findChild<QLineEdit *>(u"licencesFilter"_s);
        auto *text = dialog.findChild<QPlainTextEdit *>(u"licenceText"_s);
        QVERIFY(table && filter && text);
        QCOMPARE(dialog.focusWidget(), filter); // typing filters at once
        QAbstractItemModel *model = table->model();
        const int all = model->rowCount();
        QVERIFY2(all >= 10, qPrintable(QString::number(all))); // 4 distributions, python, libraries
        for (const QString &name :
             {u"Alpha"_s, u"beta"_s, u"gamma"_s, u"Delta_Pkg"_s, u"CPython"_s})
            QVERIFY2(rowOf(model, name) >= 0, qPrintable(name));
        QVERIFY(labelText(&dialog, u"licencesStatus"_s).contains(QString::number(all)));

        filter->setText(u"mit or apache"_s); // Alpha's licence, case-insensitive
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, 0).data().toString(), u"Alpha"_s);
        table->setCurrentIndex(model->index(0, 0));
        QCOMPARE(text->toPlainText(), u"licence text\n"_s);

        filter->setText(u"gamma"_s);
        QCOMPARE(model->rowCount(), 1);
        table->setCurrentIndex(model->index(0, 0));
        QCOMPARE(text->toPlainText(), u"No licence file is shipped with gamma"_s);
        filter->clear();
        QCOMPARE(model->rowCount(), all);
    }

    void unreadableBundleIsAMessage()
    {
        AboutDialog dialog(facts({}, m_dir.filePath(u"nothing-here"_s)));
        dialog.showLicences();
        QTRY_VERIFY(dialog.inventoryLoaded());
        QVERIFY2(labelText(&dialog, u"licencesStatus"_s).contains(u"could not be read"_s),
                 qPrintable(labelText(&dialog, u"licencesStatus"_s)));
        QCOMPARE(dialog.findChild<QTableView *>(u"licencesTable"_s)->model()->rowCount(), 0);
    }

    void statusWindowOpensIt()
    {
        IdleController controller;
        StatusWindowOptions options;
        options.appName = u"Demo"_s;
        options.appVersion = u"1.2.3"_s;
        options.dataDir = m_dir.filePath(u"data"_s);
        options.bundleDir = m_bundle;
        StatusWindow window(&controller, options);
        auto *about = window.findChild<QPushButton *>(u"aboutButton"_s);
        QVERIFY(about);
        QTest::mouseClick(about, Qt::LeftButton);
        QVERIFY(window.aboutDialog());
        QVERIFY(window.aboutDialog()->isVisible());
        QVERIFY(!window.aboutDialog()->inventoryLoaded()); // read when the tab is shown
        window.aboutDialog()->showLicences();
        QTRY_VERIFY(window.aboutDialog()->inventoryLoaded());
    }
};

QTEST_MAIN(TestAboutDialog)
#include "tst_aboutdialog.moc"
