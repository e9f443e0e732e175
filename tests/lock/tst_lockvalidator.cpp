// SPDX-License-Identifier: MIT
// Validation rules: the lock alone, the lock against site-packages, and the
// lock against what an interpreter reports.
#include "common/testutil.h"
#include "locktestutil.h"
#include "lock/lockvalidator.h"

#include <QTest>

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
        scanInstalled({test::fixture(u"lock/fixtures/site-packages"_qs)});
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
        QTest::newRow("clean") << lockOf({dist(u"a"_qs, u"1"_qs, {u"a"_qs}),
                                          dist(u"B"_qs, u"2"_qs, {u"b"_qs, u"c"_qs})})
                               << QStringList{};
        QTest::newRow("duplicate canonical") << lockOf({dist(u"Foo.Bar"_qs, u"1"_qs, {u"x"_qs}),
                                                        dist(u"foo_bar"_qs, u"1"_qs, {u"x"_qs})})
                                             << QStringList{u"duplicate-name"_qs};
        QTest::newRow("whitespace everywhere")
            << lockOf({dist(u"a b"_qs, u"1 "_qs, {u"m n"_qs})})
            << QStringList{u"whitespace"_qs, u"whitespace"_qs, u"whitespace"_qs};
        QTest::newRow("unsorted modules") << lockOf({dist(u"a"_qs, u"1"_qs, {u"b"_qs, u"a"_qs})})
                                          << QStringList{u"unsorted-modules"_qs};
        QTest::newRow("repeated module") << lockOf({dist(u"a"_qs, u"1"_qs, {u"a"_qs, u"a"_qs})})
                                         << QStringList{u"unsorted-modules"_qs};
        QTest::newRow("empty modules warn")
            << lockOf({dist(u"a"_qs, u"1"_qs, {})}) << QStringList{u"no-modules"_qs};
        QTest::newRow("unsorted distributions warn")
            << lockOf({dist(u"b"_qs, u"1"_qs, {u"b"_qs}), dist(u"a"_qs, u"1"_qs, {u"a"_qs})})
            << QStringList{u"unsorted-distributions"_qs};
    }

    void rules()
    {
        QFETCH(Lock, lock);
        QFETCH(QStringList, expected);
        QCOMPARE(codes(checkLockRules(lock, u"l.json"_qs)), expected);
    }

    void warningsAreNotErrors()
    {
        Lock lock;
        lock.distributions = {dist(u"b"_qs, u"1"_qs, {}), dist(u"a"_qs, u"1"_qs, {u"a"_qs})};
        QCOMPARE(errorCount(checkLockRules(lock, u"l.json"_qs)), 0);
    }

    void againstInstalledClean()
    {
        const InstalledSet installed = fixtureInstalled();
        const Lock lock = lockFromInstalled(installed);
        QVERIFY(checkAgainstInstalled(lock, u"l.json"_qs, installed).isEmpty());
    }

    void againstInstalledReportsEverything()
    {
        const InstalledSet installed = fixtureInstalled();
        Lock lock = lockFromInstalled(installed);
        // Alpha at another version, gamma gone, a phantom added, a module that
        // does not exist, and theta (installed) dropped from the lock.
        for (Distribution &d : lock.distributions) {
            if (d.name == u"Alpha")
                d.version = u"9.9"_qs;
            if (d.name == u"eta")
                d.topLevelModules = {u"eta"_qs, u"nowhere"_qs};
        }
        std::erase_if(lock.distributions, [](const Distribution &d) { return d.name == u"theta"; });
        lock.distributions.push_back(dist(u"phantom"_qs, u"1"_qs, {u"phantom"_qs}));
        const QList<Problem> problems = checkAgainstInstalled(lock, u"l.json"_qs, installed);
        QStringList got = codes(problems);
        got.sort();
        QCOMPARE(got, (QStringList{u"missing-distribution"_qs, u"unlocked-distribution"_qs,
                                   u"unresolved-module"_qs, u"unresolved-module"_qs,
                                   u"version-mismatch"_qs}));
        const QString all = [&] {
            QString s;
            for (const Problem &p : problems)
                s += p.toString() + u'\n';
            return s;
        }();
        QVERIFY2(all.contains(u"Alpha is locked at 9.9 but 1.0 is installed"_qs), qPrintable(all));
        QVERIFY2(all.contains(u"phantom 1 is locked but not installed"_qs), qPrintable(all));
        QVERIFY2(all.contains(u"module \"nowhere\" resolves to no file or directory"_qs),
                 qPrintable(all));
        QVERIFY2(all.contains(
                     u"theta-1.0.dist-info: error: theta 1.0 is installed but not in the lock"_qs),
                 qPrintable(all));
    }

    void againstObserved()
    {
        Lock lock;
        lock.distributions = {dist(u"Jinja2"_qs, u"3.1.2"_qs, {u"jinja2"_qs}),
                              dist(u"six"_qs, u"1.16.0"_qs, {u"six"_qs}),
                              dist(u"gone"_qs, u"1"_qs, {u"gone"_qs})};
        const QList<ObservedDistribution> seen = {
            {u"jinja2"_qs, u"3.1.2"_qs, u"/sp/Jinja2.dist-info"_qs},
            {u"six"_qs, u"1.15.0"_qs, u"/sp/six.dist-info"_qs},
            {u"six"_qs, u"1.16.0"_qs, u"/later/six.dist-info"_qs}, // shadowed: ignored
            {u"extra"_qs, u"2"_qs, u"/sp/extra.dist-info"_qs}};
        const QList<Problem> problems =
            checkAgainstObserved(lock, u"l.json"_qs, seen, u"/usr/bin/python3"_qs);
        QCOMPARE(codes(problems),
                 (QStringList{u"interpreter-version-mismatch"_qs, u"interpreter-missing"_qs,
                              u"interpreter-unlocked"_qs}));
        QVERIFY(problems[0].message.contains(
            u"six is locked at 1.16.0 but /usr/bin/python3 sees 1.15.0"_qs));
        QVERIFY(problems[2].toString().startsWith(u"/sp/extra.dist-info: error: "_qs));
    }
};

QTEST_GUILESS_MAIN(TestLockValidator)
#include "tst_lockvalidator.moc"
