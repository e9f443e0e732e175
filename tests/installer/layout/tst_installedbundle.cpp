// SPDX-License-Identifier: MIT
// What put a bundle where it is, on temporary trees: an installer-shaped root
// (through a linked path too), a root whose `current` is another app's, a
// dpkg-owned directory (DPKG_ADMINDIR names a private admin directory) and a
// plain unpacked directory.
#include "common/testutil.h"

#include "base/fileio.h"
#include "formats/bundlemanifest.h"
#include "installer/layout/installedbundle.h"
#include "installer/layout/installroot.h"

#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace deskpack::installer;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString AppId = u"deskpack-demo"_s;

bool writeBundle(const QString &dir, const QString &version, const QString &id = AppId)
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
    return QDir().mkpath(dir) &&
           bool(writeFileAtomically(dir + u"/bundle.json"_s, formats::serializeManifest(m)));
}

} // namespace

class TestInstalledBundle : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QProcessEnvironment environment() const
    {
        QProcessEnvironment e;
        e.insert(u"HOME"_s, m_dir.filePath(u"home"_s));
        e.insert(u"DPKG_ADMINDIR"_s, m_dir.filePath(u"dpkg"_s));
        return e;
    }

    // <root>/versions/{1.0.0,1.0.1}, current -> 1.0.1, previous -> 1.0.0.
    QString installerRoot(const QString &name, const QString &currentId = AppId)
    {
        const QString root = m_dir.filePath(name);
        if (!writeBundle(root + u"/versions/1.0.0"_s, u"1.0.0"_s) ||
            !writeBundle(root + u"/versions/1.0.1"_s, u"1.0.1"_s, currentId) ||
            !replaceLink(root + u"/current"_s, u"versions/1.0.1"_s) ||
            !replaceLink(root + u"/previous"_s, u"versions/1.0.0"_s))
            return {};
        return root;
    }

private Q_SLOTS:
    void installerLayout()
    {
        const QString root = installerRoot(u"opt/deskpack-demo"_s);
        QVERIFY(!root.isEmpty());
        for (const QString &version : {u"1.0.1"_s, u"1.0.0"_s}) {
            const InstalledBundle found =
                installedBundle(root + u"/versions/"_s + version, AppId, environment());
            QCOMPARE(found.kind, InstallKind::Installer);
            QCOMPARE(found.version, version);
            QVERIFY(found.layout);
            QCOMPARE(found.layout->root, root);
            QCOMPARE(found.layout->appId, AppId);
            QCOMPARE(found.layout->binDir, m_dir.filePath(u"home/.local/bin"_s));
            QCOMPARE(found.layout->xdgDataHome, m_dir.filePath(u"home/.local/share"_s));
            QVERIFY2(found.whoUpdates.contains(root), qPrintable(found.whoUpdates));
        }
        // Started through `current`, or through a linked path: the same root.
        const InstalledBundle viaCurrent =
            installedBundle(root + u"/current"_s, AppId, environment());
        QCOMPARE(viaCurrent.kind, InstallKind::Installer);
        QCOMPARE(viaCurrent.layout->root, root);
        QVERIFY(replaceLink(m_dir.filePath(u"linked"_s), root));
        const InstalledBundle viaLink =
            installedBundle(m_dir.filePath(u"linked/versions/1.0.1"_s), AppId, environment());
        QCOMPARE(viaLink.kind, InstallKind::Installer);
        QCOMPARE(viaLink.layout->root, root);
    }

    void anotherAppsRootIsNotOurs()
    {
        const QString root = installerRoot(u"other"_s, u"other-app"_s);
        QVERIFY(!root.isEmpty());
        const InstalledBundle found =
            installedBundle(root + u"/versions/1.0.0"_s, AppId, environment());
        QCOMPARE(found.kind, InstallKind::Unpacked);
        QVERIFY(!found.layout);
        // versions/ without a `current` link: unpacked by hand.
        const QString bare = m_dir.filePath(u"bare/versions/2.0.0"_s);
        QVERIFY(writeBundle(bare, u"2.0.0"_s));
        QCOMPARE(installedBundle(bare, AppId, environment()).kind, InstallKind::Unpacked);
    }

    void systemPackage()
    {
        const QString dir = m_dir.filePath(u"sys/opt/deskpack-demo"_s);
        QVERIFY(writeBundle(dir, u"1.2.0"_s));
        const QString info = m_dir.filePath(u"dpkg/info"_s);
        QVERIFY(QDir().mkpath(info));
        QVERIFY(writeFileAtomically(info + u"/other.list"_s, (dir + u"/bundle.json\n"_s).toUtf8()));
        QCOMPARE(installedBundle(dir, AppId, environment()).kind, InstallKind::Unpacked);
        QVERIFY(writeFileAtomically(
            info + u"/deskpack-demo:amd64.list"_s,
            (u"/.\n/opt\n"_s + dir + u"\n"_s + dir + u"/bundle.json\n"_s).toUtf8()));
        const InstalledBundle found = installedBundle(dir, AppId, environment());
        QCOMPARE(found.kind, InstallKind::SystemPackage);
        QCOMPARE(found.version, u"1.2.0"_s);
        QVERIFY(!found.layout);
        QVERIFY2(found.whoUpdates.contains(u"package manager"_s), qPrintable(found.whoUpdates));
    }

    void plainDirectory()
    {
        const QString dir = m_dir.filePath(u"Downloads/DeskpackDemo"_s);
        QVERIFY(writeBundle(dir, u"0.9.0"_s));
        const InstalledBundle found = installedBundle(dir, AppId, environment());
        QCOMPARE(found.kind, InstallKind::Unpacked);
        QCOMPARE(found.version, u"0.9.0"_s);
        QVERIFY(!found.layout);
        QVERIFY2(found.whoUpdates.contains(u"download the new version"_s),
                 qPrintable(found.whoUpdates));
        // No bundle at all: still an answer.
        const InstalledBundle none =
            installedBundle(m_dir.filePath(u"nothing"_s), AppId, environment());
        QCOMPARE(none.kind, InstallKind::Unpacked);
        QVERIFY(none.version.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestInstalledBundle)
#include "tst_installedbundle.moc"
