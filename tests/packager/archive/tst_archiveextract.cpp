// SPDX-License-Identifier: MIT
// Good archives in every supported format extract to exactly the tree they
// hold: contents, modes (without set-id bits), symlinks inside the tree,
// hardlinks, empty directories and mtimes.

#include "archive/extractor.h"
#include "common/testutil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using namespace deskpack::archive;

namespace {

mode_t modeOf(const QString &path)
{
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return 0;
    return st.st_mode & 07777;
}

ino_t inodeOf(const QString &path)
{
    struct stat st
    {
    };
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0 ? st.st_ino : 0;
}

QByteArray contentOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<unreadable>");
}

QString linkOf(const QString &path)
{
    char buffer[1024];
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buffer, sizeof buffer);
    return n < 0 ? QString() : QString::fromUtf8(buffer, n);
}

} // namespace

class TestArchiveExtract : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void extractsTree_data();
    void extractsTree();
    void existingDestination();
    void destinationBehindSymlink();

private:
    QTemporaryDir m_root;
    QString m_corpus;
};

void TestArchiveExtract::initTestCase()
{
    QVERIFY(m_root.isValid());
    m_corpus = m_root.filePath(u"corpus"_s);
    const test::ProcessResult made = test::runProcess(
        test::systemPython(), {test::fixture(u"packager/archive/make_archives.py"_s), u"good"_s, m_corpus});
    QVERIFY2(made.exitCode == 0, made.err.constData());
}

void TestArchiveExtract::extractsTree_data()
{
    QTest::addColumn<QString>("archive");
    QTest::addColumn<bool>("isTar"); // zip has no hardlinks and stores local DOS times
    QTest::newRow("tar.gz") << "good.tar.gz" << true;
    QTest::newRow("tar.xz") << "good.tar.xz" << true;
    QTest::newRow("tar.zst") << "good.tar.zst" << true;
    QTest::newRow("zip") << "good.zip" << false;
}

void TestArchiveExtract::extractsTree()
{
    QFETCH(QString, archive);
    QFETCH(bool, isTar);
    QTemporaryDir out;
    const QString dest = out.filePath(u"dest"_s);
    Result<ExtractSummary> result = extractArchive(m_corpus + u'/' + archive, dest);
    QVERIFY2(result, result ? "" : qPrintable(result.error().message));
    QCOMPARE(result->destination, QFileInfo(dest).canonicalFilePath());
    QCOMPARE(result->entries, isTar ? 10 : 8);
    const QString pkg = dest + u"/pkg"_s;

    QCOMPARE(contentOf(pkg + u"/data.txt"_s), QByteArray("data\n"));
    QCOMPARE(modeOf(pkg + u"/data.txt"_s), mode_t(0644));
    QCOMPARE(contentOf(pkg + u"/run.sh"_s), QByteArray("#!/bin/sh\necho ok\n"));
    QCOMPARE(modeOf(pkg + u"/run.sh"_s), mode_t(0755));
    QCOMPARE(modeOf(pkg + u"/setuid"_s), mode_t(0755)); // set-uid bit dropped
    QCOMPARE(contentOf(pkg + u"/sub/deep.txt"_s), QByteArray("deep\n"));
    QCOMPARE(modeOf(pkg + u"/sub/deep.txt"_s), mode_t(0600));

    const QFileInfo empty(pkg + u"/empty"_s);
    QVERIFY(empty.isDir());
    QVERIFY(QDir(empty.filePath()).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot));
    QCOMPARE(modeOf(empty.filePath()), mode_t(0750));

    QVERIFY(QFileInfo(pkg + u"/link"_s).isSymLink());
    QCOMPARE(linkOf(pkg + u"/link"_s), u"data.txt"_s);
    QCOMPARE(contentOf(pkg + u"/link"_s), QByteArray("data\n"));
    QCOMPARE(linkOf(pkg + u"/sub/up"_s), u"../data.txt"_s);
    QCOMPARE(contentOf(pkg + u"/sub/up"_s), QByteArray("data\n"));

    if (isTar) {
        QCOMPARE(inodeOf(pkg + u"/hard"_s), inodeOf(pkg + u"/data.txt"_s));
        QCOMPARE(QFileInfo(pkg + u"/data.txt"_s).lastModified().toSecsSinceEpoch(),
                 qint64(1700000000));
    }
    // No staging directory is left beside the destination.
    QCOMPARE(QDir(out.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{u"dest"_s});
}

void TestArchiveExtract::existingDestination()
{
    QTemporaryDir out;
    const QString dest = out.filePath(u"dest"_s);
    const QString archive = m_corpus + u"/good.tar.gz"_s;
    QVERIFY(QDir().mkpath(dest)); // an empty directory counts as absent
    QVERIFY(extractArchive(archive, dest));

    QFile stale(dest + u"/stale.txt"_s);
    QVERIFY(stale.open(QIODevice::WriteOnly));
    stale.close();
    Result<ExtractSummary> again = extractArchive(archive, dest);
    QVERIFY(!again);
    QCOMPARE(again.error().kind, ErrorKind::Environment);
    QVERIFY2(again.error().message.contains(u"already exists"_s),
             qPrintable(again.error().message));
    QVERIFY(QFileInfo::exists(dest + u"/stale.txt"_s));

    ExtractOptions replace;
    replace.replaceExisting = true;
    Result<ExtractSummary> replaced = extractArchive(archive, dest, replace);
    QVERIFY2(replaced, replaced ? "" : qPrintable(replaced.error().message));
    QVERIFY(!QFileInfo::exists(dest + u"/stale.txt"_s));
    QVERIFY(QFileInfo::exists(dest + u"/pkg/data.txt"_s));
    QCOMPARE(QDir(out.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{u"dest"_s});
}

void TestArchiveExtract::destinationBehindSymlink()
{
    // libarchive's SECURE_SYMLINKS would refuse a path through a symlink; the
    // extractor stages under the canonical parent instead.
    QTemporaryDir out;
    QVERIFY(QDir().mkpath(out.filePath(u"real"_s)));
    QVERIFY(QFile::link(out.filePath(u"real"_s), out.filePath(u"alias"_s)));
    Result<ExtractSummary> result =
        extractArchive(m_corpus + u"/good.zip"_s, out.filePath(u"alias/dest"_s));
    QVERIFY2(result, result ? "" : qPrintable(result.error().message));
    QCOMPARE(result->destination, QFileInfo(out.filePath(u"real/dest"_s)).canonicalFilePath());
    QVERIFY(QFileInfo::exists(out.filePath(u"real/dest/pkg/data.txt"_s)));
}

QTEST_GUILESS_MAIN(TestArchiveExtract)
#include "tst_archiveextract.moc"
