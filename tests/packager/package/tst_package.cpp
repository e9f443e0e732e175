// SPDX-License-Identifier: MIT
// `deskpack package` for the archive formats on the demo bundle: each built
// twice with identical bytes, read back with libarchive (sorted listing,
// owners 0, normalised mtimes, modes and symlinks kept), a damaged bundle
// refused, bad formats refused, and self-contained archives whose every ELF
// dependency resolves inside the unpacked tree.
#include "archive/extractor.h"
#include "packagetestutil.h"
#include "runtime/elfaudit.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <archive.h>
#include <archive_entry.h>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;

namespace {

struct Entry
{
    QString name;
    qint64 uid = -1;
    qint64 gid = -1;
    qint64 mtime = -1;
    int perm = 0;
    int type = 0;
    QString link;
};

QList<Entry> readEntries(const QString &path, QString *error)
{
    QList<Entry> out;
    struct archive *a = archive_read_new();
    archive_read_support_format_all(a);
    archive_read_support_filter_all(a);
    if (archive_read_open_filename(a, QFile::encodeName(path).constData(), 65536) != ARCHIVE_OK) {
        *error = QString::fromUtf8(archive_error_string(a));
        archive_read_free(a);
        return out;
    }
    struct archive_entry *e = nullptr;
    int status = ARCHIVE_OK;
    while ((status = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        Entry entry;
        entry.name = QString::fromUtf8(archive_entry_pathname_utf8(e));
        entry.uid = archive_entry_uid(e);
        entry.gid = archive_entry_gid(e);
        entry.mtime = archive_entry_mtime(e);
        entry.perm = int(archive_entry_perm(e));
        entry.type = int(archive_entry_filetype(e));
        if (const char *link = archive_entry_symlink_utf8(e))
            entry.link = QString::fromUtf8(link);
        out.append(entry);
        archive_read_data_skip(a);
    }
    if (status != ARCHIVE_EOF)
        *error = QString::fromUtf8(archive_error_string(a));
    archive_read_free(a);
    return out;
}

// Component-wise byte order ("a" < "a/b" < "a-c"? no: "a/b" sorts with "a"'s
// contents, right after "a"), the order GNU tar --sort=name produces.
QList<QByteArray> components(const QString &name)
{
    QList<QByteArray> out;
    for (const QString &part : name.split(u'/', Qt::SkipEmptyParts)) {
        if (part != u".")
            out.append(part.toUtf8());
    }
    return out;
}

QProcessEnvironment withEpoch(const QString &epoch)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (epoch.isEmpty())
        env.remove(u"SOURCE_DATE_EPOCH"_s);
    else
        env.insert(u"SOURCE_DATE_EPOCH"_s, epoch);
    return env;
}

QJsonObject parseObject(const QByteArray &data)
{
    return QJsonDocument::fromJson(data).object();
}

} // namespace

