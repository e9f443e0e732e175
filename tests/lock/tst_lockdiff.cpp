// SPDX-License-Identifier: MIT
// Diffing two locks: added, removed, version changed, modules changed.
#include "locktestutil.h"
#include "lock/lockdiff.h"

#include <QTest>

using namespace deskpack::lock;
using deskpack::test::dist;

class TestLockDiff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void identical()
    {
        Lock a;
        a.distributions = {dist(u"x"_qs, u"1"_qs, {u"x"_qs})};
        const LockDiff d = diffLocks(a, a);
        QVERIFY(d.isEmpty());
        QCOMPARE(diffToText(d), QString());
        QVERIFY(diffToJson(d)["identical"] == true);
    }

    void everyKindOfChange()
    {
        Lock before;
        before.distributions = {
            dist(u"Jinja2"_qs, u"3.0"_qs, {u"jinja2"_qs}), dist(u"old"_qs, u"1"_qs, {u"old"_qs}),
            dist(u"typing_extensions"_qs, u"4.4"_qs, {}), dist(u"same"_qs, u"1"_qs, {u"same"_qs})};
        Lock after;
        after.distributions = {dist(u"jinja2"_qs, u"3.1.2"_qs, {u"jinja2"_qs}),
                               dist(u"new"_qs, u"2"_qs, {u"new"_qs}),
                               dist(u"typing-extensions"_qs, u"4.4"_qs, {u"typing_extensions"_qs}),
                               dist(u"same"_qs, u"1"_qs, {u"same"_qs})};
        const LockDiff d = diffLocks(before, after);
        QCOMPARE(d.added.size(), 1);
        QCOMPARE(d.added[0].name, u"new"_qs);
        QCOMPARE(d.removed.size(), 1);
        QCOMPARE(d.removed[0].name, u"old"_qs);
        QCOMPARE(d.changed.size(), 2);
        QCOMPARE(diffToText(d), u"+ new 2\n"
                                "- old 1\n"
                                "~ jinja2 3.0 -> 3.1.2\n"
                                "~ typing-extensions modules: +typing_extensions\n"_qs);
        const auto json = diffToJson(d);
        QVERIFY(json["identical"] == false);
        QVERIFY(json["changed"][0]["old_version"] == "3.0");
        QVERIFY(json["changed"][0]["new_version"] == "3.1.2");
        QVERIFY(json["changed"][1]["modules_added"][0] == "typing_extensions");
        QVERIFY(json["changed"][1]["modules_removed"].empty());
    }
};

QTEST_GUILESS_MAIN(TestLockDiff)
#include "tst_lockdiff.moc"
