// SPDX-License-Identifier: MIT
// The install layout and the root's primitives on temporary trees: where
// layoutFor() puts an app and which prefixes it refuses, the version links,
// what removeLeftovers() and pruneVersions() remove and keep, foreign entries
// of versions/, and the root's lock.
#include "common/testutil.h"

#include "base/fileio.h"
#include "formats/bundlemanifest.h"
#include "installer/layout/installroot.h"

#include <QLockFile>
#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace deskpack::installer;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString AppId = u"deskpack-demo"_s;

QProcessEnvironment environmentWith(const QString &home, const QString &xdgDataHome = {})
{
    QProcessEnvironment environment;
    if (!home.isEmpty())
        environment.insert(u"HOME"_s, home);
    if (!xdgDataHome.isEmpty())
        environment.insert(u"XDG_DATA_HOME"_s, xdgDataHome);
    return environment;
}

// versions/<version>/bundle.json of `id`: what foreignVersions() reads.
bool writeVersion(const InstallLayout &layout, const QString &version, const QString &id = AppId)
{
    formats::BundleManifest m;
    m.id = id;
    m.name = u"Deskpack Demo"_s;
    m.version = version;
    m.entryModule = u"demo"_s;
    m.python = u"runtime/bin/python3"_s;
    m.coreSitePackages = u"runtime/lib/python3/site-packages"_s;
    m.lock = u"app/runtime-core-lock.json"_s;
    m.launcher = id;
    const QString dir = layout.versionDir(version);
    return QDir().mkpath(dir) &&
           bool(writeFileAtomically(dir + u"/bundle.json"_s, formats::serializeManifest(m)));
}

QStringList entriesOf(const QString &dir)
{
    return QDir(dir).entryList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

} // namespace

class TestInstallLayout : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_n = 0;

    InstallLayout freshLayout()
    {
        Result<InstallLayout> layout =
            layoutFor(AppId, {}, environmentWith(m_dir.filePath(u"home%1"_s.arg(++m_n))));
        if (layout)
            QDir().mkpath(layout->root);
        return layout ? *layout : InstallLayout();
    }

