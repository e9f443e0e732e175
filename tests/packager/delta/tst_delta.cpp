// SPDX-License-Identifier: MIT
// Writing and applying deltas between hand-made bundle trees: what each kind
// of change costs, that applying rebuilds the new tree exactly, determinism,
// and the refusals (changed source, cancel, full disk).
#include "delta/delta.h"

#include "base/fileio.h"
#include "common/smallfs.h"
#include "common/testutil.h"
#include "deltatrees.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace deskpack::test;

class TestDelta : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_count = 0;

    QString fresh(const QString &name) { return m_dir.filePath(name + QString::number(++m_count)); }

    // Writes both trees and the delta between them.
    delta::DeltaSummary makeDelta(const TreeSpec &from, const TreeSpec &to, QString *fromDir,
                                  QString *toDir, QString *deltaFile, int level = 19)
    {
        *fromDir = fresh(u"from"_s);
        *toDir = fresh(u"to"_s);
        *deltaFile = fresh(u"update"_s) + u".delta"_s;
        if (!writeTree(*fromDir, from) || !writeTree(*toDir, to))
            qFatal("cannot write the trees");
        Result<delta::DeltaSummary> written =
            delta::writeDelta(*fromDir, *toDir, *deltaFile, delta::DeltaOptions{level});
        if (!written)
            qFatal("%s", qPrintable(written.error().message));
        return *written;
    }

    // Applies and checks the result is toDir exactly (every entry, bundle.json's bytes).
    static void checkApplies(const QString &fromDir, const QString &toDir, const QString &deltaFile,
                             const QString &outDir)
    {
        Result<delta::DeltaSummary> applied = delta::applyDelta(fromDir, deltaFile, outDir);
        QVERIFY2(applied.ok(), qPrintable(applied ? QString() : applied.error().message));
        QCOMPARE(readBytes(outDir + u"/bundle.json"_s), readBytes(toDir + u"/bundle.json"_s));
        Result<formats::BundleTree> want = formats::scanBundleTree(toDir);
        Result<formats::BundleTree> have = formats::scanBundleTree(outDir);
        QVERIFY(want.ok() && have.ok());
        QCOMPARE(have->files, want->files);
        QCOMPARE(have->dirs, want->dirs);
        QCOMPARE(have->emptyDirs, want->emptyDirs);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void oneFileChanged()
    {
        TreeSpec to = baseSpec();
        to.version = u"1.0.1"_s;
        QByteArray &big = to.files[u"runtime/lib/python3.11/site-packages/demo/big.py"_s];
        big.replace("function_2000(", "renamed_2000(");
        QString from, toDir, file;
        const delta::DeltaSummary s = makeDelta(baseSpec(), to, &from, &toDir, &file);
        QCOMPARE(s.appId, u"delta-demo"_s);
        QCOMPARE(s.fromVersion, u"1.0.0"_s);
        QCOMPARE(s.toVersion, u"1.0.1"_s);
        QCOMPARE(s.patched, 1);
        QCOMPARE(s.added, 0);
        QCOMPARE(s.removed, 0);
        QCOMPARE(s.unchanged, 7);
        QCOMPARE(s.size, QFileInfo(file).size());
        QVERIFY2(s.size < big.size() / 20, qPrintable(QString::number(s.size)));
        Result<delta::DeltaSummary> header = delta::readDeltaHeader(file);
        QVERIFY(header.ok());
        QCOMPARE(header->sha256, s.sha256);
        QCOMPARE(header->patched, 1);
        checkApplies(from, toDir, file, fresh(u"out"_s));
        // Nothing is left beside the delta (temporaries, scratch trees).
        QCOMPARE(QDir(QFileInfo(file).absolutePath())
                     .entryList({QFileInfo(file).fileName() + u"*"_s, u".deskpack*"_s},
                                QDir::AllEntries | QDir::Hidden)
                     .size(),
                 1);
    }

    void addedRemovedRenamed()
    {
        TreeSpec to = baseSpec();
        to.version = u"1.1.0"_s;
        to.files[u"app/new/plugin.py"_s] = lines(200, "plugin");
        to.files.remove(u"app/main.py"_s);
        to.files[u"app/moved/table.bin"_s] = to.files.take(u"app/data/table.bin"_s);
        QString from, toDir, file;
        const delta::DeltaSummary s = makeDelta(baseSpec(), to, &from, &toDir, &file);
        QCOMPARE(s.added, 1);
        QCOMPARE(s.removed, 2); // main.py, and table.bin from its old place
        QCOMPARE(s.patched, 0);
        QCOMPARE(s.unchanged, 7); // the moved table.bin among them
        // The moved 20 kB of noise is not stored again.
        QVERIFY2(s.size < 8000, qPrintable(QString::number(s.size)));
        checkApplies(from, toDir, file, fresh(u"out"_s));
    }

    void executableBitLinksAndDirs()
    {
        TreeSpec to = baseSpec();
        to.version = u"1.0.2"_s;
        to.executables.remove(u"app/tool.sh"_s);
        to.executables.insert(u"app/main.py"_s);
        to.links[u"runtime/bin/python3"_s] = u"../bin/python3.11"_s;
        to.links[u"app/lib"_s] = u"../runtime/lib"_s;
        to.emptyDirs = {u"app/logs"_s, u"app/cache/deep/er"_s};
        QString from, toDir, file;
        const delta::DeltaSummary s = makeDelta(baseSpec(), to, &from, &toDir, &file);
        QCOMPARE(s.patched + s.added, 0);
        QVERIFY2(s.size < 3000, qPrintable(QString::number(s.size)));
        const QString out = fresh(u"out"_s);
        checkApplies(from, toDir, file, out);
        QVERIFY(QFileInfo(out + u"/app/main.py"_s).permissions() & QFile::ExeOwner);
        QVERIFY(!(QFileInfo(out + u"/app/tool.sh"_s).permissions() & QFile::ExeOwner));
        QCOMPARE(readLinkTarget(out + u"/app/lib"_s), u"../runtime/lib"_s);
    }

    void identicalTrees()
    {
        QString from, toDir, file;
        const delta::DeltaSummary s = makeDelta(baseSpec(), baseSpec(), &from, &toDir, &file);
        QCOMPARE(s.patched + s.added + s.removed, 0);
        QCOMPARE(s.unchanged, 8);
        QVERIFY2(s.size < 2000, qPrintable(QString::number(s.size)));
        checkApplies(from, toDir, file, fresh(u"out"_s));
    }

    void bigFileOneByte()
    {
        TreeSpec from = baseSpec();
        from.files[u"runtime/lib/libbig.so"_s] = noise(5 << 20, 3);
        TreeSpec to = from;
        to.version = u"1.0.3"_s;
        to.files[u"runtime/lib/libbig.so"_s][3 << 20] = 'x';
        QString fromDir, toDir, file;
        const delta::DeltaSummary s = makeDelta(from, to, &fromDir, &toDir, &file);
        QCOMPARE(s.patched, 1);
        QVERIFY2(s.size < 4000, qPrintable(QString::number(s.size)));
        checkApplies(fromDir, toDir, file, fresh(u"out"_s));
    }

    void deterministic()
    {
        TreeSpec to = baseSpec();
        to.version = u"2.0.0"_s;
        to.files[u"app/main.py"_s] = lines(40, "main2");
        to.files[u"app/extra.bin"_s] = noise(3000, 9);
        QString from, toDir, file;
        makeDelta(baseSpec(), to, &from, &toDir, &file);
        const QString again = fresh(u"again"_s) + u".delta"_s;
        QVERIFY(delta::writeDelta(from, toDir, again).ok());
        QCOMPARE(readBytes(again), readBytes(file));
        // Over an existing file: replaced.
        QVERIFY(delta::writeDelta(from, toDir, again).ok());
        QCOMPARE(readBytes(again), readBytes(file));
    }

    void treesThatDoNotVerifyAreRefused()
    {
        const QString from = fresh(u"from"_s), to = fresh(u"to"_s);
        QVERIFY(writeTree(from, baseSpec()));
        QVERIFY(writeTree(to, baseSpec()));
        QVERIFY(writeBytes(to + u"/app/main.py"_s, "tampered\n"));
        const QString file = fresh(u"d"_s) + u".delta"_s;
        Result<delta::DeltaSummary> written = delta::writeDelta(from, to, file);
        QVERIFY(!written.ok());
        QCOMPARE(written.error().kind, ErrorKind::Invalid);
        QVERIFY2(written.error().message.contains(to), qPrintable(written.error().message));
        QVERIFY(!QFileInfo::exists(file));
    }

    void sourceChangedSinceInstall()
    {
        TreeSpec to = baseSpec();
        to.version = u"1.0.1"_s;
        to.files[u"app/main.py"_s] += "# more\n";
        QString from, toDir, file;
        makeDelta(baseSpec(), to, &from, &toDir, &file);
        // A patch source, then a copied one.
        for (const QString &changed : {u"app/main.py"_s, u"app/data/table.bin"_s}) {
            const QString dir = fresh(u"installed"_s);
            QVERIFY(writeTree(dir, baseSpec()));
            QVERIFY(writeBytes(dir + u'/' + changed, "edited by hand\n"));
            const QString out = fresh(u"out"_s);
            Result<delta::DeltaSummary> applied = delta::applyDelta(dir, file, out);
            QVERIFY(!applied.ok());
            QCOMPARE(applied.error().kind, ErrorKind::Invalid);
            QVERIFY2(applied.error().message.contains(dir + u'/' + changed +
                                                      u": changed since it was installed"_s),
                     qPrintable(applied.error().message));
            QVERIFY(!QFileInfo::exists(out));
        }
    }

    void wrongTreeOrOutDirRefused()
    {
        TreeSpec to = baseSpec();
        to.version = u"1.0.1"_s;
        QString from, toDir, file;
        makeDelta(baseSpec(), to, &from, &toDir, &file);
        Result<delta::DeltaSummary> applied = delta::applyDelta(toDir, file, fresh(u"out"_s));
        QVERIFY(!applied.ok());
        QVERIFY2(applied.error().message.contains(u"applies to delta-demo 1.0.0"_s),
                 qPrintable(applied.error().message));
        applied = delta::applyDelta(from, file, toDir);
        QVERIFY(!applied.ok());
        QCOMPARE(applied.error().kind, ErrorKind::Usage);
        QVERIFY(QFileInfo::exists(toDir + u"/bundle.json"_s));
    }

    void progressAndCancel()
    {
        TreeSpec to = baseSpec();
        to.version = u"1.0.1"_s;
        QString from, toDir, file;
        makeDelta(baseSpec(), to, &from, &toDir, &file);
        QList<double> seen;
        delta::ApplyOptions options;
        options.progress = [&seen](double f) {
            seen.append(f);
            return true;
        };
        QVERIFY(delta::applyDelta(from, file, fresh(u"out"_s), options).ok());
        QVERIFY(!seen.isEmpty());
        QCOMPARE(seen.last(), 1.0);
        options.progress = [](double) {
            return false;
        };
        const QString out = fresh(u"out"_s);
        Result<delta::DeltaSummary> cancelled = delta::applyDelta(from, file, out, options);
        QVERIFY(!cancelled.ok());
        QCOMPARE(cancelled.error().kind, ErrorKind::Environment);
        QVERIFY(cancelled.error().message.contains(u"cancelled"_s));
        QVERIFY(!QFileInfo::exists(out));
    }

    void fullDisk()
    {
        TreeSpec to = baseSpec();
        to.version = u"1.0.1"_s;
        QString from, toDir, file;
        makeDelta(baseSpec(), to, &from, &toDir, &file);
        const QString small = fresh(u"small"_s);
        QVERIFY(QDir().mkpath(small));
        const QString why = mountSmallTmpfs(small, 64 << 10);
        if (!why.isEmpty())
            SKIP_OR_FAIL_IN_CI(u"a full disk is needed: no private tmpfs (needs root): "_s + why);
        const QString out = small + u"/out"_s;
        Result<delta::DeltaSummary> applied = delta::applyDelta(from, file, out);
        const bool left = QFileInfo::exists(out);
        unmountSmallTmpfs(small);
        QVERIFY(!left);
        QVERIFY(!applied.ok());
        QCOMPARE(applied.error().kind, ErrorKind::Environment);
        QVERIFY2(applied.error().message.contains(u"No space left"_s),
                 qPrintable(applied.error().message));
        QVERIFY2(applied.error().message.contains(file), qPrintable(applied.error().message));
    }
};

QTEST_GUILESS_MAIN(TestDelta)
#include "tst_delta.moc"
