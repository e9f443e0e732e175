// SPDX-License-Identifier: MIT
// bundle.json: round trip, hostile manifests refused, and file verification
// (missing, changed, extra, symlinks) on a small tree.
#include "formats/bundlemanifest.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;
using namespace deskpack::formats;

namespace {

void writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
}

constexpr const char *SampleKey = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";

BundleManifest sample()
{
    BundleManifest m;
    m.id = u"demo"_s;
    m.name = u"Demo"_s;
    m.version = u"1.0"_s;
    m.entryModule = u"demo_backend"_s;
    m.entryArgs = {u"--port"_s, u"1"_s};
    m.readiness = Readiness{Readiness::Kind::Http, u"http://127.0.0.1:1/status"_s, 0, 9};
    m.python = u"runtime/bin/python3.11"_s;
    m.pythonVersion = u"3.11.2"_s;
    m.coreSitePackages = u"runtime/lib/python3.11/site-packages"_s;
    m.lock = u"app/runtime-core-lock.json"_s;
    m.lockEnvAlias = u"DEMO_LOCK"_s;
    m.env = {{u"A"_s, u"1"_s}};
    m.signingPublicKey = QString::fromLatin1(SampleKey);
    m.updateFeed = u"https://example.org/demo/feed"_s;
    m.updateChannel = u"stable"_s;
    return m;
}

void link(const QString &target, const QString &path)
{
    QVERIFY2(QFile::link(target, path), qPrintable(path));
}

// A small bundle with a link to a file, a link to a directory and an empty
// directory; returns its manifest.
BundleManifest makeTree(const QString &root)
{
    writeFile(root + u"/app/a.py"_s, "print(1)\n");
    writeFile(root + u"/app/pkg/__init__.py"_s, "");
    writeFile(root + u"/app/pkg/mod.py"_s, "x = 1\n");
    writeFile(root + u"/runtime/bin/python3.11"_s, "ELF");
    QFile::setPermissions(root + u"/runtime/bin/python3.11"_s,
                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    link(u"python3.11"_s, root + u"/runtime/bin/python3"_s);
    QDir(root).mkpath(u"runtime/lib"_s);
    link(u"../../app/pkg"_s, root + u"/runtime/lib/site"_s);
    QDir(root).mkpath(u"runtime/empty"_s);
    BundleManifest m = sample();
    Result<BundleTree> tree = scanBundleFiles(root);
    if (!tree.ok()) {
        qWarning("%s", qPrintable(tree.error().message));
        return m;
    }
    m.files = tree->files;
    m.dirs = tree->emptyDirs;
    writeFile(root + u"/bundle.json"_s, serializeManifest(m));
    return m;
}

bool removeEntry(const QString &path)
{
    const QFileInfo info(path);
    if (info.isDir() && !info.isSymLink())
        return QDir(path).removeRecursively();
    return QFile::remove(path);
}

} // namespace

