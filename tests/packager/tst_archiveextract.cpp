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
    m_corpus = m_root.filePath(QStringLiteral("corpus"));
    const test::ProcessResult made = test::runProcess(
        test::systemPython(), {test::fixture(QStringLiteral("packager/make_archives.py")),
                               QStringLiteral("good"), m_corpus});
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
    const QString dest = out.filePath(QStringLiteral("dest"));
    Result<ExtractSummary> result = extractArchive(m_corpus + u'/' + archive, dest);
    QVERIFY2(result, result ? "" : qPrintable(result.error().message));
    QCOMPARE(result->destination, QFileInfo(dest).canonicalFilePath());
    QCOMPARE(result->entries, isTar ? 10 : 8);
    const QString pkg = dest + QStringLiteral("/pkg");

    QCOMPARE(contentOf(pkg + QStringLiteral("/data.txt")), QByteArray("data\n"));
    QCOMPARE(modeOf(pkg + QStringLiteral("/data.txt")), mode_t(0644));
    QCOMPARE(contentOf(pkg + QStringLiteral("/run.sh")), QByteArray("#!/bin/sh\necho ok\n"));
    QCOMPARE(modeOf(pkg + QStringLiteral("/run.sh")), mode_t(0755));
    QCOMPARE(modeOf(pkg + QStringLiteral("/setuid")), mode_t(0755)); // set-uid bit dropped
    QCOMPARE(contentOf(pkg + QStringLiteral("/sub/deep.txt")), QByteArray("deep\n"));
    QCOMPARE(modeOf(pkg + QStringLiteral("/sub/deep.txt")), mode_t(0600));

    const QFileInfo empty(pkg + QStringLiteral("/empty"));
    QVERIFY(empty.isDir());
    QVERIFY(QDir(empty.filePath()).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot));
    QCOMPARE(modeOf(empty.filePath()), mode_t(0750));

    QVERIFY(QFileInfo(pkg + QStringLiteral("/link")).isSymLink());
    QCOMPARE(linkOf(pkg + QStringLiteral("/link")), QStringLiteral("data.txt"));
    QCOMPARE(contentOf(pkg + QStringLiteral("/link")), QByteArray("data\n"));
    QCOMPARE(linkOf(pkg + QStringLiteral("/sub/up")), QStringLiteral("../data.txt"));
    QCOMPARE(contentOf(pkg + QStringLiteral("/sub/up")), QByteArray("data\n"));

    if (isTar) {
        QCOMPARE(inodeOf(pkg + QStringLiteral("/hard")),
                 inodeOf(pkg + QStringLiteral("/data.txt")));
        QCOMPARE(QFileInfo(pkg + QStringLiteral("/data.txt")).lastModified().toSecsSinceEpoch(),
                 qint64(1700000000));
    }
    // No staging directory is left beside the destination.
    QCOMPARE(QDir(out.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{QStringLiteral("dest")});
}

void TestArchiveExtract::existingDestination()
{
    QTemporaryDir out;
    const QString dest = out.filePath(QStringLiteral("dest"));
    const QString archive = m_corpus + QStringLiteral("/good.tar.gz");
    QVERIFY(QDir().mkpath(dest)); // an empty directory counts as absent
    QVERIFY(extractArchive(archive, dest));

    QFile stale(dest + QStringLiteral("/stale.txt"));
    QVERIFY(stale.open(QIODevice::WriteOnly));
    stale.close();
    Result<ExtractSummary> again = extractArchive(archive, dest);
    QVERIFY(!again);
    QCOMPARE(again.error().kind, ErrorKind::Environment);
    QVERIFY2(again.error().message.contains(QStringLiteral("already exists")),
             qPrintable(again.error().message));
    QVERIFY(QFileInfo::exists(dest + QStringLiteral("/stale.txt")));

    ExtractOptions replace;
    replace.replaceExisting = true;
    Result<ExtractSummary> replaced = extractArchive(archive, dest, replace);
    QVERIFY2(replaced, replaced ? "" : qPrintable(replaced.error().message));
    QVERIFY(!QFileInfo::exists(dest + QStringLiteral("/stale.txt")));
    QVERIFY(QFileInfo::exists(dest + QStringLiteral("/pkg/data.txt")));
    QCOMPARE(QDir(out.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{QStringLiteral("dest")});
}

void TestArchiveExtract::destinationBehindSymlink()
{
    // libarchive's SECURE_SYMLINKS would refuse a path through a symlink; the
    // extractor stages under the canonical parent instead.
    QTemporaryDir out;
    QVERIFY(QDir().mkpath(out.filePath(QStringLiteral("real"))));
    QVERIFY(
        QFile::link(out.filePath(QStringLiteral("real")), out.filePath(QStringLiteral("alias"))));
    Result<ExtractSummary> result = extractArchive(m_corpus + QStringLiteral("/good.zip"),
                                                   out.filePath(QStringLiteral("alias/dest")));
    QVERIFY2(result, result ? "" : qPrintable(result.error().message));
    QCOMPARE(result->destination,
             QFileInfo(out.filePath(QStringLiteral("real/dest"))).canonicalFilePath());
    QVERIFY(QFileInfo::exists(out.filePath(QStringLiteral("real/dest/pkg/data.txt"))));
}

QTEST_GUILESS_MAIN(TestArchiveExtract)
#include "tst_archiveextract.moc"
