// SPDX-License-Identifier: MIT
// The launcher's command line (DESIGN.md): what parses, and the usage errors.
#include "launcher/core/launcheroptions.h"

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
        QVERIFY2(p, qPrintable(p ? QString() : p.error().message));
        QCOMPARE(p->command, LauncherOptions::Command::Plugins);
        QCOMPARE(p->plugins.action, PluginsRequest::Action::List);
        QVERIFY(p->json);
    }

    void parsesPlugins_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("action");
        QTest::addColumn<QString>("name");
        QTest::newRow("check") << QStringList{u"plugins"_s,   u"check"_s,        u"weather"_s,
                                              u"-r"_s,        u"r.txt"_s,        u"--find-links"_s,
                                              u"w1"_s,        u"--find-links"_s, u"w2"_s,
                                              u"--no-index"_s}
                               << int(PluginsRequest::Action::Check) << u"weather"_s;
        QTest::newRow("install") << QStringList{u"--data-dir"_s,      u"/d"_s,
                                                u"plugins"_s,         u"install"_s,
                                                u"weather"_s,         u"--requirements"_s,
                                                u"r.txt"_s,           u"--index-url"_s,
                                                u"http://i/simple/"_s}
                                 << int(PluginsRequest::Action::Install) << u"weather"_s;
        QTest::newRow("remove") << QStringList{u"plugins"_s, u"remove"_s, u"weather"_s}
                                << int(PluginsRequest::Action::Remove) << u"weather"_s;
        QTest::newRow("audit") << QStringList{u"plugins"_s, u"audit"_s, u"--bundle"_s, u"/b"_s}
                               << int(PluginsRequest::Action::Audit) << QString();
        QTest::newRow("restore") << QStringList{u"plugins"_s, u"restore"_s, u"x-2026"_s}
                                 << int(PluginsRequest::Action::Restore) << u"x-2026"_s;
    }
    void parsesPlugins()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, action);
        QFETCH(QString, name);
        Result<LauncherOptions> o = parseLauncherArguments(arguments);
        QVERIFY2(o, qPrintable(o ? QString() : o.error().message));
        QCOMPARE(o->command, LauncherOptions::Command::Plugins);
        QCOMPARE(int(o->plugins.action), action);
        QCOMPARE(o->plugins.name, name);
        if (o->plugins.action == PluginsRequest::Action::Check) {
            QCOMPARE(o->plugins.requirements, u"r.txt"_s);
            QCOMPARE(o->plugins.findLinks, (QStringList{u"w1"_s, u"w2"_s}));
            QVERIFY(o->plugins.noIndex);
        }
        if (o->plugins.action == PluginsRequest::Action::Install) {
            QCOMPARE(o->plugins.indexUrl, u"http://i/simple/"_s);
            QCOMPARE(o->dataDir, u"/d"_s);
        }
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
        QTest::newRow("plugins alone") << QStringList{u"plugins"_s} << u"missing command"_s;
        QTest::newRow("plugins unknown")
            << QStringList{u"plugins"_s, u"frob"_s} << u"unknown command 'frob'"_s;
        QTest::newRow("install without -r")
            << QStringList{u"plugins"_s, u"install"_s, u"w"_s} << u"missing -r"_s;
        QTest::newRow("check without name")
            << QStringList{u"plugins"_s, u"check"_s, u"-r"_s, u"r.txt"_s} << u"missing NAME"_s;
        QTest::newRow("bad plugin name")
            << QStringList{u"plugins"_s, u"remove"_s, u"../etc"_s} << u"not a plugin name"_s;
        QTest::newRow("list extra")
            << QStringList{u"plugins"_s, u"list"_s, u"x"_s} << u"unexpected argument 'x'"_s;
        QTest::newRow("remove with -r")
            << QStringList{u"plugins"_s, u"remove"_s, u"w"_s, u"-r"_s, u"r.txt"_s}
            << u"takes no -r"_s;
        QTest::newRow("restore without id")
            << QStringList{u"plugins"_s, u"restore"_s} << u"missing ID"_s;
        QTest::newRow("plugins with --headless")
            << QStringList{u"plugins"_s, u"list"_s, u"--headless"_s} << u"takes only"_s;
        QTest::newRow("index and no-index")
            << QStringList{u"plugins"_s, u"check"_s,      u"w"_s,           u"-r"_s,
                           u"r"_s,       u"--no-index"_s, u"--index-url"_s, u"http://x/"_s}
            << u"exclude each other"_s;
        QTest::newRow("--json without plugins")
            << QStringList{u"--headless"_s, u"--json"_s} << u"options of the plugins command"_s;
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