private Q_SLOTS:
    void defaultLayout()
    {
        const QString home = m_dir.filePath(u"home"_s);
        Result<InstallLayout> layout = layoutFor(AppId, {}, environmentWith(home));
        QVERIFY(layout);
        QCOMPARE(layout->root, home + u"/.local/opt/deskpack-demo"_s);
        QCOMPARE(layout->binDir, home + u"/.local/bin"_s);
        QCOMPARE(layout->dataDir(), home + u"/.local/share/deskpack-demo"_s);
        QCOMPARE(layout->currentLink(), layout->root + u"/current"_s);
        // A relative XDG_DATA_HOME is invalid by the spec and ignored.
        layout = layoutFor(AppId, {}, environmentWith(home, u"relative/share"_s));
        QVERIFY(layout);
        QCOMPARE(layout->xdgDataHome, home + u"/.local/share"_s);
        layout = layoutFor(AppId, {}, environmentWith(home, m_dir.filePath(u"xdg"_s)));
        QVERIFY(layout);
        QCOMPARE(layout->dataDir(), m_dir.filePath(u"xdg/deskpack-demo"_s));
    }

    void refusedPrefixes_data()
    {
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<int>("kind");
        const QString home = m_dir.filePath(u"home"_s);
        QTest::newRow("root") << u"/"_s << int(ErrorKind::Usage);
        QTest::newRow("home") << home << int(ErrorKind::Usage);
        QTest::newRow("data home") << home + u"/.local/share"_s << int(ErrorKind::Usage);
        QTest::newRow("data dir") << home + u"/.local/share/deskpack-demo"_s
                                  << int(ErrorKind::Usage);
        QTest::newRow("holds the data dir") << home + u"/.local"_s << int(ErrorKind::Usage);
    }

    void refusedPrefixes()
    {
        QFETCH(QString, prefix);
        QFETCH(int, kind);
        Result<InstallLayout> layout =
            layoutFor(AppId, prefix, environmentWith(m_dir.filePath(u"home"_s)));
        QVERIFY(!layout);
        QCOMPARE(int(layout.error().kind), kind);
        QVERIFY2(layout.error().message.contains(u"--prefix"_s),
                 qPrintable(layout.error().message));
    }

    void noHomeIsEnvironment()
    {
        Result<InstallLayout> layout = layoutFor(AppId, {}, environmentWith({}));
        QVERIFY(!layout);
        QCOMPARE(layout.error().kind, ErrorKind::Environment);
    }

    void linksAndVersions()
    {
        const InstallLayout l = freshLayout();
        QVERIFY(currentVersion(l).isEmpty());
        QVERIFY(writeVersion(l, u"1.0.0"_s) && writeVersion(l, u"1.0.1"_s));
        QVERIFY(replaceLink(l.currentLink(), versionLinkTarget(u"1.0.1"_s)));
        QVERIFY(replaceLink(l.previousLink(), versionLinkTarget(u"1.0.0"_s)));
        QVERIFY(isLink(l.currentLink()));
        QCOMPARE(currentVersion(l), u"1.0.1"_s);
        QCOMPARE(previousVersion(l), u"1.0.0"_s);
        QCOMPARE(readLinkTarget(l.currentLink()), u"versions/1.0.1"_s);
        // A link to something that is not a version directory names no version.
        QVERIFY(replaceLink(l.previousLink(), u"versions/9.9.9"_s));
        QVERIFY(previousVersion(l).isEmpty());
        QVERIFY(replaceLink(l.previousLink(), u"/elsewhere"_s));
        QVERIFY(previousVersion(l).isEmpty());
    }

    void exchangeSwapsTwoDirectories()
    {
        const InstallLayout l = freshLayout();
        QVERIFY(writeVersion(l, u"1.0.0"_s) && writeVersion(l, u"2.0.0"_s));
        QVERIFY(writeFileAtomically(l.versionDir(u"1.0.0"_s) + u"/marker"_s, "one"));
        if (!exchangePaths(l.versionDir(u"1.0.0"_s), l.versionDir(u"2.0.0"_s)))
            SKIP_OR_FAIL_IN_CI("renameat2(RENAME_EXCHANGE) is not supported here");
        QVERIFY(QFileInfo::exists(l.versionDir(u"2.0.0"_s) + u"/marker"_s));
        QVERIFY(!QFileInfo::exists(l.versionDir(u"1.0.0"_s) + u"/marker"_s));
    }

    void leftoversAndPruning()
    {
        const InstallLayout l = freshLayout();
        for (const QString &v : {u"1.0.0"_s, u"1.0.1"_s, u"1.0.2"_s})
            QVERIFY(writeVersion(l, v));
        QVERIFY(replaceLink(l.currentLink(), versionLinkTarget(u"1.0.2"_s)));
        QVERIFY(replaceLink(l.previousLink(), versionLinkTarget(u"1.0.1"_s)));
        QVERIFY(QDir().mkpath(l.root + u"/.staging-123/tree"_s));
        QVERIFY(replaceLink(l.root + u"/.current.new-123"_s, u"versions/1.0.0"_s));
        QVERIFY(writeFileAtomically(l.root + u"/keep-me"_s, "the user's"));

        QStringList cleaned = removeLeftovers(l);
        cleaned.sort();
        QCOMPARE(cleaned, (QStringList{u".current.new-123"_s, u".staging-123"_s}));
        QCOMPARE(pruneVersions(l), QStringList{u"1.0.0"_s});
        QCOMPARE(entriesOf(l.versionsDir()), (QStringList{u"1.0.1"_s, u"1.0.2"_s}));
        QVERIFY(QFileInfo::exists(l.root + u"/keep-me"_s));
    }

    void foreignEntriesNamed()
    {
        const InstallLayout l = freshLayout();
        QVERIFY(writeVersion(l, u"1.0.0"_s));
        QVERIFY(foreignVersions(l).isEmpty());
        QVERIFY(writeVersion(l, u"2.0.0"_s, u"other-app"_s));
        QVERIFY(writeFileAtomically(l.versionsDir() + u"/notes.txt"_s, "hello"));
        QStringList foreign = foreignVersions(l);
        foreign.sort();
        QCOMPARE(foreign, (QStringList{u"versions/2.0.0 (other-app)"_s, u"versions/notes.txt"_s}));
        const Error error = foreignError(l, foreign, ErrorKind::Usage);
        QCOMPARE(error.kind, ErrorKind::Usage);
        QVERIFY(error.message.startsWith(l.root + u": holds something other than deskpack-demo"_s));
    }

    void lockHeldByAnother()
    {
        const InstallLayout l = freshLayout();
        QLockFile first(l.lockFile());
        QVERIFY(lockRoot(first, l));
        // A second QLockFile in the same process sees a live holder: this pid.
        QLockFile second(l.lockFile());
        Result<void> refused = lockRoot(second, l);
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind, ErrorKind::Environment);
        QVERIFY2(refused.error().message.contains(u"another installer"_s),
                 qPrintable(refused.error().message));
        first.unlock();
        QVERIFY(lockRoot(second, l));
    }
};

QTEST_GUILESS_MAIN(TestInstallLayout)
#include "tst_installlayout.moc"
