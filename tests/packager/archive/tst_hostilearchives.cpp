// SPDX-License-Identifier: MIT
// Every hostile or broken archive is refused: the message names the entry (or
// the archive, when there is no entry), nothing appears outside the
// destination, and no destination or half-extracted staging tree is left.

#include "archive/extractor.h"
#include "base/filehash.h"
#include "common/testutil.h"

#include <QDir>
#include <QDirIterator>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using namespace deskpack::archive;

class TestHostileArchives : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void refused_data();
    void refused();
    void wrongSha256IsCheckedBeforeExtraction();
    void existingDestinationIsKept();

private:
    QStringList treeOf(const QString &dir) const;

    QTemporaryDir m_root;
    QString m_corpus;
    QString m_outside;
    QString m_work;
};

void TestHostileArchives::initTestCase()
{
    QVERIFY(m_root.isValid());
    m_corpus = m_root.filePath(u"corpus"_s);
    m_outside = m_root.filePath(u"outside"_s);
    m_work = m_root.filePath(u"work"_s);
    QVERIFY(QDir().mkpath(m_outside));
    QVERIFY(QDir().mkpath(m_work));
    const test::ProcessResult made =
        test::runProcess(test::systemPython(), {test::fixture(u"packager/archive/make_archives.py"_s),
                                                u"hostile"_s, m_corpus, m_outside});
    QVERIFY2(made.exitCode == 0, made.err.constData());
}

QStringList TestHostileArchives::treeOf(const QString &dir) const
{
    QStringList entries;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        entries.append(QDir(dir).relativeFilePath(it.next()));
    entries.sort();
    return entries;
}

void TestHostileArchives::refused_data()
{
    QTest::addColumn<QString>("archive");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("named"); // the message must contain this

    const int invalid = int(ErrorKind::Invalid);
    const int unreadable = int(ErrorKind::Unreadable);
    QTest::newRow("absolute path")
        << "absolute.tar.gz" << invalid << "/outside/abs.txt' has an absolute path";
    QTest::newRow("dot-dot") << "dotdot.tar.gz" << invalid
                             << "'a/../../outside/dotdot.txt' has a '..'";
    QTest::newRow("dot-dot xz") << "dotdot.tar.xz" << invalid << "'../outside/dotdot.txt'";
    QTest::newRow("dot-dot zst") << "dotdot.tar.zst" << invalid << "'../outside/dotdot.txt'";
    QTest::newRow("dot-dot zip") << "dotdot.zip" << invalid << "'../outside/dotdot.txt'";
    // libarchive turns a zip name's backslashes into slashes before we see it.
    QTest::newRow("backslash zip")
        << "backslash.zip" << invalid << "outside/backslash.txt' has a '..'";
    QTest::newRow("backslash tar")
        << "backslash.tar.gz" << invalid << "'a\\..\\..\\outside\\backslash.txt' has a '..'";
    QTest::newRow("symlink outside")
        << "symlink-outside.tar.gz" << invalid << "'escape' is a symlink to '../outside'";
    QTest::newRow("symlink absolute")
        << "symlink-absolute.tar.gz" << invalid << "'escape' is a symlink to the absolute path";
    QTest::newRow("symlink outside zip")
        << "symlink-outside.zip" << invalid << "'escape' is a symlink to '../outside'";
    QTest::newRow("symlink then file")
        << "symlink-then-file.tar.gz" << invalid
        << "'shortcut/payload.txt' would be written through the symlink 'shortcut'";
    QTest::newRow("outside symlink then file")
        << "symlink-outside-then-file.tar.gz" << invalid << "'escape'";
    QTest::newRow("symlink chain")
        << "symlink-chain.tar.gz" << invalid << "'l2' is a symlink to 'd/l1/../outside'";
    QTest::newRow("symlink replaced")
        << "symlink-replaced.tar.gz" << invalid << "'shortcut' replaces the symlink";
    QTest::newRow("hardlink outside")
        << "hardlink-outside.tar.gz" << invalid << "'hard' is a hardlink to '../outside/target'";
    QTest::newRow("hardlink absolute")
        << "hardlink-absolute.tar.gz" << invalid << "'hard' is a hardlink to '/etc/passwd'";
    QTest::newRow("device") << "device.tar.gz" << invalid << "'null' is a device";
    QTest::newRow("fifo") << "fifo.tar.gz" << invalid << "'pipe' is a device, fifo";
    QTest::newRow("truncated") << "truncated.tar.gz" << unreadable
                               << "truncated or corrupt in entry 'big.bin'";
    QTest::newRow("not an archive") << "not-an-archive.tar.gz" << unreadable
                                    << "not-an-archive.tar.gz: not a supported archive";
    QTest::newRow("empty file") << "empty.zip" << unreadable
                                << "empty.zip: not a supported archive";
}