class TestBundleManifest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        writeFile(dir.filePath(u"app/a.py"_s), "print(1)\n");
        writeFile(dir.filePath(u"runtime/bin/python3.11"_s), "ELF");
        QFile::setPermissions(dir.filePath(u"runtime/bin/python3.11"_s),
                              QFile::ReadOwner | QFile::ExeOwner);
        QVERIFY(QFile::link(u"python3.11"_s, dir.filePath(u"runtime/bin/python3"_s)));
        BundleManifest m = sample();
        QVERIFY(QDir(dir.path()).mkpath(u"runtime/lib/empty/deeper"_s));
        Result<BundleTree> tree = scanBundleFiles(dir.path());
        QVERIFY(tree.ok());
        const std::vector<BundleFile> *files = &tree->files;
        QCOMPARE(files->size(), 3u);
        QCOMPARE(tree->emptyDirs, QStringList{u"runtime/lib/empty/deeper"_s});
        QCOMPARE(files->at(0).path, u"app/a.py"_s);
        // sha256("print(1)\n")
        QCOMPARE(files->at(0).sha256,
                 QString::fromLatin1(
                     QCryptographicHash::hash("print(1)\n", QCryptographicHash::Sha256).toHex()));
        QCOMPARE(files->at(1).linkTarget, u"python3.11"_s);
        QVERIFY(files->at(2).executable);
        m.files = *files;
        m.dirs = tree->emptyDirs;
        writeFile(dir.filePath(u"bundle.json"_s), serializeManifest(m));
        Result<BundleManifest> read = readManifest(dir.path());
        QVERIFY2(read.ok(), read.ok() ? "" : qPrintable(read.error().message));
        QCOMPARE(*read, m);
        QCOMPARE(serializeManifest(*read), serializeManifest(m));
        Result<VerifyReport> report = verifyBundleFiles(*read, dir.path());
        QVERIFY(report.ok());
        QVERIFY(report->ok());
    }

    // "runtimeOrigin" is optional: old bundle.json files have none, and a new
    // one round-trips every member.
    void runtimeOriginRoundTrips()
    {
        BundleManifest m = sample();
        QVERIFY(!m.runtimeOrigin.has_value());
        const QByteArray old = serializeManifest(m);
        QVERIFY(!old.contains("runtimeOrigin"));
        Result<BundleManifest> readOld = parseManifest(old, u"bundle.json"_s);
        QVERIFY2(readOld.ok(), readOld.ok() ? "" : qPrintable(readOld.error().message));
        QVERIFY(!readOld->runtimeOrigin.has_value());

        m.runtimeOrigin = RuntimeOrigin{u"debian"_s, u"/usr/bin/python3.11"_s,
                                        u"python3.11-minimal"_s, u"3.11.2-6+deb12u6"_s, QString()};
        Result<BundleManifest> debian = parseManifest(serializeManifest(m), u"bundle.json"_s);
        QVERIFY(debian.ok());
        QCOMPARE(*debian, m);
        QVERIFY(!serializeManifest(m).contains("\"sha256\": \"\""));

        m.runtimeOrigin = RuntimeOrigin{u"archive"_s, u"cpython-3.12.7.tar.gz"_s, QString(),
                                        QString(), QString(64, u'a')};
        Result<BundleManifest> archive = parseManifest(serializeManifest(m), u"bundle.json"_s);
        QVERIFY(archive.ok());
        QCOMPARE(archive->runtimeOrigin->sha256, QString(64, u'a'));
        QCOMPARE(serializeManifest(*archive), serializeManifest(m));
    }

    // "update" is optional like "signing": null when the app has no feed.
    void updateIsOptional()
    {
        BundleManifest m = sample();
        m.updateFeed.clear();
        m.updateChannel.clear();
        const QByteArray text = serializeManifest(m);
        QVERIFY(text.contains("\"update\": null"));
        Result<BundleManifest> read = parseManifest(text, u"bundle.json"_s);
        QVERIFY2(read.ok(), read.ok() ? "" : qPrintable(read.error().message));
        QCOMPARE(*read, m);
        Result<BundleManifest> absent =
            parseManifest(QByteArray(text).replace("\"update\": null,", ""), u"bundle.json"_s);
        QVERIFY(absent.ok());
        QVERIFY(absent->updateFeed.isEmpty());
    }

    void updateFeedUrls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("valid");
        QTest::newRow("https") << u"https://example.org/feed"_s << true;
        QTest::newRow("http port") << u"http://127.0.0.1:8080/"_s << true;
        QTest::newRow("host only") << u"https://updates.example.org"_s << true;
        QTest::newRow("file") << u"file:///srv/feed"_s << true;
        QTest::newRow("file host") << u"file://server/srv/feed"_s << false;
        QTest::newRow("ftp") << u"ftp://example.org/feed"_s << false;
        QTest::newRow("relative") << u"feed/stable"_s << false;
        QTest::newRow("credentials") << u"https://user:pw@example.org/"_s << false;
        QTest::newRow("query") << u"https://example.org/feed?x=1"_s << false;
        QTest::newRow("space") << u"https://example.org/a b"_s << false;
        QTest::newRow("empty") << QString() << false;
    }

    void updateFeedUrls()
    {
        QFETCH(QString, url);
        QFETCH(bool, valid);
        QCOMPARE(isUpdateFeedUrl(url), valid);
    }

    void updateChannelNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("stable") << u"stable"_s << true;
        QTest::newRow("dotted") << u"beta-2.x_y"_s << true;
        QTest::newRow("64") << QString(64, u'a') << true;
        QTest::newRow("65") << QString(65, u'a') << false;
        QTest::newRow("upper") << u"Stable"_s << false;
        QTest::newRow("leading dot") << u".hidden"_s << false;
        QTest::newRow("slash") << u"a/b"_s << false;
        QTest::newRow("empty") << QString() << false;
    }

    void updateChannelNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(isUpdateChannelName(name), valid);
    }

    void verifyFindsEveryDifference()
    {
        QTemporaryDir dir;
        writeFile(dir.filePath(u"a.txt"_s), "a");
        writeFile(dir.filePath(u"b.txt"_s), "b");
        BundleManifest m = sample();
        m.files = scanBundleFiles(dir.path())->files;
        writeFile(dir.filePath(u"a.txt"_s), "A");
        QVERIFY(QFile::remove(dir.filePath(u"b.txt"_s)));
        writeFile(dir.filePath(u"c.txt"_s), "c");
        Result<VerifyReport> report = verifyBundleFiles(m, dir.path());
        QVERIFY(report.ok());
        QCOMPARE(report->missing, QStringList{u"b.txt"_s});
        QCOMPARE(report->extra, QStringList{u"c.txt"_s});
        QCOMPARE(report->changed.size(), 1);
        QVERIFY(report->changed[0].startsWith(u"a.txt: content changed"_s));
    }

    void symlinkLeavingTheBundleIsRefused()
    {
        QTemporaryDir dir;
        QVERIFY(QFile::link(u"/etc/passwd"_s, dir.filePath(u"evil"_s)));
        Result<BundleTree> files = scanBundleFiles(dir.path());
        QVERIFY(!files.ok());
        QVERIFY(files.error().message.contains(u"leaves the bundle"_s));
        QVERIFY(QFile::remove(dir.filePath(u"evil"_s)));
        QDir(dir.path()).mkpath(u"sub"_s);
        QVERIFY(QFile::link(u"../../outside"_s, dir.filePath(u"sub/up"_s)));
        QVERIFY(!scanBundleFiles(dir.path()).ok());
    }

    void directoryLinksAreRecordedAsLinks()
    {
        QTemporaryDir dir;
        const BundleManifest m = makeTree(dir.path());
        QStringList paths;
        for (const BundleFile &f : m.files)
            paths.append(f.path + (f.linkTarget.isEmpty() ? QString() : u" -> "_s + f.linkTarget));
        // runtime/lib/site is one entry, a link: nothing under it is hashed twice.
        QCOMPARE(paths,
                 (QStringList{u"app/a.py"_s, u"app/pkg/__init__.py"_s, u"app/pkg/mod.py"_s,
                              u"runtime/bin/python3 -> python3.11"_s, u"runtime/bin/python3.11"_s,
                              u"runtime/lib/site -> ../../app/pkg"_s}));
        QCOMPARE(m.dirs, QStringList{u"runtime/empty"_s});
        const QByteArray json = serializeManifest(m);
        QVERIFY(json.contains("\"runtime/lib/site\": {\n      \"link\": \"../../app/pkg\"\n    }"));
        QVERIFY(json.contains("\"dirs\": [\n    \"runtime/empty\"\n  ]"));
        Result<BundleManifest> read = readManifest(dir.path());
        QVERIFY2(read.ok(), read.ok() ? "" : qPrintable(read.error().message));
        QCOMPARE(*read, m);
        Result<VerifyReport> report = verifyBundleFiles(*read, dir.path());
        QVERIFY(report.ok());
        QVERIFY2(
            report->ok(),
            qPrintable(
                (report->missing + report->changed + report->extra + report->unsafe).join(u'\n')));
    }

    void verifySeesEveryEntry_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<QString>("list");
        QTest::addColumn<QStringList>("expected");
        auto row = [](const char *name, const char *list, const QStringList &expected) {
            QTest::newRow(name) << QString::fromLatin1(name) << QString::fromLatin1(list)
                                << expected;
        };
        row("link to /etc", "unsafe", {u"app/evil: symlink to /etc leaves the bundle"_s});
        row("link to a file outside", "unsafe",
            {u"app/passwd: symlink to /etc/passwd leaves the bundle"_s});
        row("dangling link leaving", "unsafe",
            {u"app/gone: symlink to ../../nowhere/x leaves the bundle"_s});
        row("dangling absolute link", "unsafe",
            {u"app/abs: symlink to /nonexistent/x leaves the bundle"_s});
        row("link climbing out through a link", "unsafe",
            {u"app/t: symlink to s/.. leaves the bundle (it resolves to"_s});
        row("new link to a dir inside", "extra", {u"app/lib (link to pkg)"_s});
        row("extra empty dir", "extra", {u"app/new/"_s});
        row("extra dir with a file", "extra", {u"app/new/"_s, u"app/new/x.py"_s});
        row("missing empty dir", "missing", {u"runtime/empty/"_s});
        row("fifo", "unsafe",
            {u"app/pipe: a fifo (a bundle holds only files, directories and symlinks)"_s});
        row("fifo replacing a file", "unsafe", {u"app/a.py: a fifo"_s});
        row("file replaced by dir", "changed", {u"app/a.py: a directory, expected a file"_s});
        row("dir replaced by link", "changed",
            {u"app/pkg: a link to ../runtime, expected a directory"_s});
        row("link replaced by dir", "changed",
            {u"runtime/bin/python3: a directory, expected a link to python3.11"_s});
        row("empty dir replaced by file", "changed",
            {u"runtime/empty: a file, expected a directory"_s});
        row("dir link retargeted", "changed",
            {u"runtime/lib/site: a link to ../../app, expected a link to ../../app/pkg"_s});
        row("file replaced by link", "changed",
            {u"app/a.py: a link to pkg/mod.py, expected a file"_s});
    }

    void verifySeesEveryEntry()
    {
        QFETCH(QString, change);
        QFETCH(QString, list);
        QFETCH(QStringList, expected);
        QTemporaryDir dir;
        const QString root = dir.path();
        const BundleManifest m = makeTree(root);
        QVERIFY(!m.files.empty());
        if (change == u"link to /etc")
            link(u"/etc"_s, root + u"/app/evil"_s);
        else if (change == u"link to a file outside")
            link(u"/etc/passwd"_s, root + u"/app/passwd"_s);
        else if (change == u"dangling link leaving")
            link(u"../../nowhere/x"_s, root + u"/app/gone"_s);
        else if (change == u"dangling absolute link")
            link(u"/nonexistent/x"_s, root + u"/app/abs"_s);
        else if (change == u"link climbing out through a link") {
            link(u".."_s, root + u"/app/s"_s);   // the bundle root: inside
            link(u"s/.."_s, root + u"/app/t"_s); // reads as app/, is the root's parent
        } else if (change == u"new link to a dir inside")
            link(u"pkg"_s, root + u"/app/lib"_s);
        else if (change == u"extra empty dir")
            QVERIFY(QDir(root).mkpath(u"app/new"_s));
        else if (change == u"extra dir with a file")
            writeFile(root + u"/app/new/x.py"_s, "");
        else if (change == u"missing empty dir")
            QVERIFY(QDir(root).rmdir(u"runtime/empty"_s));
        else if (change == u"fifo")
            QCOMPARE(::mkfifo(QFile::encodeName(root + u"/app/pipe"_s).constData(), 0644), 0);
        else if (change == u"fifo replacing a file") {
            QVERIFY(removeEntry(root + u"/app/a.py"_s));
            QCOMPARE(::mkfifo(QFile::encodeName(root + u"/app/a.py"_s).constData(), 0644), 0);
        } else if (change == u"file replaced by dir") {
            QVERIFY(removeEntry(root + u"/app/a.py"_s));
            QVERIFY(QDir(root).mkpath(u"app/a.py"_s));
        } else if (change == u"dir replaced by link") {
            QVERIFY(removeEntry(root + u"/app/pkg"_s));
            link(u"../runtime"_s, root + u"/app/pkg"_s);
        } else if (change == u"link replaced by dir") {
            QVERIFY(removeEntry(root + u"/runtime/bin/python3"_s));
            QVERIFY(QDir(root).mkpath(u"runtime/bin/python3"_s));
        } else if (change == u"empty dir replaced by file") {
            QVERIFY(QDir(root).rmdir(u"runtime/empty"_s));
            writeFile(root + u"/runtime/empty"_s, "");
        } else if (change == u"dir link retargeted") {
            QVERIFY(removeEntry(root + u"/runtime/lib/site"_s));
            link(u"../../app"_s, root + u"/runtime/lib/site"_s);
        } else if (change == u"file replaced by link") {
            QVERIFY(removeEntry(root + u"/app/a.py"_s));
            link(u"pkg/mod.py"_s, root + u"/app/a.py"_s);
        } else {
            QFAIL("unknown change");
        }
        Result<VerifyReport> report = verifyBundleFiles(m, root);
        QVERIFY(report.ok());
        QVERIFY(!report->ok());
        const QStringList all = report->missing + report->changed + report->extra + report->unsafe;
        const QStringList &got = list == u"unsafe"    ? report->unsafe
                                 : list == u"extra"   ? report->extra
                                 : list == u"missing" ? report->missing
                                                      : report->changed;
        QCOMPARE(got.size(), expected.size());
        for (qsizetype i = 0; i < expected.size(); ++i)
            QVERIFY2(got[i].startsWith(expected[i]), qPrintable(all.join(u'\n')));
        // A build refuses what verify calls unsafe.
        QCOMPARE(scanBundleFiles(root).ok(), report->unsafe.isEmpty());
    }

    void hostileManifests_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("fragment");
        const QByteArray base = serializeManifest(sample());
        auto withFile = [&](const char *fields) {
            QByteArray files("\"files\": {\"a\": {\"sha256\": \"");
            files.append(QByteArray(64, 'a')).append("\", ").append(fields).append("}}");
            return QByteArray(base).replace("\"files\": {}", files);
        };
        QTest::newRow("not json") << QByteArray("{") << u"not valid JSON"_s;
        QTest::newRow("schema 2") << QByteArray(base).replace("\"schema\": 1", "\"schema\": 2")
                                  << u"unsupported schema 2"_s;
        QTest::newRow("python outside")
            << QByteArray(base).replace("\"runtime/bin/python3.11\"", "\"../../usr/bin/python3\"")
            << u"bundle.json: $.python: expected a relative path inside the bundle, got string "
               "\"../../usr/bin/python3\""_s;
        QTest::newRow("absolute lock")
            << QByteArray(base).replace("\"app/runtime-core-lock.json\"", "\"/etc/passwd\"")
            << u"bundle.json: $.lock: expected a relative path inside the bundle"_s;
        QTest::newRow("file entry outside")
            << QByteArray(base).replace("\"files\": {}",
                                        "\"files\": {\"../x\": {\"sha256\": \"0\", \"size\": 1}}")
            << u"bundle.json: $.files[\"../x\"]: not a relative path inside the bundle"_s;
        QTest::newRow("missing id")
            << QByteArray(base).replace("\"id\": \"demo\",", "")
            << u"bundle.json: $.id: missing (expected a non-empty string)"_s;
        QTest::newRow("id leaves the data dir")
            << QByteArray(base).replace("\"id\": \"demo\"", "\"id\": \"../../home\"")
            << u"bundle.json: $.id: expected an app id"_s;
        QTest::newRow("id with a trailing newline")
            << QByteArray(base).replace("\"id\": \"demo\"", "\"id\": \"demo\\n\"")
            << u"bundle.json: $.id: expected an app id"_s;
        QTest::newRow("entry is a number")
            << QByteArray(base).replace("\"entry\": {", "\"entry\": 5, \"x\": {")
            << u"bundle.json: $.entry: expected an object, got number 5"_s;
        QTest::newRow("schema is a string")
            << QByteArray(base).replace("\"schema\": 1", "\"schema\": \"1\"")
            << u"bundle.json: $.schema: expected the schema number 1, got string \"1\""_s;
        QTest::newRow("port too large")
            << QByteArray(base).replace("\"kind\": \"http\"", "\"kind\": \"tcp\", \"port\": 65536")
            << u"bundle.json: $.readiness.port: expected an integer from 1 to 65535, got number "
               "65536"_s;
        QTest::newRow("timeout 1e30")
            << QByteArray(base).replace("\"timeout\": 9", "\"timeout\": 1e30")
            << u"bundle.json: $.readiness.timeout: expected an integer"_s;
        QTest::newRow("duplicate key")
            << QByteArray(base).replace("\"id\": \"demo\",", "\"id\": \"demo\", \"id\": \"x\",")
            << u"bundle.json: $.id: duplicate key"_s;
        QTest::newRow("size is a string")
            << withFile("\"size\": \"1\"")
            << u"bundle.json: $.files.a.size: expected an integer from 0 to"_s;
        QTest::newRow("sha256 not hex")
            << QByteArray(base).replace("\"files\": {}",
                                        "\"files\": {\"a\": {\"sha256\": \"zz\", \"size\": 1}}")
            << u"bundle.json: $.files.a.sha256: expected 64 hexadecimal digits"_s;
        QTest::newRow("size 2^64") << withFile("\"size\": 18446744073709551616")
                                   << u"bundle.json: $.files.a.size: expected an integer"_s;
        QTest::newRow("env name") << QByteArray(base).replace("\"A\": \"1\"", "\"A=B\": \"1\"")
                                  << u"bundle.json: $.env[\"A=B\"]: not an environment variable"_s;
        QTest::newRow("dir outside")
            << QByteArray(base).replace("\"dirs\": []", "\"dirs\": [\"a/../..\"]")
            << u"bundle.json: $.dirs[0]: expected a relative path inside the bundle"_s;
        QTest::newRow("signing key junk")
            << QByteArray(base).replace(SampleKey, QByteArray(SampleKey).append(" junk"))
            << u"$.signing.publicKey: expected a minisign public key"_s;
        QTest::newRow("signing key truncated")
            << QByteArray(base).replace(SampleKey, QByteArray(SampleKey).left(40))
            << u"$.signing.publicKey: expected a minisign public key"_s;
        QTest::newRow("signing is a string")
            << QByteArray(base).replace("\"signing\": {", "\"signing\": \"RW\", \"z\": {")
            << u"$.signing: expected an object"_s;
        QTest::newRow("update feed ftp")
            << QByteArray(base).replace("https://example.org/demo/feed", "ftp://x/feed")
            << u"$.update.feed: expected an https://, http:// or file:/// URL"_s;
        QTest::newRow("update channel path")
            << QByteArray(base).replace("\"channel\": \"stable\"", "\"channel\": \"../x\"")
            << u"$.update.channel: expected a channel name"_s;
        QTest::newRow("update channel missing")
            << QByteArray(base).replace("\"channel\": \"stable\",", "")
            << u"$.update.channel: missing"_s;
        QTest::newRow("update is a string")
            << QByteArray(base).replace("\"update\": {", "\"update\": \"x\", \"z\": {")
            << u"$.update: expected an object"_s;
        QTest::newRow("runtimeOrigin kind")
            << QByteArray(base).replace("\"schema\": 1",
                                        "\"schema\": 1, \"runtimeOrigin\": {\"kind\": \"conda\", "
                                        "\"source\": \"x\"}")
            << u"bundle.json: $.runtimeOrigin.kind: expected \"debian\", \"pyenv\""_s;
        QTest::newRow("runtimeOrigin sha256")
            << QByteArray(base).replace("\"schema\": 1",
                                        "\"schema\": 1, \"runtimeOrigin\": {\"kind\": \"archive\", "
                                        "\"source\": \"x\", \"sha256\": \"zz\"}")
            << u"bundle.json: $.runtimeOrigin.sha256: expected 64 hexadecimal digits"_s;
        QTest::newRow("runtimeOrigin not an object")
            << QByteArray(base).replace("\"schema\": 1", "\"schema\": 1, \"runtimeOrigin\": 5")
            << u"bundle.json: $.runtimeOrigin: expected an object"_s;
        QTest::newRow("deep nesting") << QByteArray(100, '[') << u"nests deeper than 16 levels"_s;
    }

    void hostileManifests()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, fragment);
        QTemporaryDir dir;
        writeFile(dir.filePath(u"bundle.json"_s), json);
        Result<BundleManifest> read = readManifest(dir.path());
        QVERIFY(!read.ok());
        QCOMPARE(read.error().kind, ErrorKind::Unreadable);
        QVERIFY2(read.error().message.contains(fragment), qPrintable(read.error().message));
        QVERIFY(read.error().message.contains(dir.filePath(u"bundle.json"_s)));
    }
};

QTEST_GUILESS_MAIN(TestBundleManifest)
#include "tst_bundlemanifest.moc"
