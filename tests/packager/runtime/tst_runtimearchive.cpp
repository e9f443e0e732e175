// SPDX-License-Identifier: MIT
// `runtime pack` writes a reproducible install_only archive with correct
// metadata; a runtime from that archive is verified, extracted into the
// hash-keyed cache once, and reused afterwards.

#include "archive/archivewriter.h"
#include "base/filehash.h"
#include "common/testutil.h"
#include "runtime/runtimearchive.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using namespace deskpack::runtime;

namespace {

QStringList words(const char *text)
{
    return QString::fromUtf8(text).split(u' ');
}

bool writeFile(const QString &path, const QByteArray &data, bool executable = false)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
        return false;
    f.close();
    return !executable || f.setPermissions(f.permissions() | QFile::ExeOwner | QFile::ExeUser);
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
    void badArchives_data();
    void badArchives();

private:
    QTemporaryDir m_root;
    PackedRuntime m_packed;
};

void TestRuntimeArchive::initTestCase()
{
    QVERIFY(m_root.isValid());
    qunsetenv("SOURCE_DATE_EPOCH");
    Result<PackedRuntime> packed =
        packHostRuntime(u"/usr/bin/python3.11"_s, m_root.filePath(u"out/python.tar.gz"_s));
    QVERIFY2(packed, packed ? "" : qPrintable(packed.error().message));
    m_packed = *packed;
}

void TestRuntimeArchive::metadata()
{
    const test::ProcessResult host = test::runProcess(
        u"/usr/bin/python3.11"_s,
        {u"-I"_s, u"-c"_s, u"import platform; print(platform.python_version())"_s});
    QCOMPARE(m_packed.metadataPath, m_packed.archivePath + u".json"_s);
    Result<RuntimeMetadata> read = readRuntimeMetadata(m_packed.metadataPath);
    QVERIFY2(read, read ? "" : qPrintable(read.error().message));
    QCOMPARE(read->pythonVersion, QString::fromUtf8(host.out).trimmed());
    QCOMPARE(read->implementation, u"cpython"_s);
    QCOMPARE(read->abiTag, u"cp311"_s);
    QCOMPARE(read->platformTag, u"linux_x86_64"_s);
    QCOMPARE(read->interpreter, u"python/bin/python3.11"_s);
    QCOMPARE(read->archive, u"python.tar.gz"_s);
    QCOMPARE(read->sha256, *deskpack::sha256OfFile(m_packed.archivePath));
    QCOMPARE(read->size, QFileInfo(m_packed.archivePath).size());
    QVERIFY(m_packed.runtimeBytes > read->size); // compressed
}

void TestRuntimeArchive::reproducibleThroughCli()
{
    const QString second = m_root.filePath(u"again/python.tar.gz"_s);
    const test::ProcessResult r =
        test::runDeskpack({u"runtime"_s, u"pack"_s, u"--python"_s, u"/usr/bin/python3"_s, u"-o"_s,
                           second, u"--json"_s});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto doc = nlohmann::json::parse(r.out.toStdString(), nullptr, false);
    QVERIFY(!doc.is_discarded());
    QCOMPARE(QString::fromStdString(doc["sha256"].get<std::string>()), m_packed.metadata.sha256);
    QFile a(m_packed.archivePath), b(second);
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QVERIFY2(a.readAll() == b.readAll(), "two packs of the same interpreter differ");
    // The metadata names the archive by file name only, so it matches too.
    QFile ma(m_packed.metadataPath), mb(second + u".json"_s);
    QVERIFY(ma.open(QIODevice::ReadOnly) && mb.open(QIODevice::ReadOnly));
    QCOMPARE(ma.readAll(), mb.readAll());
}

