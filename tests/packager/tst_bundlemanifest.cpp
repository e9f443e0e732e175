// SPDX-License-Identifier: MIT
// bundle.json: round trip, hostile manifests refused, and file verification
// (missing, changed, extra, symlinks) on a small tree.
#include "runner/bundlemanifest.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace deskpack::runner;

namespace {

void writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
}

BundleManifest sample()
{
    BundleManifest m;
    m.id = u"demo"_qs;
    m.name = u"Demo"_qs;
    m.version = u"1.0"_qs;
    m.entryModule = u"demo_backend"_qs;
    m.entryArgs = {u"--port"_qs, u"1"_qs};
    m.readiness = Readiness{Readiness::Kind::Http, u"http://127.0.0.1:1/status"_qs, 0, 9};
    m.python = u"runtime/bin/python3.11"_qs;
    m.pythonVersion = u"3.11.2"_qs;
    m.coreSitePackages = u"runtime/lib/python3.11/site-packages"_qs;
    m.lock = u"app/runtime-core-lock.json"_qs;
    m.lockEnvAlias = u"DEMO_LOCK"_qs;
    m.env = {{u"A"_qs, u"1"_qs}};
    return m;
}

} // namespace

class TestBundleManifest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        writeFile(dir.filePath(u"app/a.py"_qs), "print(1)\n");
        writeFile(dir.filePath(u"runtime/bin/python3.11"_qs), "ELF");
        QFile::setPermissions(dir.filePath(u"runtime/bin/python3.11"_qs),
                              QFile::ReadOwner | QFile::ExeOwner);
        QVERIFY(QFile::link(u"python3.11"_qs, dir.filePath(u"runtime/bin/python3"_qs)));
        BundleManifest m = sample();
        Result<std::vector<BundleFile>> files = scanBundleFiles(dir.path());
        QVERIFY(files.ok());
        QCOMPARE(files->size(), 3u);
        QCOMPARE(files->at(0).path, u"app/a.py"_qs);
        // sha256("print(1)\n")
        QCOMPARE(files->at(0).sha256,
                 QString::fromLatin1(
                     QCryptographicHash::hash("print(1)\n", QCryptographicHash::Sha256).toHex()));
        QCOMPARE(files->at(1).linkTarget, u"python3.11"_qs);
        QVERIFY(files->at(2).executable);
        m.files = *files;
        writeFile(dir.filePath(u"bundle.json"_qs), serializeManifest(m));
        Result<BundleManifest> read = readManifest(dir.path());
        QVERIFY2(read.ok(), read.ok() ? "" : qPrintable(read.error().message));
        QCOMPARE(*read, m);
        QCOMPARE(serializeManifest(*read), serializeManifest(m));
        Result<VerifyReport> report = verifyBundleFiles(*read, dir.path());
        QVERIFY(report.ok());
        QVERIFY(report->ok());
    }

    void verifyFindsEveryDifference()
    {
        QTemporaryDir dir;
        writeFile(dir.filePath(u"a.txt"_qs), "a");
        writeFile(dir.filePath(u"b.txt"_qs), "b");
        BundleManifest m = sample();
        m.files = *scanBundleFiles(dir.path());
        writeFile(dir.filePath(u"a.txt"_qs), "A");
        QVERIFY(QFile::remove(dir.filePath(u"b.txt"_qs)));
        writeFile(dir.filePath(u"c.txt"_qs), "c");
        Result<VerifyReport> report = verifyBundleFiles(m, dir.path());
        QVERIFY(report.ok());
        QCOMPARE(report->missing, QStringList{u"b.txt"_qs});
        QCOMPARE(report->extra, QStringList{u"c.txt"_qs});
        QCOMPARE(report->changed.size(), 1);
        QVERIFY(report->changed[0].startsWith(u"a.txt: content changed"_qs));
    }

    void symlinkLeavingTheBundleIsRefused()
    {
        QTemporaryDir dir;
        QVERIFY(QFile::link(u"/etc/passwd"_qs, dir.filePath(u"evil"_qs)));
        Result<std::vector<BundleFile>> files = scanBundleFiles(dir.path());
        QVERIFY(!files.ok());
        QVERIFY(files.error().message.contains(u"leaves the bundle"_qs));
        QVERIFY(QFile::remove(dir.filePath(u"evil"_qs)));
        QDir(dir.path()).mkpath(u"sub"_qs);
        QVERIFY(QFile::link(u"../../outside"_qs, dir.filePath(u"sub/up"_qs)));
        QVERIFY(!scanBundleFiles(dir.path()).ok());
    }

    void hostileManifests_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("fragment");
        const QByteArray base = serializeManifest(sample());
        QTest::newRow("not json") << QByteArray("{") << u"not valid JSON"_qs;
        QTest::newRow("schema 2") << QByteArray(base).replace("\"schema\": 1", "\"schema\": 2")
                                  << u"unsupported schema 2"_qs;
        QTest::newRow("python outside")
            << QByteArray(base).replace("\"runtime/bin/python3.11\"", "\"../../usr/bin/python3\"")
            << u"\"python\" must be a path inside the bundle"_qs;
        QTest::newRow("absolute lock")
            << QByteArray(base).replace("\"app/runtime-core-lock.json\"", "\"/etc/passwd\"")
            << u"\"lock\" must be a path inside the bundle"_qs;
        QTest::newRow("file entry outside")
            << QByteArray(base).replace("\"files\": {}",
                                        "\"files\": {\"../x\": {\"sha256\": \"0\", \"size\": 1}}")
            << u"files: \"../x\" is not a path inside the bundle"_qs;
        QTest::newRow("missing id")
            << QByteArray(base).replace("\"id\": \"demo\",", "") << u"missing key \"id\""_qs;
        QTest::newRow("deep nesting") << QByteArray(100, '[') << u"nests deeper than 16 levels"_qs;
    }

    void hostileManifests()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, fragment);
        QTemporaryDir dir;
        writeFile(dir.filePath(u"bundle.json"_qs), json);
        Result<BundleManifest> read = readManifest(dir.path());
        QVERIFY(!read.ok());
        QCOMPARE(read.error().kind, ErrorKind::Unreadable);
        QVERIFY2(read.error().message.contains(fragment), qPrintable(read.error().message));
        QVERIFY(read.error().message.contains(dir.filePath(u"bundle.json"_qs)));
    }
};

QTEST_GUILESS_MAIN(TestBundleManifest)
#include "tst_bundlemanifest.moc"