void TestHostileArchives::refused()
{
    QFETCH(QString, archive);
    QFETCH(int, kind);
    QFETCH(QString, named);

    const QString destination = m_work + u"/dest"_s;
    Result<ExtractSummary> result = extractArchive(m_corpus + u'/' + archive, destination);
    QVERIFY2(!result, qPrintable(archive + u" was extracted"_s));
    QVERIFY2(result.error().message.contains(named), qPrintable(result.error().message));
    QCOMPARE(int(result.error().kind), kind);
    QCOMPARE(treeOf(m_outside), QStringList());
    // Neither the destination nor a staging directory survives.
    QCOMPARE(treeOf(m_work), QStringList());
}

void TestHostileArchives::wrongSha256IsCheckedBeforeExtraction()
{
    // A good archive with the wrong hash: refused before any entry is read.
    const test::ProcessResult made =
        test::runProcess(test::systemPython(), {test::fixture(u"packager/archive/make_archives.py"_s),
                                                u"good"_s, m_root.filePath(u"good"_s)});
    QVERIFY2(made.exitCode == 0, made.err.constData());
    const QString archive = m_root.filePath(u"good/good.tar.gz"_s);
    ExtractOptions options;
    options.expectedSha256 = QString(64, u'0');
    Result<ExtractSummary> result = extractArchive(archive, m_work + u"/dest"_s, options);
    QVERIFY(!result);
    QCOMPARE(result.error().kind, ErrorKind::Invalid);
    QVERIFY2(result.error().message.contains(u"SHA-256 mismatch: expected 0000"_s),
             qPrintable(result.error().message));
    QVERIFY(result.error().message.contains(*sha256OfFile(archive)));
    QCOMPARE(treeOf(m_work), QStringList());

    options.expectedSha256 = u"not-a-hash"_s;
    Result<ExtractSummary> malformed = extractArchive(archive, m_work + u"/dest"_s, options);
    QVERIFY(!malformed);
    QCOMPARE(malformed.error().kind, ErrorKind::Usage);

    options.expectedSha256 = sha256OfFile(archive)->toUpper();
    Result<ExtractSummary> good = extractArchive(archive, m_work + u"/dest"_s, options);
    QVERIFY2(good, good ? "" : qPrintable(good.error().message));
    QCOMPARE(good->sha256, *sha256OfFile(archive));
    QVERIFY(QDir(m_work).removeRecursively());
    QVERIFY(QDir().mkpath(m_work));
}

void TestHostileArchives::existingDestinationIsKept()
{
    // A refused archive must not disturb what is already at the destination,
    // even when asked to replace it.
    const QString destination = m_work + u"/dest"_s;
    QVERIFY(QDir().mkpath(destination));
    QFile marker(destination + u"/keep.txt"_s);
    QVERIFY(marker.open(QIODevice::WriteOnly));
    marker.close();
    ExtractOptions options;
    options.replaceExisting = true;
    Result<ExtractSummary> result =
        extractArchive(m_corpus + u"/symlink-then-file.tar.gz"_s, destination, options);
    QVERIFY(!result);
    QCOMPARE(treeOf(m_work), QStringList({u"dest"_s, u"dest/keep.txt"_s}));
    QVERIFY(QDir(destination).removeRecursively());
}

QTEST_GUILESS_MAIN(TestHostileArchives)
#include "tst_hostilearchives.moc"
