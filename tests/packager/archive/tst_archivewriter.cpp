// SPDX-License-Identifier: MIT
// Deterministic archive writing: the same tree gives the same bytes whatever
// the source's mtimes, owner, path or creation order; entries are sorted, owned
// by 0:0 without names, dated from the given epoch; what we write we can read.

#include "archive/archivewriter.h"
#include "archive/extractor.h"
#include "base/filehash.h"
#include "common/testutil.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <sys/stat.h>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using namespace deskpack::archive;

namespace {

constexpr qint64 Epoch = 1234567890;

void writeFile(const QString &path, const QByteArray &content, QFile::Permissions perms)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();
    QVERIFY(file.setPermissions(perms));
}

// Builds the same tree in a different creation order depending on `reverse`.
void makeTree(const QString &root, bool reverse)
{
    const auto rw = QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther;
    const auto rwx = rw | QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther;
    QList<std::function<void()>> steps = {
        [&] { writeFile(root + u"/b.txt"_s, "bee\n", rw); },
        [&] { writeFile(root + u"/B.txt"_s, "big bee\n", QFile::ReadOwner | QFile::WriteOwner); },
        [&] { writeFile(root + u"/_under.txt"_s, "u\n", rw); },
        [&] { writeFile(root + u"/bin/tool"_s, "#!/bin/sh\n", rwx); },
        [&] { writeFile(root + u"/lib/caf\u00e9.py"_s, "# utf-8 name\n", rw); },
        [&] { QDir().mkpath(root + u"/lib/empty"_s); },
        [&] {
            QVERIFY(QDir().mkpath(root + u"/bin"_s));
            QVERIFY(QFile::link(u"tool"_s, root + u"/bin/alias"_s));
        },
    };
    if (reverse)
        std::reverse(steps.begin(), steps.end());
    for (const auto &step : steps)
        step();
}

} // namespace

class TestArchiveWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void deterministic_data();
    void deterministic();
    void entriesAsPythonReadsThem();
    void refusesOutsideSymlink();

private:
    QTemporaryDir m_root;
    QString m_treeA;
    QString m_treeB;
};

void TestArchiveWriter::initTestCase()
{
    QVERIFY(m_root.isValid());
    m_treeA = m_root.filePath(u"a/tree"_s);
    m_treeB = m_root.filePath(u"elsewhere/other-tree"_s);
    makeTree(m_treeA, false);
    makeTree(m_treeB, true);
    // Different mtimes on the second tree: they must not reach the archive.
    QFile touched(m_treeB + u"/b.txt"_s);
    QVERIFY(touched.open(QIODevice::ReadWrite));
    QVERIFY(
        touched.setFileTime(QDateTime::fromSecsSinceEpoch(42), QFileDevice::FileModificationTime));
}

void TestArchiveWriter::deterministic_data()
{
    QTest::addColumn<QString>("suffix");
    QTest::newRow("tar.gz") << "tar.gz";
    QTest::newRow("tar.xz") << "tar.xz";
    QTest::newRow("tar.zst") << "tar.zst";
    QTest::newRow("zip") << "zip";
}

void TestArchiveWriter::deterministic()
{
    QFETCH(QString, suffix);
    WriteOptions options;
    options.mtime = Epoch;
    options.topLevel = u"python"_s;
    const QString first = m_root.filePath(u"first."_s + suffix);
    const QString second = m_root.filePath(u"second."_s + suffix);
    Result<WriteSummary> a = writeArchive(m_treeA, first, options);
    QVERIFY2(a, a ? "" : qPrintable(a.error().message));
    Result<WriteSummary> b = writeArchive(m_treeB, second, options);
    QVERIFY2(b, b ? "" : qPrintable(b.error().message));
    QCOMPARE(a->sha256, b->sha256);
    QCOMPARE(*sha256OfFile(first), a->sha256);
    QCOMPARE(QFileInfo(first).size(), a->archiveSize);
    QCOMPARE(a->entries, qint64(10)); // python/ + 9 entries of the tree
    QFile fa(first), fb(second);
    QVERIFY(fa.open(QIODevice::ReadOnly) && fb.open(QIODevice::ReadOnly));
    QVERIFY(fa.readAll() == fb.readAll());

    // What we write, we read back unchanged.
    QTemporaryDir out;
    Result<ExtractSummary> extracted = extractArchive(first, out.filePath(u"x"_s));
    QVERIFY2(extracted, extracted ? "" : qPrintable(extracted.error().message));
    const QString py = out.filePath(u"x/python"_s);
    QFile tool(py + u"/bin/tool"_s);
    QVERIFY(tool.open(QIODevice::ReadOnly));
    QCOMPARE(tool.readAll(), QByteArray("#!/bin/sh\n"));
    QVERIFY(tool.permissions() & QFile::ExeOther);
    QCOMPARE(QFileInfo(py + u"/bin/alias"_s).symLinkTarget(), tool.fileName());
    QVERIFY(QFileInfo(py + u"/lib/empty"_s).isDir());
    QVERIFY(QFileInfo::exists(py + u"/lib/caf\u00e9.py"_s));
    QVERIFY(QFileInfo(py + u"/B.txt"_s).permissions() & QFile::ReadOther); // 0644
}

