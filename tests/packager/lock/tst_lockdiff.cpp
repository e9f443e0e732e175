// SPDX-License-Identifier: MIT
// Diffing two locks: added, removed, version changed, modules changed.
#include "lock/lockdiff.h"
#include "locktestutil.h"

#include <QTest>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack::lock;
using deskpack::test::dist;

class TestLockDiff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void identical()
    {
        Lock a;
        a.distributions = {dist(u"x"_s, u"1"_s, {u"x"_s})};
        const LockDiff d = diffLocks(a, a);
        QVERIFY(d.isEmpty());
        QCOMPARE(diffToText(d), QString());
        QVERIFY(diffToJson(d)["identical"] == true);
    }

    void everyKindOfChange()
    {
        Lock before;
        before.distributions = {
            dist(u"Jinja2"_s, u"3.0"_s, {u"jinja2"_s}), dist(u"old"_s, u"1"_s, {u"old"_s}),
            dist(u"typing_extensions"_s, u"4.4"_s, {}), dist(u"same"_s, u"1"_s, {u"same"_s})};
        Lock after;
        after.distributions = {dist(u"jinja2"_s, u"3.1.2"_s, {u"jinja2"_s}),
                               dist(u"new"_s, u"2"_s, {u"new"_s}),
                               dist(u"typing-extensions"_s, u"4.4"_s, {u"typing_extensions"_s}),
                               dist(u"same"_s, u"1"_s, {u"same"_s})};
        const LockDiff d = diffLocks(before, after);
        QCOMPARE(d.added.size(), 1);
        QCOMPARE(d.added[0].name, u"new"_s);
        QCOMPARE(d.removed.size(), 1);
        QCOMPARE(d.removed[0].name, u"old"_s);
        QCOMPARE(d.changed.size(), 2);
        QCOMPARE(diffToText(d), u"+ new 2\n"
                                "- old 1\n"
                                "~ jinja2 3.0 -> 3.1.2\n"
                                "~ typing-extensions modules: +typing_extensions\n"_s);
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
