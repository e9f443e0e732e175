// SPDX-License-Identifier: MIT
// The installer's own check of an unpacked tree against its bundle.json
// (checkExtractedBundle), which runs before `current` is switched: an intact
// demo bundle passes; a changed, missing, extra or re-pointed entry, a lost
// executable bit or an unreadable manifest is refused, naming the entry.
#include "core/treecheck.h"
#include "common/installertestutil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace deskpack::installer;
using namespace deskpack::test;
using namespace Qt::Literals::StringLiterals;

class TestInstallerTree : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_work;
    QString m_bundle;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        QString error;
        m_bundle = buildDemoBundle(m_work.filePath(u"demo"_s), &error);
        QVERIFY2(!m_bundle.isEmpty(), qPrintable(error));
    }

    void intactTreePasses()
    {
        Result<TreeIdentity> id = checkExtractedBundle(m_bundle);
        QVERIFY2(id, id ? "" : qPrintable(id.error().message));
        QCOMPARE(id->id, u"deskpack-demo"_s);
        QCOMPARE(id->version, u"1.0.0"_s);
    }

    void damagedTreeRefused_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("named");
        const int invalid = int(ErrorKind::Invalid);
        QTest::newRow("changed size")
            << u"change"_s << invalid << u"app/release.txt: 14 bytes, expected 6"_s;
        QTest::newRow("same size, other bytes")
            << u"same-size"_s << invalid << u"app/release.txt: SHA-256 differs"_s;
        QTest::newRow("missing") << u"remove"_s << invalid << u"app/release.txt: missing"_s;
        QTest::newRow("extra file")
            << u"extra"_s << invalid << u"app/planted.py: not in bundle.json"_s;
        QTest::newRow("lost executable bit")
            << u"chmod"_s << invalid << u"deskpack-demo: executable bit differs"_s;
        QTest::newRow("file replaced by a link")
            << u"link"_s << invalid << u"app/release.txt: missing"_s;
        QTest::newRow("manifest not JSON")
            << u"manifest"_s << int(ErrorKind::Unreadable) << u"bundle.json"_s;
    }

    void damagedTreeRefused()
    {
        QFETCH(QString, damage);
        QFETCH(int, kind);
        QFETCH(QString, named);
        const QString tree =
            bundleAtVersion(m_bundle, m_work.filePath(u"case-"_s + damage), u"1.0.0"_s);
        QVERIFY(!tree.isEmpty());
        QVERIFY(checkExtractedBundle(tree));
        const QString release = tree + u"/app/release.txt"_s;
        const auto write = [](const QString &path, const QByteArray &bytes) {
            QFile f(path);
            return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
        };
        if (damage == u"change")
            QVERIFY(write(release, "9.9.9-changed\n"));
        else if (damage == u"same-size")
            QVERIFY(write(release, "1.0.1\n"));
        else if (damage == u"remove")
            QVERIFY(QFile::remove(release));
        else if (damage == u"extra")
            QVERIFY(write(tree + u"/app/planted.py"_s, "import os\n"));
        else if (damage == u"chmod")
            QVERIFY(QFile::setPermissions(tree + u"/deskpack-demo"_s,
                                          QFile::ReadOwner | QFile::WriteOwner));
        else if (damage == u"link")
            QVERIFY(QFile::remove(release) && QFile::link(u"../bundle.json"_s, release));
        else if (damage == u"manifest")
            QVERIFY(write(tree + u"/bundle.json"_s, "{\"schema\": 1,"));
        Result<TreeIdentity> id = checkExtractedBundle(tree);
        QVERIFY(!id);
        QCOMPARE(int(id.error().kind), kind);
        QVERIFY2(id.error().message.contains(named), qPrintable(id.error().message));
    }
};

QTEST_GUILESS_MAIN(TestInstallerTree)
#include "tst_installertree.moc"
