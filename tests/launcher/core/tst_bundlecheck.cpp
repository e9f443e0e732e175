// SPDX-License-Identifier: MIT
// The launcher's start-up bundle check: sizes, modes and links every start,
// every SHA-256 on demand or after an update; problems name the file.
#include "launcher/core/bundlecheck.h"
#include "launchertestutil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace deskpack::launcher;
using namespace Qt::Literals::StringLiterals;

class TestBundleCheck : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_bundle;
    formats::BundleManifest m_manifest;

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_tmp.isValid());
        QDir(m_tmp.path()).removeRecursively();
        QDir().mkpath(m_tmp.path());
        m_bundle = test::writeMiniBundle(m_tmp.path());
        QVERIFY(!m_bundle.isEmpty());
        Result<formats::BundleManifest> m = formats::readManifest(m_bundle);
        QVERIFY2(m, qPrintable(m ? QString() : m.error().message));
        m_manifest = *m;
    }

    void intactBundlePasses()
    {
        const IntegrityReport quick = quickIntegrityCheck(m_manifest, m_bundle);
        QVERIFY2(quick.ok(), qPrintable(quick.problems.join(u'\n')));
        QCOMPARE(quick.files, qsizetype(m_manifest.files.size()));
        QVERIFY(!quick.full);
        Result<IntegrityReport> full = fullIntegrityCheck(m_manifest, m_bundle);
        QVERIFY(full && full->ok() && full->full);
    }

    void damageIsFound_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("problem");
        QTest::addColumn<bool>("quickSeesIt");
        QTest::newRow("truncated")
            << u"truncate"_s << u"resources/launch_backend.py"_s << u"bytes, expected"_s << true;
        QTest::newRow("missing") << u"remove"_s << u"app/fakeapp/__main__.py"_s << u"missing"_s
                                 << true;
        QTest::newRow("not executable")
            << u"chmod"_s << u"runtime/bin/python3"_s << u"executable"_s << true;
        QTest::newRow("same size, new content")
            << u"flip"_s << u"app/fakeapp/__main__.py"_s << u"content changed"_s << false;
    }
    void damageIsFound()
    {
        QFETCH(QString, damage);
        QFETCH(QString, file);
        QFETCH(QString, problem);
        QFETCH(bool, quickSeesIt);
        const QString path = QDir(m_bundle).filePath(file);
        QFile f(path);
        if (damage == u"truncate") {
            QVERIFY(f.resize(f.size() / 2));
        } else if (damage == u"remove") {
            QVERIFY(f.remove());
        } else if (damage == u"chmod") {
            QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        } else {
            QVERIFY(f.open(QIODevice::ReadWrite));
            QByteArray data = f.readAll();
            data[0] = data[0] == 'x' ? 'y' : 'x';
            f.seek(0);
            f.write(data);
            f.close();
        }
        const IntegrityReport quick = quickIntegrityCheck(m_manifest, m_bundle);
        QCOMPARE(!quick.ok(), quickSeesIt);
        if (quickSeesIt) {
            QCOMPARE(quick.problems.size(), 1);
            QVERIFY2(quick.problems.constFirst().startsWith(path + u": "_s),
                     qPrintable(quick.problems.constFirst()));
            QVERIFY2(quick.problems.constFirst().contains(problem),
                     qPrintable(quick.problems.constFirst()));
        }
        Result<IntegrityReport> full = fullIntegrityCheck(m_manifest, m_bundle);
        QVERIFY(full);
        QVERIFY(!full->ok());
        QVERIFY2(full->problems.constFirst().startsWith(path),
                 qPrintable(full->problems.join(u'\n')));
    }

    void extraFilesAreWarningsOnly()
    {
        QVERIFY(test::writeFile(m_bundle + u"/app/fakeapp/__pycache__/x.pyc"_s, "x"));
        Result<IntegrityReport> full = fullIntegrityCheck(m_manifest, m_bundle);
        QVERIFY(full && full->ok());
        // The new directory and the file in it.
        QCOMPARE(full->warnings.size(), 2);
        QVERIFY2(full->warnings.join(u'\n').contains(u"__pycache__/x.pyc: not listed"_s),
                 qPrintable(full->warnings.join(u'\n')));
    }

    void linkLeavingTheBundleIsAProblem()
    {
        QVERIFY(QFile::link(u"/etc"_s, m_bundle + u"/app/evil"_s));
        Result<IntegrityReport> full = fullIntegrityCheck(m_manifest, m_bundle);
        QFile::remove(m_bundle + u"/app/evil"_s);
        QVERIFY(full);
        QVERIFY(!full->ok());
        QVERIFY2(full->problems.join(u'\n').contains(u"app/evil"_s),
                 qPrintable(full->problems.join(u'\n')));
    }

    void fullCheckAfterAnUpdate()
    {
        const QString stamps = m_tmp.filePath(u"stamps"_s);
        QVERIFY(fullCheckDue(m_bundle, stamps)); // never verified here
        recordFullCheck(m_bundle, stamps);
        QVERIFY(!fullCheckDue(m_bundle, stamps));
        // An update rewrites bundle.json.
        QFile manifest(m_bundle + u"/bundle.json"_s);
        QVERIFY(manifest.open(QIODevice::Append));
        manifest.write("\n");
        manifest.close();
        QVERIFY(fullCheckDue(m_bundle, stamps));
    }

    void locate()
    {
        Result<QString> found = locateBundle(QString(), m_bundle);
        QVERIFY(found);
        QCOMPARE(*found, m_bundle);
        Result<QString> missing = locateBundle(m_tmp.path(), m_bundle);
        QVERIFY(!missing);
        QVERIFY2(missing.error().message.contains(m_tmp.path() + u"/bundle.json"_s),
                 qPrintable(missing.error().message));
    }
};

QTEST_GUILESS_MAIN(TestBundleCheck)
#include "tst_bundlecheck.moc"
