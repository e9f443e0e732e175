// SPDX-License-Identifier: MIT
// base/fileio on a full disk: every whole-file write and every archive either
// lands complete or fails naming the file, and the old file stays. Qt 6.4's
// QSaveFile::commit() alone renamed an empty file over the old one there.

#include "archive/archivewriter.h"
#include "base/fileio.h"
#include "common/smallfs.h"
#include "common/testutil.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;

class TestFileIo : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_full; // a tmpfs of 256 KiB, filled up

    static QByteArray readAllOf(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<unreadable>");
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_full = m_dir.filePath(u"full"_s);
        QVERIFY(QDir().mkpath(m_full));
        const QString why = test::mountSmallTmpfs(m_full, 256 << 10);
        if (!why.isEmpty())
            SKIP_OR_FAIL_IN_CI(u"a full disk is needed: no private tmpfs (needs root): "_s + why);
        // The old files first, then the ballast that fills the rest.
        QFile old(m_full + u"/settings.json"_s);
        QVERIFY(old.open(QIODevice::WriteOnly));
        QVERIFY(old.write("{\"old\": true}\n") > 0);
        old.close();
        QVERIFY(test::fillUp(m_full) > 0);
    }

    void cleanupTestCase()
    {
        if (!m_full.isEmpty())
            test::unmountSmallTmpfs(m_full);
    }

    void sourceDateEpoch()
    {
        qputenv("SOURCE_DATE_EPOCH", "1700000000");
        QCOMPARE(deskpack::sourceDateEpoch(7), qint64(1700000000));
        qputenv("SOURCE_DATE_EPOCH", " 1700000000\n");
        QCOMPARE(deskpack::sourceDateEpoch(7), qint64(1700000000));
        qputenv("SOURCE_DATE_EPOCH", "yesterday");
        QCOMPARE(deskpack::sourceDateEpoch(7), qint64(7));
        qputenv("SOURCE_DATE_EPOCH", "-5");
        QCOMPARE(deskpack::sourceDateEpoch(7), qint64(7));
        qunsetenv("SOURCE_DATE_EPOCH");
        QCOMPARE(deskpack::sourceDateEpoch(7), qint64(7));
    }

    void atomicWriteKeepsTheOldFile()
    {
        const QString path = m_full + u"/settings.json"_s;
        Result<void> written = writeFileAtomically(path, QByteArray(8000, 'x'));
        QVERIFY(!written.ok());
        QCOMPARE(written.error().kind, ErrorKind::Environment);
        QVERIFY2(written.error().message.contains(path), qPrintable(written.error().message));
        QCOMPARE(readAllOf(path), QByteArray("{\"old\": true}\n"));
        QCOMPARE(QDir(m_full).entryList(QDir::Files | QDir::Hidden),
                 (QStringList{u"ballast"_s, u"settings.json"_s}));
    }

    void smallWriteThatFitsTheBufferFailsToo()
    {
        // Smaller than QSaveFile's buffer: write() succeeds, only the flush fails.
        const QString path = m_full + u"/new.json"_s;
        QSaveFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(QByteArray(6000, 'y')), qint64(6000));
        Result<void> committed = commitSaveFile(file, path);
        QVERIFY(!committed.ok());
        QVERIFY(!QFile::exists(path));
        QCOMPARE(QDir(m_full).entryList(QDir::Files | QDir::Hidden),
                 (QStringList{u"ballast"_s, u"settings.json"_s}));
    }

    void archiveOnAFullDiskLeavesNothing()
    {
        const QString source = m_dir.filePath(u"tree"_s);
        QVERIFY(QDir().mkpath(source));
        QFile big(source + u"/data.bin"_s);
        QVERIFY(big.open(QIODevice::WriteOnly));
        QByteArray noise(512 << 10, '\0');
        quint32 x = 12345;
        for (char &c : noise) {
            x = x * 1103515245u + 12345u;
            c = char(x >> 24);
        }
        QCOMPARE(big.write(noise), noise.size());
        big.close();
        const QString out = m_full + u"/tree.tar.gz"_s;
        archive::WriteOptions options;
        Result<archive::WriteSummary> written = archive::writeArchive(source, out, options);
        QVERIFY(!written.ok());
        QVERIFY2(written.error().message.contains(out) &&
                     written.error().message.contains(u"No space left on device"_s),
                 qPrintable(written.error().message));
        QVERIFY(!QFile::exists(out));
        QCOMPARE(QDir(m_full).entryList(QDir::Files | QDir::Hidden),
                 (QStringList{u"ballast"_s, u"settings.json"_s}));
    }

    void writesWorkAgainOnceThereIsRoom()
    {
        QVERIFY(QFile::remove(m_full + u"/ballast"_s));
        const QString path = m_full + u"/settings.json"_s;
        QVERIFY(writeFileAtomically(path, "{\"new\": true}\n").ok());
        QCOMPARE(readAllOf(path), QByteArray("{\"new\": true}\n"));
    }
};

QTEST_GUILESS_MAIN(TestFileIo)
#include "tst_fileio.moc"
