// SPDX-License-Identifier: MIT
// The desktop integration without a bundle to install: the icon files for
// each kind of icon (none, SVG, PNG of several sizes), the entry's Icon=
// line, an upgrade replacing them, a rollback restoring the earlier
// version's, uninstall removing exactly them, and gtk-update-icon-cache run
// only on a cache that is already there.
#include "common/testutil.h"

#include "base/fileio.h"
#include "core/appicons.h"
#include "core/desktopentries.h"
#include "core/installops.h"
#include "formats/appicon.h"
#include "formats/bundlemanifest.h"
#include "installer/layout/installroot.h"

#include <QBuffer>
#include <QDirIterator>
#include <QImage>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace deskpack::installer;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString AppId = u"deskpack-demo"_s;

QByteArray pngBytes(int width, int height)
{
    QImage image(width, height, QImage::Format_ARGB32);
    image.fill(QColor(0x2a, 0x6f, 0xdb));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

formats::InstallerHeader header(const QByteArray &icon = {}, const QString &iconName = {})
{
    formats::InstallerHeader h;
    h.id = AppId;
    h.name = u"Deskpack Demo"_s;
    h.version = u"1.0.0"_s;
    h.launcher = AppId;
    h.icon = icon;
    h.iconName = iconName;
    return h;
}

// Every file under `dir`, relative, sorted.
QStringList filesUnder(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        out.append(QDir(dir).relativeFilePath(it.next()));
    out.sort();
    return out;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// versions/<version>/bundle.json with `icon` (resources/<iconName>), as an
// installed bundle has it: what rollback() reads the entry's icon from.
bool writeVersion(const InstallLayout &layout, const QString &version, const QByteArray &icon,
                  const QString &iconName)
{
    const QString dir = layout.versionDir(version);
    formats::BundleManifest m;
    m.id = AppId;
    m.name = u"Deskpack Demo"_s;
    m.version = version;
    m.entryModule = u"demo"_s;
    m.python = u"runtime/bin/python3"_s;
    m.coreSitePackages = u"runtime/lib/python3/site-packages"_s;
    m.lock = u"app/runtime-core-lock.json"_s;
    m.launcher = AppId;
    if (!icon.isEmpty()) {
        m.icon = u"resources/"_s + iconName;
        if (!QDir().mkpath(dir + u"/resources"_s) ||
            !writeFileAtomically(dir + u'/' + m.icon, icon))
            return false;
    }
    return QDir().mkpath(dir) &&
           bool(writeFileAtomically(dir + u"/bundle.json"_s, formats::serializeManifest(m)));
}

} // namespace

class TestDesktopIntegration : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_n = 0;

    InstallLayout layout()
    {
        const QString home = m_dir.filePath(u"home%1"_s.arg(++m_n));
        InstallLayout l;
        l.appId = AppId;
        l.root = home + u"/.local/opt/"_s + AppId;
        l.binDir = home + u"/.local/bin"_s;
        l.xdgDataHome = home + u"/.local/share"_s;
        QDir().mkpath(l.root);
        return l;
    }

private Q_SLOTS:
    void themeIconsBySource_data()
    {
        QTest::addColumn<QByteArray>("icon");
        QTest::addColumn<QString>("iconName");
        QTest::addColumn<QStringList>("paths");
        const QString svg = u"scalable/apps/deskpack-demo.svg"_s;
        auto png = [](int side) {
            return u"%1x%1/apps/deskpack-demo.png"_s.arg(side);
        };
        QTest::newRow("none: generated") << QByteArray() << QString() << QStringList{svg};
        QTest::newRow("svg") << QByteArray("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
                             << u"logo.svg"_s << QStringList{svg};
        QTest::newRow("png 512") << pngBytes(512, 512) << u"logo.png"_s
                                 << QStringList{png(48), png(128), png(256), png(512)};
        QTest::newRow("png 64") << pngBytes(64, 64) << u"logo.png"_s
                                << QStringList{png(48), png(64)};
        QTest::newRow("png 32") << pngBytes(32, 32) << u"logo.png"_s << QStringList{png(32)};
        QTest::newRow("png 40: up to 48")
            << pngBytes(40, 40) << u"logo.png"_s << QStringList{png(48)};
        QTest::newRow("png 300x200")
            << pngBytes(300, 200) << u"logo.png"_s << QStringList{png(48), png(128), png(256)};
        QTest::newRow("not an image: generated")
            << QByteArray("GIF89a...") << u"logo.gif"_s << QStringList{svg};
    }
    void themeIconsBySource()
    {
        QFETCH(QByteArray, icon);
        QFETCH(QString, iconName);
        QFETCH(QStringList, paths);
        const QList<ThemeIcon> icons = themeIcons(header(icon, iconName));
        QStringList got;
        for (const ThemeIcon &i : icons) {
            got.append(i.path);
            if (i.path.endsWith(u".png"_s)) {
                // Each PNG is the size its directory says, square.
                const int side = i.path.section(u'x', 0, 0).toInt();
                QCOMPARE(formats::pngImageSize(i.bytes), QSize(side, side));
            } else if (icon.isEmpty() || iconName.endsWith(u".gif"_s)) {
                QCOMPARE(i.bytes, formats::generatedAppIconSvg(u"Deskpack Demo"_s));
            } else {
                QCOMPARE(i.bytes, icon);
            }
        }
        QCOMPARE(got, paths);
    }

    void generatedIconNamesTheInitial()
    {
        const QByteArray svg = formats::generatedAppIconSvg(u"deskpack <demo>"_s);
        QVERIFY(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        QVERIFY2(svg.contains(">D</text>"), svg.constData());
        QVERIFY(svg.contains(formats::GeneratedIconBackground));
        QVERIFY(formats::generatedAppIconSvg(u"<"_s).contains(">&lt;</text>"));
        QVERIFY(formats::generatedAppIconSvg({}).contains(">D</text>"));
    }

    // Install, upgrade to a PNG icon, uninstall: the entry names the icon,
    // the theme holds exactly the current version's files, and nothing that
    // is not the app's is touched.
    void installUpgradeUninstall()
    {
        const InstallLayout l = layout();
        const QString theme = l.iconTheme();
        // Not the app's: another app's icon, a HiDPI directory, a file at the top.
        for (const QString &foreign :
             {u"48x48/apps/other-app.png"_s, u"48x48@2/apps/deskpack-demo.png"_s,
              u"deskpack-demo.png"_s, u"48x48/mimetypes/deskpack-demo.png"_s})
            QVERIFY(QDir().mkpath(QFileInfo(theme + u'/' + foreign).absolutePath()) &&
                    writeFileAtomically(theme + u'/' + foreign, "not ours"));
        const QStringList foreign = filesUnder(theme);

        QVERIFY(writeDesktopIntegration(l, header()));
        const QByteArray entry = readAll(l.desktopEntry());
        QVERIFY2(entry.contains("\nIcon=deskpack-demo\n"), entry.constData());
        QCOMPARE(readAll(theme + u"/scalable/apps/deskpack-demo.svg"_s),
                 formats::generatedAppIconSvg(u"Deskpack Demo"_s));

        // The upgrade brings a PNG: its sizes replace the SVG.
        QVERIFY(writeDesktopIntegration(l, header(pngBytes(256, 256), u"logo.png"_s)));
        QStringList expected = foreign;
        expected << u"128x128/apps/deskpack-demo.png"_s << u"256x256/apps/deskpack-demo.png"_s
                 << u"48x48/apps/deskpack-demo.png"_s;
        expected.sort();
        QCOMPARE(filesUnder(theme), expected);
        QVERIFY(readAll(l.desktopEntry()).contains("\nIcon=deskpack-demo\n"));

        const QStringList removed = removeDesktopIntegration(l);
        QVERIFY(removed.contains(l.desktopEntry()));
        QVERIFY(removed.contains(theme + u"/48x48/apps/deskpack-demo.png"_s));
        QCOMPARE(filesUnder(theme), foreign);
        QVERIFY(!QFileInfo::exists(l.desktopEntry()));
    }

    // Rollback: the version returned to brings back its own icon.
    void rollbackRestoresTheIcon()
    {
        const InstallLayout l = layout();
        QVERIFY(writeVersion(l, u"1.0.0"_s, pngBytes(128, 128), u"logo.png"_s));
        QVERIFY(writeVersion(l, u"2.0.0"_s, {}, {}));
        QVERIFY(replaceLink(l.currentLink(), u"versions/2.0.0"_s));
        QVERIFY(replaceLink(l.previousLink(), u"versions/1.0.0"_s));
        Result<formats::InstallerHeader> two = installedHeader(l.currentLink());
        QVERIFY(two);
        QVERIFY(writeDesktopIntegration(l, *two));
        QCOMPARE(filesUnder(l.iconTheme()), QStringList{u"scalable/apps/deskpack-demo.svg"_s});

        Result<RollbackReport> back = rollback(l);
        QVERIFY2(back, back ? "" : qPrintable(back.error().message));
        QCOMPARE(back->to, u"1.0.0"_s);
        QCOMPARE(filesUnder(l.iconTheme()), (QStringList{u"128x128/apps/deskpack-demo.png"_s,
                                                         u"48x48/apps/deskpack-demo.png"_s}));
        QCOMPARE(readAll(l.iconTheme() + u"/128x128/apps/deskpack-demo.png"_s), pngBytes(128, 128));
        QVERIFY(readAll(l.desktopEntry()).contains("\nIcon=deskpack-demo\n"));

        QVERIFY(rollback(l));
        QCOMPARE(filesUnder(l.iconTheme()), QStringList{u"scalable/apps/deskpack-demo.svg"_s});
    }

    // A cache already in the theme is rebuilt (else it would hide the new
    // icon); none is created where there was none.
    void iconCacheOnlyWhereOneIs()
    {
        if (QStandardPaths::findExecutable(u"gtk-update-icon-cache"_s).isEmpty())
            SKIP_OR_FAIL_IN_CI("gtk-update-icon-cache is missing (Debian: libgtk-3-bin)");
        const InstallLayout fresh = layout();
        QVERIFY(writeDesktopIntegration(fresh, header()));
        QVERIFY(!QFileInfo::exists(fresh.iconTheme() + u"/icon-theme.cache"_s));

        const InstallLayout cached = layout();
        const QString cache = cached.iconTheme() + u"/icon-theme.cache"_s;
        QVERIFY(QDir().mkpath(cached.iconTheme()) && writeFileAtomically(cache, "stale"));
        QVERIFY(writeDesktopIntegration(cached, header()));
        const QByteArray rebuilt = readAll(cache);
        QVERIFY(rebuilt.size() > 12 && rebuilt != "stale");
        QVERIFY2(rebuilt.contains("deskpack-demo"), "the cache does not list the new icon");
    }
};

QTEST_GUILESS_MAIN(TestDesktopIntegration)
#include "tst_desktopintegration.moc"
