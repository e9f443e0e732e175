// SPDX-License-Identifier: MIT
// Generating a lock from fixture site-packages that mix every layout:
// dist-info with and without top_level.txt, egg-info directories and files,
// installed-files.txt, namespace packages, extension modules, duplicates.
#include "common/testutil.h"
#include "lock/lockfile.h"
#include "lock/sitepackages.h"
#include "locktestutil.h"

#include <QDir>
#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using namespace deskpack::lock;

namespace {

QString sitePackages()
{
    return test::fixture(u"packager/lock/fixtures/site-packages"_s);
}

} // namespace

class TestLockGenerator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesGoldenLock()
    {
        Result<InstalledSet> installed = scanInstalled({sitePackages()});
        QVERIFY(installed.ok());
        QFile golden(test::fixture(u"packager/lock/fixtures/site-packages.lock.json"_s));
        QVERIFY(golden.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(serializeLock(lockFromInstalled(*installed))),
                 QString::fromUtf8(golden.readAll()));
    }

    void modulesBySource_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("modules");
        QTest::addColumn<int>("source");
        using S = InstalledDistribution::ModuleSource;
        QTest::newRow("top_level.txt with blank and comment lines")
            << u"Alpha"_s << QStringList{u"alpha"_s} << int(S::TopLevelTxt);
        QTest::newRow("RECORD: packages, modules, extensions; scripts, data, .. excluded")
            << u"beta-pkg"_s
            << QStringList{u"_beta_speedups"_s, u"beta"_s, u"beta_abi"_s, u"beta_helper"_s,
                           u"beta_win"_s}
            << int(S::Record);
        QTest::newRow("egg-info directory")
            << u"gamma"_s << QStringList{u"gamma"_s} << int(S::TopLevelTxt);
        QTest::newRow("single-file egg-info: name on disk")
            << u"Delta"_s << QStringList{u"delta"_s} << int(S::NameOnDisk);
        QTest::newRow("installed-files.txt")
            << u"eta"_s << QStringList{u"eta"_s} << int(S::InstalledFiles);
        QTest::newRow("namespace package from RECORD")
            << u"zeta.ns"_s << QStringList{u"zeta"_s} << int(S::Record);
        QTest::newRow("unicode") << u"Café-Lib"_s << QStringList{u"café"_s} << int(S::TopLevelTxt);
        QTest::newRow("stale names dropped, pkg/sub folded")
            << u"iota"_s << QStringList{u"iota"_s} << int(S::TopLevelTxt);
        QTest::newRow("nothing importable") << u"theta"_s << QStringList{} << int(S::None);
    }

    void modulesBySource()
    {
        QFETCH(QString, name);
        QFETCH(QStringList, modules);
        QFETCH(int, source);
        Result<InstalledSet> installed = scanInstalled({sitePackages()});
        QVERIFY(installed.ok());
        const auto it =
            std::find_if(installed->distributions.cbegin(), installed->distributions.cend(),
                         [&](const InstalledDistribution &d) { return d.name == name; });
        QVERIFY2(it != installed->distributions.cend(), qPrintable(name));
        QCOMPARE(it->topLevelModules, modules);
        QCOMPARE(int(it->moduleSource), source);
    }

    void warnings()
    {
        Result<InstalledSet> installed = scanInstalled({sitePackages()});
        QVERIFY(installed.ok());
        const QList<Problem> &p = installed->problems;
        QCOMPARE(errorCount(p), 0);
        QVERIFY(test::findProblem(p, u"skipped"_s,
                                  u"nameless-1.0.dist-info: metadata has no Name field"_s));
        QVERIFY(
            test::findProblem(p, u"duplicate-merged"_s,
                              u"epsilon.egg-info: warning: Epsilon 1.2 is also installed at "_s));
        QVERIFY(test::findProblem(p, u"missing-module"_s, u"iota names module \"ghost\""_s));
        QVERIFY(test::findProblem(p, u"no-modules"_s, u"theta"_s));
        QCOMPARE(p.size(), 4);
    }

    void sameVersionTwiceIsOneEntry()
    {
        Result<InstalledSet> installed = scanInstalled({sitePackages()});
        QVERIFY(installed.ok());
        const auto count = std::count_if(
            installed->distributions.cbegin(), installed->distributions.cend(),
            [](const InstalledDistribution &d) { return canonicalName(d.name) == u"epsilon"; });
        QCOMPARE(count, 1);
    }

    void twoVersionsFailNamingBothPaths()
    {
        const QString dir = test::fixture(u"packager/lock/fixtures/site-conflict"_s);
        Result<InstalledSet> installed = scanInstalled({dir});
        QVERIFY(installed.ok());
        QCOMPARE(errorCount(installed->problems), 1);
        const QString text = installed->problems.constFirst().toString();
        QVERIFY2(text.contains(dir + u"/kappa-1.0.dist-info"_s), qPrintable(text));
        QVERIFY2(text.contains(dir + u"/kappa-2.0.dist-info"_s), qPrintable(text));
        QCOMPARE(installed->problems.constFirst().code, u"conflicting-versions"_s);
    }

    void twoVersionsAcrossDirectoriesFail()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(u"alpha-2.0.dist-info"_s));
        QFile meta(dir.filePath(u"alpha-2.0.dist-info/METADATA"_s));
        QVERIFY(meta.open(QIODevice::WriteOnly));
        meta.write("Name: alpha\nVersion: 2.0\n");
        meta.close();
        Result<InstalledSet> installed = scanInstalled({sitePackages(), dir.path()});
        QVERIFY(installed.ok());
        QVERIFY(test::findProblem(installed->problems, u"conflicting-versions"_s,
                                  u"1.0 at "_s + sitePackages() + u"/alpha-1.0.dist-info"_s));
    }

    void missingDirectoryIsUnreadable()
    {
        Result<InstalledSet> installed = scanInstalled({u"/nonexistent/site-packages"_s});
        QVERIFY(!installed.ok());
        QCOMPARE(installed.error().kind, ErrorKind::Unreadable);
        QVERIFY(installed.error().message.startsWith(u"/nonexistent/site-packages: cannot list"_s));
    }

    // The same names and versions Python's importlib.metadata reads.
    void agreesWithImportlibMetadata()
    {
        const test::ProcessResult python = test::runPythonScript(
            u"import importlib.metadata as m, json, sys\n"
            "print(json.dumps(sorted({(d.metadata['Name'], d.version) for d in "
            "m.distributions(path=[sys.argv[1]]) if d.metadata['Name']})))"_s,
            {sitePackages()});
        QVERIFY2(python.exitCode == 0, python.err.constData());
        const auto expected = nlohmann::json::parse(python.out.constData());
        Result<InstalledSet> installed = scanInstalled({sitePackages()});
        QVERIFY(installed.ok());
        QSet<QString> ours;
        for (const InstalledDistribution &d : installed->distributions)
            ours.insert(d.name + u' ' + d.version);
        QSet<QString> theirs;
        QSet<QString> theirCanonical;
        for (const auto &pair : expected) {
            const QString name = QString::fromStdString(pair[0].get<std::string>());
            const QString version = QString::fromStdString(pair[1].get<std::string>());
            // Python lists both copies of a duplicate; we record it once.
            if (!theirCanonical.contains(canonicalName(name)))
                theirs.insert(name + u' ' + version);
            theirCanonical.insert(canonicalName(name));
        }
        QCOMPARE(ours.size(), theirs.size());
        for (const QString &entry : std::as_const(ours)) {
            const bool matched = theirs.contains(entry) ||
                                 std::any_of(theirs.cbegin(), theirs.cend(), [&](const QString &t) {
                                     return canonicalName(t) == canonicalName(entry);
                                 });
            QVERIFY2(matched, qPrintable(entry));
        }
    }
};

QTEST_GUILESS_MAIN(TestLockGenerator)
#include "tst_lockgenerator.moc"