void TestRuntimeArchive::cacheRoundTrip()
{
    const QString cache = m_root.filePath(u"cache"_s);
    const QString sha = m_packed.metadata.sha256;
    Result<CachedRuntime> first = runtimeFromArchive(m_packed.archivePath, sha, cache);
    QVERIFY2(first, first ? "" : qPrintable(first.error().message));
    QVERIFY(!first->reused);
    const QString entry = QFileInfo(cache).canonicalFilePath() + u'/' + sha;
    QCOMPARE(first->root, entry + u"/python"_s);
    QCOMPARE(first->interpreter, entry + u"/python/bin/python3.11"_s);
    QVERIFY(QFileInfo::exists(entry + u"/.deskpack-complete"_s));
    QCOMPARE(QDir(cache).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{sha});

    const test::ProcessResult ran = test::runProcess(
        first->interpreter, {u"-I"_s, u"-c"_s, u"import sys, ssl, sqlite3; print(sys.prefix)"_s});
    QVERIFY2(ran.exitCode == 0, ran.err.constData());
    QCOMPARE(QString::fromUtf8(ran.out).trimmed(), first->root);

    // A marker inside the extraction proves the second call did not extract again.
    QFile marker(first->root + u"/marker"_s);
    QVERIFY(marker.open(QIODevice::WriteOnly));
    marker.close();
    Result<CachedRuntime> second = runtimeFromArchive(m_packed.archivePath, sha.toUpper(), cache);
    QVERIFY2(second, second ? "" : qPrintable(second.error().message));
    QVERIFY(second->reused);
    QCOMPARE(second->root, first->root);
    QVERIFY(QFileInfo::exists(first->root + u"/marker"_s));

    // The same through the CLI, without a hash: it is computed and finds the entry.
    const test::ProcessResult cli = test::runDeskpack(
        {u"runtime"_s, u"extract"_s, m_packed.archivePath, u"--cache-dir"_s, cache, u"--json"_s});
    QVERIFY2(cli.exitCode == 0, cli.err.constData());
    const auto doc = nlohmann::json::parse(cli.out.toStdString());
    QCOMPARE(doc["reused"].get<bool>(), true);
    QCOMPARE(QString::fromStdString(doc["interpreter"].get<std::string>()), first->interpreter);
}

void TestRuntimeArchive::wrongHashLeavesCacheEmpty()
{
    const QString cache = m_root.filePath(u"cache-wrong"_s);
    const QString wrong = QString(64, u'a');
    Result<CachedRuntime> r = runtimeFromArchive(m_packed.archivePath, wrong, cache);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Invalid);
    QVERIFY2(r.error().message.contains(u"SHA-256 mismatch"_s), qPrintable(r.error().message));
    QVERIFY(
        QDir(cache).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty());

    const test::ProcessResult cli =
        test::runDeskpack({u"runtime"_s, u"extract"_s, m_packed.archivePath, u"--sha256"_s, wrong,
                           u"--cache-dir"_s, cache});
    QCOMPARE(cli.exitCode, 1);
    QVERIFY2(cli.err.contains("SHA-256 mismatch"), cli.err.constData());
}

void TestRuntimeArchive::incompleteEntryIsReplaced()
{
    // What an interrupted run or a foreign tool could leave: no stamp, so it is not trusted.
    const QString cache = m_root.filePath(u"cache-partial"_s);
    const QString sha = m_packed.metadata.sha256;
    QVERIFY(QDir().mkpath(cache + u'/' + sha + u"/python/bin"_s));
    QFile junk(cache + u'/' + sha + u"/python/bin/python3.11"_s);
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
    const test::ProcessResult r = test::runDeskpack(QStringList{u"runtime"_s} + arguments);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
}

void TestRuntimeArchive::badArchives_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("expected"); // every one must be in the message
    QTest::newRow("no interpreter")
        << u"empty"_s << QStringList{u"not an install_only runtime: no python/bin/python3.X"_s};
    QTest::newRow("two interpreters")
        << u"two"_s
        << QStringList{u"more than one interpreter (python/bin/python3.11, "
                       "python/bin/python3.12)"_s};
    QTest::newRow("32-bit ELF") << u"elf32"_s
                                << QStringList{u"python/lib/libodd.so is an ELF for "
                                               "Intel 80386 (32-bit); this machine "
                                               "runs x86-64 (64-bit)"_s};
    QTest::newRow("other-arch interpreter")
        << u"aarch64"_s << QStringList{u"python/bin/python3.11 is an ELF for AArch64 (64-bit)"_s};
    QTest::newRow("missing libpython")
        << u"nolibpython"_s
        << QStringList{u"neither in the runtime nor in the base system"_s,
                       u"python/bin/python3.12 needs libpython3.12.so.1.0"_s};
}

