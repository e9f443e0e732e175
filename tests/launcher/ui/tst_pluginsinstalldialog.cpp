// SPDX-License-Identifier: MIT
// The Plugins tab's install dialog, offscreen, by objectName: the plugin name
// defaults to the requirements file's folder, and the dialog does not close on
// an invalid name, a missing file or a missing find-links folder.
#include "launcher/ui/pluginsinstalldialog.h"

#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>

using namespace deskpack::launcher;
using namespace Qt::Literals::StringLiterals;

class TestPluginsInstallDialog : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_file;

    // Runs the dialog; `play` acts on it once it is up.
    std::optional<PluginInstallRequest> run(const std::function<void(QDialog *)> &play)
    {
        QTimer::singleShot(0, this, [play] {
            QDialog *dialog = nullptr;
            QTRY_VERIFY((dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget())));
            QCOMPARE(dialog->objectName(), u"installPluginDialog"_s);
            play(dialog);
            if (dialog->isVisible())
                dialog->reject();
        });
        return askPluginInstallDetails(nullptr, m_file);
    }
    static void clickInstall(QDialog *dialog)
    {
        QTest::mouseClick(dialog->findChild<QDialogButtonBox *>(u"installPluginButtons"_s)
                              ->button(QDialogButtonBox::Ok),
                          Qt::LeftButton);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir().mkpath(m_dir.filePath(u"weather"_s)));
        m_file = m_dir.filePath(u"weather/requirements.txt"_s);
        QFile f(m_file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("weatherlib\n");
    }

    void acceptsAndDefaultsTheName()
    {
        const auto answer = run([this](QDialog *d) {
            QCOMPARE(d->findChild<QLineEdit *>(u"pluginNameEdit"_s)->text(), u"weather"_s);
            d->findChild<QLineEdit *>(u"findLinksEdit"_s)->setText(m_dir.path());
            clickInstall(d);
        });
        QVERIFY(answer);
        QCOMPARE(answer->plugin, u"weather"_s);
        QCOMPARE(answer->requirements, m_file);
        QCOMPARE(answer->findLinks, m_dir.path());
    }

    void refusesBadInput_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("requirements");
        QTest::addColumn<QString>("findLinks");
        QTest::addColumn<QString>("hint");
        QTest::newRow("bad name") << u"../x"_s << QString() << QString() << u"plugin name"_s;
        QTest::newRow("no file") << u"w"_s << u"/nonexistent/r.txt"_s << QString()
                                 << u"requirements file"_s;
        QTest::newRow("no folder")
            << u"w"_s << QString() << u"/nonexistent/wheels"_s << u"find-links folder"_s;
    }
    void refusesBadInput()
    {
        QFETCH(QString, name);
        QFETCH(QString, requirements);
        QFETCH(QString, findLinks);
        QFETCH(QString, hint);
        bool stayedOpen = false;
        QString shown;
        const auto answer = run([&](QDialog *d) {
            d->findChild<QLineEdit *>(u"pluginNameEdit"_s)->setText(name);
            if (!requirements.isEmpty())
                d->findChild<QLineEdit *>(u"requirementsEdit"_s)->setText(requirements);
            d->findChild<QLineEdit *>(u"findLinksEdit"_s)->setText(findLinks);
            clickInstall(d);
            stayedOpen = d->isVisible();
            shown = d->findChild<QLabel *>(u"installPluginHint"_s)->text();
        });
        QVERIFY(!answer);
        QVERIFY(stayedOpen);
        QVERIFY2(shown.contains(hint), qPrintable(shown));
    }
};

QTEST_MAIN(TestPluginsInstallDialog)
#include "tst_pluginsinstalldialog.moc"