class TestPackage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_work;
    QString m_bundle;

    test::ProcessResult package(const QString &bundle, const QString &format, const QString &out,
                                const QString &epoch = u"1700000000"_s)
    {
        return test::runDeskpack(
            {u"package"_s, bundle, u"--format"_s, format, u"--out"_s, out, u"--json"_s},
            withEpoch(epoch));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        QString error;
        m_bundle = test::buildDemoBundle(m_work.filePath(u"demo"_s), &error);
        QVERIFY2(!m_bundle.isEmpty(), qPrintable(error));
    }

    void reproducibleArchive_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("suffix");
        QTest::newRow("zip") << u"zip"_s << u".zip"_s;
        QTest::newRow("tar.gz") << u"tar.gz"_s << u".tar.gz"_s;
        QTest::newRow("tar.zst") << u"tar.zst"_s << u".tar.zst"_s;
    }

    void reproducibleArchive()
    {
        QFETCH(QString, format);
        QFETCH(QString, suffix);
        const QString out1 = m_work.filePath(u"repro1-"_s + format);
        const QString out2 = m_work.filePath(u"repro2-"_s + format);
        const auto first = package(m_bundle, format, out1);
        QVERIFY2(first.exitCode == 0, first.err.constData());
        // The second build runs later, from a copy elsewhere: nothing of
        // either may reach the bytes.
        const QString copy = m_work.filePath(u"copy-"_s + format + u"/Deskpack Demo"_s);
        QDir().mkpath(QFileInfo(copy).absolutePath());
        QVERIFY(test::copyTree(m_bundle, copy));
        const auto second = package(copy, format, out2);
        QVERIFY2(second.exitCode == 0, second.err.constData());

        const QJsonObject summary = parseObject(first.out);
        const QString path = summary[u"package"_s].toString();
        QCOMPARE(QFileInfo(path).fileName(), u"deskpack-demo-1.0.0-linux-x86_64"_s + suffix);
        const QString path2 = parseObject(second.out)[u"package"_s].toString();
        const QByteArray bytes = test::readAllOf(path);
        QVERIFY(bytes.size() > 1000000);
        QVERIFY2(bytes == test::readAllOf(path2), "two builds differ");
        QCOMPARE(summary[u"sha256"_s].toString(),
                 QString::fromLatin1(
                     QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
        // Only the package, its SBOMs and the checksum list in --out: the
        // staging directory is gone. The SBOMs are as reproducible as the package.
        const QString name = QFileInfo(path).fileName();
        const QStringList sboms{name + u".cdx.json"_s, name + u".spdx.json"_s};
        QCOMPARE(QDir(out1).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot,
                                      QDir::Name),
                 (QStringList{u"SHA256SUMS"_s, name} + sboms));
        for (const QString &sbom : sboms)
            QVERIFY2(test::readAllOf(out1 + u'/' + sbom) == test::readAllOf(out2 + u'/' + sbom),
                     qPrintable(sbom));
        const QList<QByteArray> sums = test::readAllOf(out1 + u"/SHA256SUMS"_s).split('\n');
        QCOMPARE(sums.size(), 4); // three lines and the final newline
        QCOMPARE(sums[0],
                 summary[u"sha256"_s].toString().toLatin1().append("  ").append(name.toUtf8()));

        QString error;
        const QList<Entry> entries = readEntries(path, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(entries.size(), summary[u"entries"_s].toInteger());
        QCOMPARE(entries.constFirst().name.section(u'/', 0, 0), u"Deskpack Demo"_s);
        QHash<QString, Entry> byName;
        for (qsizetype i = 0; i < entries.size(); ++i) {
            const Entry &e = entries[i];
            if (i > 0)
                QVERIFY2(components(entries[i - 1].name) < components(e.name),
                         qPrintable(entries[i - 1].name + u" before "_s + e.name));
            QCOMPARE(e.uid, 0);
            QCOMPARE(e.gid, 0);
            QCOMPARE(e.mtime, 1700000000);
            byName.insert(QDir::cleanPath(e.name), e);
        }
        const QString top = u"Deskpack Demo/"_s;
        const Entry python = byName.value(top + u"runtime/bin/python3.11"_s);
        QCOMPARE(python.type, int(AE_IFREG));
        QCOMPARE(python.perm, 0755);
        const Entry script = byName.value(top + u"resources/launch_backend.py"_s);
        QCOMPARE(script.type, int(AE_IFREG));
        QCOMPARE(script.perm, 0644);
        const Entry link = byName.value(top + u"runtime/bin/python3"_s);
        QCOMPARE(link.type, int(AE_IFLNK));
        QCOMPARE(link.link, u"python3.11"_s);
        QCOMPARE(byName.value(top + u"app"_s).type, int(AE_IFDIR));
    }

    // --sign: a .minisig beside the package, SHA256SUMS listing every package
    // of the directory and signed; what stock minisign checks. The secret
    // never reaches the output; a bad key or a foreign SHA256SUMS writes nothing.
    void signedRelease()
    {
        const QString keys = m_work.filePath(u"keys"_s);
        QVERIFY(QDir().mkpath(keys));
        const QString pub = keys + u"/k.pub"_s, sec = keys + u"/k.sec"_s;
        QCOMPARE(test::runDeskpack({u"keygen"_s, u"-p"_s, pub, u"-s"_s, sec, u"-W"_s}).exitCode, 0);
        const QString out = m_work.filePath(u"signed"_s);
        auto signedPackage = [&](const QString &format, const QString &key) {
            return test::runDeskpack({u"package"_s, m_bundle, u"--format"_s, format, u"--out"_s,
                                      out, u"--sign"_s, key, u"--json"_s},
                                     withEpoch(u"1700000000"_s));
        };
        const auto tgz = signedPackage(u"tar.gz"_s, sec);
        QVERIFY2(tgz.exitCode == 0, tgz.err.constData());
        QVERIFY(tgz.err.contains("declares no signing.publicKey"));
        const auto zip = signedPackage(u"zip"_s, sec);
        QVERIFY2(zip.exitCode == 0, zip.err.constData());
        const QJsonObject summary = parseObject(zip.out);
        // Two SBOMs, three .minisig, SHA256SUMS and its .minisig.
        QCOMPARE(summary[u"releaseFiles"_s].toArray().size(), 7);
        const QString zipName = QFileInfo(summary[u"package"_s].toString()).fileName();
        const QString tgzName = QFileInfo(parseObject(tgz.out)[u"package"_s].toString()).fileName();
        const QList<QByteArray> sums =
            test::readAllOf(out + u"/SHA256SUMS"_s).trimmed().split('\n');
        QCOMPARE(sums.size(), 6); // both packages and their SBOMs, sorted by name
        QVERIFY(sums[0].endsWith(QByteArray("  ").append(tgzName.toUtf8())));
        QVERIFY(sums[3].endsWith(QByteArray("  ").append(zipName.toUtf8())));
        QCOMPARE(sums[3].left(64), summary[u"sha256"_s].toString().toLatin1());

        const QString minisign = QStandardPaths::findExecutable(u"minisign"_s);
        if (minisign.isEmpty())
            SKIP_OR_FAIL_IN_CI("minisign (Debian package minisign) is not installed");
        for (const QString &file :
             QStringList{zipName, tgzName, zipName + u".spdx.json"_s, u"SHA256SUMS"_s}) {
            const auto v = test::runProcess(minisign, {u"-Vm"_s, out + u'/' + file, u"-p"_s, pub});
            QVERIFY2(v.exitCode == 0, v.err.constData());
        }
        const QByteArray secret = test::readAllOf(sec).split('\n').value(1);
        QVERIFY(secret.size() > 100);
        for (const QByteArray &text : {tgz.out, tgz.err, zip.out, zip.err})
            QVERIFY(!text.contains(secret.left(40)));

        // Nothing new is written when the key does not open or SHA256SUMS is foreign.
        const QStringList before = QDir(out).entryList(QDir::Files, QDir::Name);
        QFile::copy(sec, keys + u"/broken.sec"_s);
        QFile broken(keys + u"/broken.sec"_s);
        QVERIFY(broken.open(QIODevice::Append));
        broken.write("junk\n");
        broken.close();
        QCOMPARE(signedPackage(u"tar.zst"_s, keys + u"/broken.sec"_s).exitCode, 2);
        QCOMPARE(QDir(out).entryList(QDir::Files, QDir::Name), before);
        const QString foreign = m_work.filePath(u"foreign"_s);
        QVERIFY(QDir().mkpath(foreign));
        QFile sumsFile(foreign + u"/SHA256SUMS"_s);
        QVERIFY(sumsFile.open(QIODevice::WriteOnly));
        sumsFile.write("d41d8cd98f00b204e9800998ecf8427e  md5-is-not-sha256\n");
        sumsFile.close();
        const auto refused = test::runDeskpack({u"package"_s, m_bundle, u"--format"_s, u"tar.gz"_s,
                                                u"--out"_s, foreign, u"--sign"_s, sec});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("SHA256SUMS:1: not a sha256sum line"),
                 refused.err.constData());
        QVERIFY(!QFileInfo::exists(foreign + u"/SHA256SUMS.minisig"_s));
    }

    // A bundle that declares a key is signed with that key only.
    void signingWithAnotherKeyRefused()
    {
        const QString keys = m_work.filePath(u"otherkeys"_s);
        QVERIFY(QDir().mkpath(keys));
        for (const char *name : {"a", "b"})
            QCOMPARE(test::runDeskpack({u"keygen"_s, u"-p"_s,
                                        keys + u'/' + QLatin1String(name) + u".pub"_s, u"-s"_s,
                                        keys + u'/' + QLatin1String(name) + u".sec"_s, u"-W"_s})
                         .exitCode,
                     0);
        const QString declared =
            QString::fromLatin1(test::readAllOf(keys + u"/a.pub"_s).split('\n').value(1).trimmed());
        const QString copy = m_work.filePath(u"declared/Deskpack Demo"_s);
        QDir().mkpath(QFileInfo(copy).absolutePath());
        QVERIFY(test::copyTree(m_bundle, copy));
        QFile manifest(copy + u"/bundle.json"_s);
        QVERIFY(manifest.open(QIODevice::ReadWrite));
        QJsonObject root = QJsonDocument::fromJson(manifest.readAll()).object();
        root[u"signing"_s] = QJsonObject{{u"publicKey"_s, declared}};
        manifest.resize(0);
        manifest.write(QJsonDocument(root).toJson());
        manifest.close();
        const QString out = m_work.filePath(u"declared-out"_s);
        const auto wrong = test::runDeskpack({u"package"_s, copy, u"--format"_s, u"tar.gz"_s,
                                              u"--out"_s, out, u"--sign"_s, keys + u"/b.sec"_s});
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY2(wrong.err.contains("is not the key"), wrong.err.constData());
        QVERIFY(QDir(out).entryList(QDir::Files).isEmpty());
        const auto right = test::runDeskpack({u"package"_s, copy, u"--format"_s, u"tar.gz"_s,
                                              u"--out"_s, out, u"--sign"_s, keys + u"/a.sec"_s});
        QVERIFY2(right.exitCode == 0, right.err.constData());
        QVERIFY(!right.err.contains("declares no signing.publicKey"));
    }

    void mtimeDefaultsToTheBundles()
    {
        const QString out = m_work.filePath(u"mtime"_s);
        const auto r = package(m_bundle, u"tar.gz"_s, out, QString());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const qint64 expected =
            QFileInfo(m_bundle + u"/bundle.json"_s).lastModified().toSecsSinceEpoch();
        QCOMPARE(parseObject(r.out)[u"mtime"_s].toInteger(), expected);
        QString error;
        const QList<Entry> entries =
            readEntries(parseObject(r.out)[u"package"_s].toString(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const Entry &e : entries)
            QCOMPARE(e.mtime, expected);
    }

    void damagedBundleRefused_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("named");
        QTest::newRow("changed file") << u"change"_s << u"changed: app/demo_backend/__main__.py"_s;
        QTest::newRow("missing file") << u"remove"_s << u"missing: resources/runner.py"_s;
        QTest::newRow("extra file") << u"extra"_s << u"extra file: app/stray.txt"_s;
    }

    void damagedBundleRefused()
    {
        QFETCH(QString, damage);
        QFETCH(QString, named);
        const QString bundle = m_work.filePath(u"damaged-"_s + damage + u"/Deskpack Demo"_s);
        QDir().mkpath(QFileInfo(bundle).absolutePath());
        QVERIFY(test::copyTree(m_bundle, bundle));
        if (damage == u"change") {
            QFile f(bundle + u"/app/demo_backend/__main__.py"_s);
            QVERIFY(f.open(QIODevice::Append));
            f.write("\n# tampered\n");
        } else if (damage == u"remove") {
            QVERIFY(QFile::remove(bundle + u"/resources/runner.py"_s));
        } else {
            QFile f(bundle + u"/app/stray.txt"_s);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("stray");
        }
        const QString out = m_work.filePath(u"damaged-out-"_s + damage);
        for (const QString &format : {u"tar.gz"_s, u"deb"_s}) {
            const auto r = package(bundle, format, out);
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains(named.toUtf8()), r.err.constData());
            QVERIFY2(r.err.contains("not packaged"), r.err.constData());
        }
        QVERIFY(
            !QFileInfo::exists(out) ||
            QDir(out).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty());
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown format")
            << QStringList{u"--format"_s, u"rpm"_s} << u"--format rpm: unknown format"_s;
        QTest::newRow("no format") << QStringList{} << u"--format is required"_s;
    }

    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const QString out = m_work.filePath(u"usage"_s);
        const auto r =
            test::runDeskpack(QStringList{u"package"_s, m_bundle, u"--out"_s, out} + arguments);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
        QVERIFY(!QFileInfo::exists(out) || QDir(out).isEmpty());
    }

    void notABundle()
    {
        const auto r = test::runDeskpack(
            {u"package"_s, m_work.filePath(u"nothing-here"_s), u"--format"_s, u"zip"_s});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("nothing-here"), r.err.constData());
    }

    // No launcher yet: a Qt GUI program at the bundle root stands in for it.
    void selfContained_data()
    {
        QTest::addColumn<QString>("format");
        QTest::newRow("tar.zst") << u"tar.zst"_s;
        QTest::newRow("zip") << u"zip"_s;
    }

    void selfContained()
    {
        QFETCH(QString, format);
        const QString bundle = m_work.filePath(u"gui-"_s + format + u"/Deskpack Demo"_s);
        QDir().mkpath(QFileInfo(bundle).absolutePath());
        QVERIFY(test::copyTree(m_bundle, bundle));
        const QString probe = test::binDir() + u"/qtguiprobe"_s;
        QVERIFY2(QFileInfo(probe).isExecutable(), "qtguiprobe was not built");
        QVERIFY(QFile::copy(probe, bundle + u"/qtguiprobe"_s));
        QFile::setPermissions(bundle + u"/qtguiprobe"_s, QFile::permissions(probe));
        QVERIFY(test::remanifest(bundle));

        const QString out = m_work.filePath(u"gui-out-"_s + format);
        const auto r = package(bundle, format, out);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject summary = parseObject(r.out);
        // (The launcher is there too once `deskpack build` ships it.)
        QVERIFY(summary[u"rootExecutables"_s].toArray().contains(u"qtguiprobe"_s));
        const QJsonArray libs = summary[u"bundledLibraries"_s].toArray();
        QVERIFY2(libs.contains(u"libQt6Core.so.6"_s), r.out.constData());
        QVERIFY2(libs.contains(u"libQt6Gui.so.6"_s), r.out.constData());
        for (const auto &lib : libs) // base-system libraries stay out
            QVERIFY2(!lib.toString().startsWith(u"libc.so"_s), qPrintable(lib.toString()));
        QVERIFY(summary[u"bundledPlugins"_s].toArray().contains(
            u"plugins/platforms/libqoffscreen.so"_s));
        // The package is reproducible with the libraries in it too.
        const auto again = package(bundle, format, out + u"-again"_s);
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QCOMPARE(parseObject(again.out)[u"sha256"_s], summary[u"sha256"_s]);
        // The source bundle itself is untouched.
        QVERIFY(!QFileInfo::exists(bundle + u"/lib"_s));
        QVERIFY(!QFileInfo::exists(bundle + u"/qt.conf"_s));
        // Packaging reads the bundle's files in place: patching the root
        // executables' RUNPATH must not reach them (every hash still matches).
        const auto intact = test::runDeskpack({u"verify"_s, bundle});
        QVERIFY2(intact.exitCode == 0, intact.out.constData());

        // Unpacked by deskpack's own (hostile-input-safe) extractor.
        const QString unpacked = m_work.filePath(u"gui-unpacked-"_s + format);
        Result<archive::ExtractSummary> x =
            archive::extractArchive(summary[u"package"_s].toString(), unpacked);
        QVERIFY2(x, x ? "" : qPrintable(x.error().message));
        const QString root = QFileInfo::exists(unpacked + u"/bundle.json"_s)
                                 ? unpacked
                                 : unpacked + u"/Deskpack Demo"_s;
        QVERIFY(QFileInfo::exists(root + u"/qt.conf"_s));
        QVERIFY(QFileInfo::exists(root + u"/lib/libQt6Core.so.6"_s));
        // The ELF audit: every NEEDED of every ELF file resolves inside the
        // tree or is a base-system library.
        const QList<runtime::ElfFinding> findings = runtime::auditElfTree(root);
        QStringList messages;
        for (const auto &f : findings)
            messages.append(f.message);
        QVERIFY2(findings.isEmpty(), qPrintable(messages.join(u'\n')));
        QCOMPARE(test::runDeskpack({u"verify"_s, root}).exitCode, 0);

        // And it runs on the bundle's own Qt: the loader mapped Qt and the
        // platform plugin from the unpacked tree, not from /usr.
        const auto run = test::runProcess(
            u"/usr/bin/env"_s, {u"-i"_s, u"QT_QPA_PLATFORM=offscreen"_s, root + u"/qtguiprobe"_s});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject seen = parseObject(run.out);
        QCOMPARE(seen[u"platform"_s].toString(), u"offscreen"_s);
        const QJsonArray mapped = seen[u"mapped"_s].toArray();
        QVERIFY2(!mapped.isEmpty(), run.out.constData());
        bool offscreenFromBundle = false;
        for (const auto &m : mapped) {
            const QString path = m.toString();
            QVERIFY2(path.startsWith(root + u'/'), qPrintable(path));
            offscreenFromBundle =
                offscreenFromBundle || path.endsWith(u"plugins/platforms/libqoffscreen.so"_s);
        }
        QVERIFY2(offscreenFromBundle, run.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestPackage)
#include "tst_package.moc"