// Archives that are not runtimes for this machine: each is refused with a
// message naming the archive and the file, exit 2, and nothing in the cache.
void TestRuntimeArchive::badArchives()
{
    QFETCH(QString, name);
    QFETCH(QStringList, expected);
    const QString tree = m_root.filePath(u"bad/"_s + name + u"/python"_s);
    const QByteArray script = "#!/bin/sh\necho not python\n";
    QVERIFY(writeFile(tree + u"/lib/python3.11/os.py"_s, "# stdlib\n"));
    if (name == u"two") {
        QVERIFY(writeFile(tree + u"/bin/python3.11"_s, script, true));
        QVERIFY(writeFile(tree + u"/bin/python3.12"_s, script, true));
    } else if (name == u"elf32") {
        QVERIFY(writeFile(tree + u"/bin/python3.11"_s, script, true));
        QVERIFY(writeFile(tree + u"/lib/libodd.so"_s, test::elf32Header()));
    } else if (name == u"aarch64") {
        QFile python(u"/usr/bin/python3.11"_s);
        QVERIFY(python.open(QIODevice::ReadOnly));
        QByteArray data = python.readAll();
        data[18] = char(183); // e_machine = EM_AARCH64
        data[19] = 0;
        QVERIFY(writeFile(tree + u"/bin/python3.11"_s, data, true));
    } else if (name == u"nolibpython") {
        // An interpreter linked against a libpython the archive does not carry.
        if (QStandardPaths::findExecutable(u"gcc"_s).isEmpty())
            SKIP_OR_FAIL_IN_CI("gcc is not installed (Debian package gcc): this row compiles its "
                               "interpreter");
        const QString build = m_root.filePath(u"bad/libpython-build"_s);
        QVERIFY(QDir().mkpath(tree + u"/bin"_s));
        QVERIFY(writeFile(build + u"/lib.c"_s, "int Py_Main(void) { return 0; }\n"));
        QVERIFY(writeFile(build + u"/main.c"_s,
                          "int Py_Main(void);\nint main(void) { return Py_Main(); }\n"));
        test::ProcessResult cc = test::runProcess(
            u"gcc"_s, {u"-shared"_s, u"-fPIC"_s, u"-Wl,-soname,libpython3.12.so.1.0"_s,
                       build + u"/lib.c"_s, u"-o"_s, build + u"/libpython3.12.so.1.0"_s});
        QVERIFY2(cc.exitCode == 0, cc.err.constData());
        cc = test::runProcess(u"gcc"_s,
                              {build + u"/main.c"_s, build + u"/libpython3.12.so.1.0"_s,
                               u"-Wl,-rpath,"_s + build, u"-o"_s, tree + u"/bin/python3.12"_s});
        QVERIFY2(cc.exitCode == 0, cc.err.constData());
    }
    const QString archivePath = m_root.filePath(u"bad/"_s + name + u".tar.gz"_s);
    archive::WriteOptions write;
    write.topLevel = u"python"_s;
    Result<archive::WriteSummary> written = archive::writeArchive(tree, archivePath, write);
    QVERIFY2(written, written ? "" : qPrintable(written.error().message));

    const QString cache = m_root.filePath(u"bad/cache-"_s + name);
    Result<CachedRuntime> r = runtimeFromArchive(archivePath, written->sha256, cache);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Unreadable);
    QVERIFY2(r.error().message.startsWith(archivePath + u": "_s), qPrintable(r.error().message));
    for (const QString &part : std::as_const(expected))
        QVERIFY2(r.error().message.contains(part), qPrintable(r.error().message));
    QVERIFY2(
        QDir(cache).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty(),
        "a refused archive left something in the cache");

    const test::ProcessResult cli =
        test::runDeskpack({u"runtime"_s, u"extract"_s, archivePath, u"--cache-dir"_s, cache});
    QCOMPARE(cli.exitCode, 2);
    for (const QString &part : std::as_const(expected))
        QVERIFY2(QString::fromUtf8(cli.err).contains(part), cli.err.constData());
    QVERIFY(
        QDir(cache).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty());
}

QTEST_GUILESS_MAIN(TestRuntimeArchive)
#include "tst_runtimearchive.moc"
