// SPDX-License-Identifier: MIT
// Validation rules: the lock alone, the lock against site-packages, and the
// lock against what an interpreter reports.
#include "common/testutil.h"
#include "lock/lockvalidator.h"
#include "locktestutil.h"

#include <QTest>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using namespace deskpack::lock;
using deskpack::test::dist;

namespace {

QStringList codes(const QList<Problem> &problems)
{
    QStringList out;
    for (const Problem &p : problems)
        out.append(p.code);
    return out;
}

InstalledSet fixtureInstalled()
{
    Result<InstalledSet> installed =
        scanInstalled({test::fixture(u"packager/lock/fixtures/site-packages"_s)});
    if (!installed)
        qFatal("fixture site-packages unreadable");
    return *installed;
}

} // namespace

class TestLockValidator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rules_data()
    {
        QTest::addColumn<Lock>("lock");
        QTest::addColumn<QStringList>("expected");
        auto lockOf = [](std::vector<Distribution> d) {
            Lock l;
            l.distributions = std::move(d);
            return l;
        };
        QTest::newRow("clean") << lockOf({dist(u"a"_s, u"1"_s, {u"a"_s}),
                                          dist(u"B"_s, u"2"_s, {u"b"_s, u"c"_s})})
                               << QStringList{};
        QTest::newRow("duplicate canonical")
            << lockOf({dist(u"Foo.Bar"_s, u"1"_s, {u"x"_s}), dist(u"foo_bar"_s, u"1"_s, {u"x"_s})})
            << QStringList{u"duplicate-name"_s};
        QTest::newRow("whitespace everywhere")
            << lockOf({dist(u"a b"_s, u"1 "_s, {u"m n"_s})})
            << QStringList{u"whitespace"_s, u"whitespace"_s, u"whitespace"_s};
        QTest::newRow("unsorted modules") << lockOf({dist(u"a"_s, u"1"_s, {u"b"_s, u"a"_s})})
                                          << QStringList{u"unsorted-modules"_s};
        QTest::newRow("repeated module") << lockOf({dist(u"a"_s, u"1"_s, {u"a"_s, u"a"_s})})
                                         << QStringList{u"unsorted-modules"_s};
        QTest::newRow("empty modules warn")
            << lockOf({dist(u"a"_s, u"1"_s, {})}) << QStringList{u"no-modules"_s};
        QTest::newRow("unsorted distributions warn")
            << lockOf({dist(u"b"_s, u"1"_s, {u"b"_s}), dist(u"a"_s, u"1"_s, {u"a"_s})})
            << QStringList{u"unsorted-distributions"_s};
    }

    void rules()
    {
        QFETCH(Lock, lock);
        QFETCH(QStringList, expected);
        QCOMPARE(codes(checkLockRules(lock, u"l.json"_s)), expected);
    }

    void warningsAreNotErrors()
    {
        Lock lock;
        lock.distributions = {dist(u"b"_s, u"1"_s, {}), dist(u"a"_s, u"1"_s, {u"a"_s})};
        const QList<Problem> problems = checkLockRules(lock, u"l.json"_s);
        QCOMPARE(errorCount(problems), 0);
        QStringList reported = codes(problems);
        reported.sort();
        QCOMPARE(reported, (QStringList{u"no-modules"_s, u"unsorted-distributions"_s}));
        for (const Problem &p : problems)
            QVERIFY2(p.severity == Severity::Warning, qPrintable(p.toString()));
    }

    void againstInstalledClean()
    {
        const InstalledSet installed = fixtureInstalled();
        const Lock lock = lockFromInstalled(installed);
        QVERIFY(checkAgainstInstalled(lock, u"l.json"_s, installed).isEmpty());
    }

    void againstInstalledReportsEverything()
    {
        const InstalledSet installed = fixtureInstalled();
        Lock lock = lockFromInstalled(installed);
        // Alpha at another version, gamma gone, a phantom added, a module that
        // does not exist, and theta (installed) dropped from the lock.
        for (Distribution &d : lock.distributions) {
            if (d.name == u"Alpha")
                d.version = u"9.9"_s;
            if (d.name == u"eta")
                d.topLevelModules = {u"eta"_s, u"nowhere"_s};
        }
        std::erase_if(lock.distributions, [](const Distribution &d) { return d.name == u"theta"; });
        lock.distributions.push_back(dist(u"phantom"_s, u"1"_s, {u"phantom"_s}));
        const QList<Problem> problems = checkAgainstInstalled(lock, u"l.json"_s, installed);
        QStringList got = codes(problems);
        got.sort();
        QCOMPARE(got, (QStringList{u"missing-distribution"_s, u"unlocked-distribution"_s,
                                   u"unresolved-module"_s, u"unresolved-module"_s,
                                   u"version-mismatch"_s}));
        const QString all = [&] {
            QString s;
            for (const Problem &p : problems)
                s += p.toString() + u'\n';
            return s;
        }();
        QVERIFY2(all.contains(u"Alpha is locked at 9.9 but 1.0 is installed"_s), qPrintable(all));
        QVERIFY2(all.contains(u"phantom 1 is locked but not installed"_s), qPrintable(all));
        QVERIFY2(all.contains(u"module \"nowhere\" resolves to no file or directory"_s),
                 qPrintable(all));
        QVERIFY2(all.contains(
                     u"theta-1.0.dist-info: error: theta 1.0 is installed but not in the lock"_s),
                 qPrintable(all));
    }

    void againstObserved()
    {
        Lock lock;
        lock.distributions = {dist(u"Jinja2"_s, u"3.1.2"_s, {u"jinja2"_s}),
                              dist(u"six"_s, u"1.16.0"_s, {u"six"_s}),
                              dist(u"gone"_s, u"1"_s, {u"gone"_s})};
        const QList<ObservedDistribution> seen = {
            {u"jinja2"_s, u"3.1.2"_s, u"/sp/Jinja2.dist-info"_s},
            {u"six"_s, u"1.15.0"_s, u"/sp/six.dist-info"_s},
            {u"six"_s, u"1.16.0"_s, u"/later/six.dist-info"_s}, // shadowed: ignored
            {u"extra"_s, u"2"_s, u"/sp/extra.dist-info"_s}};
        const QList<Problem> problems =
            checkAgainstObserved(lock, u"l.json"_s, seen, u"/usr/bin/python3"_s);
        QCOMPARE(codes(problems),
                 (QStringList{u"interpreter-version-mismatch"_s, u"interpreter-missing"_s,
                              u"interpreter-unlocked"_s}));
        QVERIFY(problems[0].message.contains(
            u"six is locked at 1.16.0 but /usr/bin/python3 sees 1.15.0"_s));
        QVERIFY(problems[2].toString().startsWith(u"/sp/extra.dist-info: error: "_s));
    }
};

QTEST_GUILESS_MAIN(TestLockValidator)
#include "tst_lockvalidator.moc"
