// SPDX-License-Identifier: MIT
// `runtime pack` writes a reproducible install_only archive with correct
// metadata; a runtime from that archive is verified, extracted into the
// hash-keyed cache once, and reused afterwards.

#include "base/filehash.h"
#include "common/testutil.h"
#include "runtime/runtimearchive.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace deskpack;
using namespace deskpack::runtime;

namespace {

QStringList words(const char *text)
{
    return QString::fromUtf8(text).split(u' ');
}

} // namespace

class TestRuntimeArchive : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void metadata();
    void reproducibleThroughCli();
    void cacheRoundTrip();
    void wrongHashLeavesCacheEmpty();
    void incompleteEntryIsReplaced();
    void cliErrors_data();
    void cliErrors();

private:
    QTemporaryDir m_root;
    PackedRuntime m_packed;
};

void TestRuntimeArchive::initTestCase()
{
    QVERIFY(m_root.isValid());
    qunsetenv("SOURCE_DATE_EPOCH");
    Result<PackedRuntime> packed =
        packHostRuntime(QStringLiteral("/usr/bin/python3.11"),
                        m_root.filePath(QStringLiteral("out/python.tar.gz")));
    QVERIFY2(packed, packed ? "" : qPrintable(packed.error().message));
    m_packed = *packed;
}

void TestRuntimeArchive::metadata()
{
    const test::ProcessResult host =
        test::runProcess(QStringLiteral("/usr/bin/python3.11"),
                         {QStringLiteral("-I"), QStringLiteral("-c"),
                          QStringLiteral("import platform; print(platform.python_version())")});
    QCOMPARE(m_packed.metadataPath, m_packed.archivePath + QStringLiteral(".json"));
    Result<RuntimeMetadata> read = readRuntimeMetadata(m_packed.metadataPath);
    QVERIFY2(read, read ? "" : qPrintable(read.error().message));
    QCOMPARE(read->pythonVersion, QString::fromUtf8(host.out).trimmed());
    QCOMPARE(read->implementation, QStringLiteral("cpython"));
    QCOMPARE(read->abiTag, QStringLiteral("cp311"));
    QCOMPARE(read->platformTag, QStringLiteral("linux_x86_64"));
    QCOMPARE(read->interpreter, QStringLiteral("python/bin/python3.11"));
    QCOMPARE(read->archive, QStringLiteral("python.tar.gz"));
    QCOMPARE(read->sha256, *deskpack::sha256OfFile(m_packed.archivePath));
    QCOMPARE(read->size, QFileInfo(m_packed.archivePath).size());
    QVERIFY(m_packed.runtimeBytes > read->size); // compressed
}