void TestArchiveWriter::entriesAsPythonReadsThem()
{
    WriteOptions options;
    options.mtime = Epoch;
    options.topLevel = u"python"_s;
    const QString archive = m_root.filePath(u"listed.tar.gz"_s);
    QVERIFY(writeArchive(m_treeA, archive, options));
    const test::ProcessResult listed = test::runPythonScript(
        u"import gzip, json, sys, tarfile\n"
        "raw = open(sys.argv[1], 'rb').read()\n"
        "print(json.dumps({'gzip_mtime': int.from_bytes(raw[4:8], 'little'),\n"
        "  'members': [[m.name, m.mode, m.uid, m.gid, m.uname, m.gname, m.mtime,\n"
        "               m.type.decode(), m.linkname, sorted(m.pax_headers)]\n"
        "              for m in tarfile.open(sys.argv[1])]}))\n"_s,
        {archive});
    QVERIFY2(listed.exitCode == 0, listed.err.constData());
    const auto doc = nlohmann::json::parse(listed.out.toStdString());
    QCOMPARE(doc["gzip_mtime"].get<int>(), 0);
    QStringList names;
    for (const auto &m : doc["members"]) {
        const QString name = QString::fromStdString(m[0].get<std::string>());
        names.append(name);
        QCOMPARE(m[2].get<int>(), 0);
        QCOMPARE(m[3].get<int>(), 0);
        QCOMPARE(m[4].get<std::string>(), std::string());
        QCOMPARE(m[5].get<std::string>(), std::string());
        QCOMPARE(m[6].get<qint64>(), Epoch);
        const int mode = m[1].get<int>();
        const std::string type = m[7].get<std::string>();
        if (type == "2")
            QCOMPARE(m[8].get<std::string>(), std::string("tool"));
        else
            QVERIFY2(mode == 0755 || mode == 0644, qPrintable(name));
        // Only a non-ASCII name needs a pax record; no atime, ctime or pid.
        for (const auto &key : m[9])
            QCOMPARE(key.get<std::string>(), std::string("path"));
    }
    const QStringList expected = {
        u"python"_s,           u"python/B.txt"_s, u"python/_under.txt"_s,
        u"python/b.txt"_s,     u"python/bin"_s,   u"python/bin/alias"_s,
        u"python/bin/tool"_s,  u"python/lib"_s,   u"python/lib/caf\u00e9.py"_s,
        u"python/lib/empty"_s,
    };
    QCOMPARE(names, expected);
}

void TestArchiveWriter::refusesOutsideSymlink()
{
    QTemporaryDir tree;
    writeFile(tree.filePath(u"ok.txt"_s), "x", QFile::ReadOwner | QFile::WriteOwner);
    QVERIFY(QFile::link(u"../../etc/passwd"_s, tree.filePath(u"bad"_s)));
    const QString archive = m_root.filePath(u"refused.tar.gz"_s);
    Result<WriteSummary> result = writeArchive(tree.path(), archive, {});
    QVERIFY(!result);
    QCOMPARE(result.error().kind, ErrorKind::Invalid);
    QVERIFY2(result.error().message.contains(u"'bad' is a symlink to '../../etc/passwd'"_s),
             qPrintable(result.error().message));
    QVERIFY(!QFileInfo::exists(archive)); // nothing half-written

    Result<WriteSummary> unknown = writeArchive(tree.path(), m_root.filePath(u"x.rar"_s), {});
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().kind, ErrorKind::Usage);
}

QTEST_GUILESS_MAIN(TestArchiveWriter)
#include "tst_archivewriter.moc"
