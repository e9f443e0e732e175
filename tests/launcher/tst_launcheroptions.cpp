// SPDX-License-Identifier: MIT
// The launcher's command line (DESIGN.md): what parses, and the usage errors.
#include "launcher/launcheroptions.h"

#include <QTest>

using namespace deskpack;
using namespace deskpack::launcher;
using namespace Qt::Literals::StringLiterals;

class TestLauncherOptions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parses()
    {
        Result<LauncherOptions> o = parseLauncherArguments(
            {u"--bundle"_s, u"/b"_s, u"--data-dir"_s, u"/d"_s, u"--headless"_s,
             u"--exit-when-ready"_s, u"--safe-mode"_s, u"--verify"_s});
        QVERIFY2(o, qPrintable(o ? QString() : o.error().message));
        QCOMPARE(o->command, LauncherOptions::Command::Run);
        QCOMPARE(o->bundleDir, u"/b"_s);
        QCOMPARE(o->dataDir, u"/d"_s);
        QVERIFY(o->headless && o->exitWhenReady && o->safeMode && o->verify);

        Result<LauncherOptions> d =
            parseLauncherArguments({u"doctor"_s, u"-o"_s, u"r.zip"_s, u"--bundle"_s, u"/b"_s});
        QVERIFY(d);
        QCOMPARE(d->command, LauncherOptions::Command::Doctor);
        QCOMPARE(d->output, u"r.zip"_s);
        QCOMPARE(d->bundleDir, u"/b"_s);

        Result<LauncherOptions> p = parseLauncherArguments({u"plugins"_s, u"list"_s, u"--json"_s});
        QVERIFY2(!p || p->command == LauncherOptions::Command::Plugins, "plugins is recognised");
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown option") << QStringList{u"--nope"_s} << u"nope"_s;
        QTest::newRow("unknown command") << QStringList{u"frobnicate"_s} << u"frobnicate"_s;
        QTest::newRow("doctor without -o") << QStringList{u"doctor"_s} << u"-o"_s;
        QTest::newRow("doctor extra")
            << QStringList{u"doctor"_s, u"-o"_s, u"a.zip"_s, u"b"_s} << u"'b'"_s;
        QTest::newRow("-o without doctor") << QStringList{u"-o"_s, u"a.zip"_s} << u"doctor"_s;
        QTest::newRow("exit-when-ready without headless")
            << QStringList{u"--exit-when-ready"_s} << u"--headless"_s;
        QTest::newRow("bundle without value") << QStringList{u"--bundle"_s} << u"bundle"_s;
    }
    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        Result<LauncherOptions> o = parseLauncherArguments(arguments);
        QVERIFY(!o);
        QCOMPARE(o.error().kind, ErrorKind::Usage);
        QVERIFY2(o.error().message.contains(message), qPrintable(o.error().message));
    }
};

QTEST_GUILESS_MAIN(TestLauncherOptions)
#include "tst_launcheroptions.moc"