void TestRuntimeArchive::reproducibleThroughCli()
{
    const QString second = m_root.filePath(QStringLiteral("again/python.tar.gz"));
    const test::ProcessResult r =
        test::runDeskpack({QStringLiteral("runtime"), QStringLiteral("pack"),
                           QStringLiteral("--python"), QStringLiteral("/usr/bin/python3"),
                           QStringLiteral("-o"), second, QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto doc = nlohmann::json::parse(r.out.toStdString(), nullptr, false);
    QVERIFY(!doc.is_discarded());
    QCOMPARE(QString::fromStdString(doc["sha256"].get<std::string>()), m_packed.metadata.sha256);
    QFile a(m_packed.archivePath), b(second);
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QVERIFY2(a.readAll() == b.readAll(), "two packs of the same interpreter differ");
    // The metadata names the archive by file name only, so it matches too.
    QFile ma(m_packed.metadataPath), mb(second + QStringLiteral(".json"));
    QVERIFY(ma.open(QIODevice::ReadOnly) && mb.open(QIODevice::ReadOnly));
    QCOMPARE(ma.readAll(), mb.readAll());
}

void TestRuntimeArchive::cacheRoundTrip()
{
    const QString cache = m_root.filePath(QStringLiteral("cache"));
    const QString sha = m_packed.metadata.sha256;
    Result<CachedRuntime> first = runtimeFromArchive(m_packed.archivePath, sha, cache);
    QVERIFY2(first, first ? "" : qPrintable(first.error().message));
    QVERIFY(!first->reused);
    const QString entry = QFileInfo(cache).canonicalFilePath() + u'/' + sha;
    QCOMPARE(first->root, entry + QStringLiteral("/python"));
    QCOMPARE(first->interpreter, entry + QStringLiteral("/python/bin/python3.11"));
    QVERIFY(QFileInfo::exists(entry + QStringLiteral("/.deskpack-complete")));
    QCOMPARE(QDir(cache).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{sha});

    const test::ProcessResult ran = test::runProcess(
        first->interpreter, {QStringLiteral("-I"), QStringLiteral("-c"),
                             QStringLiteral("import sys, ssl, sqlite3; print(sys.prefix)")});
    QVERIFY2(ran.exitCode == 0, ran.err.constData());
    QCOMPARE(QString::fromUtf8(ran.out).trimmed(), first->root);

    // A marker inside the extraction proves the second call did not extract again.
    QFile marker(first->root + QStringLiteral("/marker"));
    QVERIFY(marker.open(QIODevice::WriteOnly));
    marker.close();
    Result<CachedRuntime> second = runtimeFromArchive(m_packed.archivePath, sha.toUpper(), cache);
    QVERIFY2(second, second ? "" : qPrintable(second.error().message));
    QVERIFY(second->reused);
    QCOMPARE(second->root, first->root);
    QVERIFY(QFileInfo::exists(first->root + QStringLiteral("/marker")));

    // The same through the CLI, without a hash: it is computed and finds the entry.
    const test::ProcessResult cli = test::runDeskpack(
        {QStringLiteral("runtime"), QStringLiteral("extract"), m_packed.archivePath,
         QStringLiteral("--cache-dir"), cache, QStringLiteral("--json")});
    QVERIFY2(cli.exitCode == 0, cli.err.constData());
    const auto doc = nlohmann::json::parse(cli.out.toStdString());
    QCOMPARE(doc["reused"].get<bool>(), true);
    QCOMPARE(QString::fromStdString(doc["interpreter"].get<std::string>()), first->interpreter);
}

void TestRuntimeArchive::wrongHashLeavesCacheEmpty()
{
    const QString cache = m_root.filePath(QStringLiteral("cache-wrong"));
    const QString wrong = QString(64, u'a');
    Result<CachedRuntime> r = runtimeFromArchive(m_packed.archivePath, wrong, cache);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Invalid);
    QVERIFY2(r.error().message.contains(QStringLiteral("SHA-256 mismatch")),
             qPrintable(r.error().message));
    QVERIFY(
        QDir(cache).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty());

    const test::ProcessResult cli = test::runDeskpack(
        {QStringLiteral("runtime"), QStringLiteral("extract"), m_packed.archivePath,
         QStringLiteral("--sha256"), wrong, QStringLiteral("--cache-dir"), cache});
    QCOMPARE(cli.exitCode, 1);
    QVERIFY2(cli.err.contains("SHA-256 mismatch"), cli.err.constData());
}

void TestRuntimeArchive::incompleteEntryIsReplaced()
{
    // What an interrupted run or a foreign tool could leave: no stamp, so it is not trusted.
    const QString cache = m_root.filePath(QStringLiteral("cache-partial"));
    const QString sha = m_packed.metadata.sha256;
    QVERIFY(QDir().mkpath(cache + u'/' + sha + QStringLiteral("/python/bin")));
    QFile junk(cache + u'/' + sha + QStringLiteral("/python/bin/python3.11"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("not python");
    junk.close();
    Result<CachedRuntime> r = runtimeFromArchive(m_packed.archivePath, sha, cache);
    QVERIFY2(r, r ? "" : qPrintable(r.error().message));
    QVERIFY(!r->reused);
    QVERIFY(QFileInfo(r->interpreter).size() > 1000);
}

void TestRuntimeArchive::cliErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    QTest::newRow("no subcommand") << QStringList() << 2 << "Usage: deskpack runtime";
    QTest::newRow("unknown subcommand") << words("unpack") << 2 << "unknown command 'unpack'";
    QTest::newRow("pack without options") << words("pack") << 2 << "give --python EXE and -o FILE";
    QTest::newRow("pack missing python") << words("pack --python /nonexistent/python3 -o x.tar.gz")
                                         << 3 << "/nonexistent/python3: no such Python interpreter";
    QTest::newRow("pack unknown format")
        << words("pack --python /usr/bin/python3.11 -o x.rar") << 2 << "unknown archive type";
    QTest::newRow("extract missing archive")
        << words("extract /nonexistent.tar.gz") << 2 << "/nonexistent.tar.gz: cannot read";
}

void TestRuntimeArchive::cliErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const test::ProcessResult r =
        test::runDeskpack(QStringList{QStringLiteral("runtime")} + arguments);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
}

QTEST_GUILESS_MAIN(TestRuntimeArchive)
#include "tst_runtimearchive.moc"
