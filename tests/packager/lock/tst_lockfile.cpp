// SPDX-License-Identifier: MIT
// Parsing and serializing runtime-core-lock.json: byte-for-byte what Debian's
// python3 prints with json.dumps(indent=2, sort_keys=True, ensure_ascii=False).
#include "common/testutil.h"
#include "lock/lockfile.h"
#include "locktestutil.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using namespace deskpack::lock;
using deskpack::test::dist;
using nlohmann::json;

namespace {

// Re-serializes with Python: distributions sorted by DESIGN.md's key, then
// json.dumps with the contract's options.
const char *pythonFormatter = R"PY(
import json, sys
obj = json.loads(sys.stdin.buffer.read().decode("utf-8"))
obj["distributions"].sort(key=lambda d: (d["name"].lower(), d["name"], d["version"]))
for d in obj["distributions"]:
    d["top_level_modules"] = sorted(set(d["top_level_modules"]))
sys.stdout.buffer.write((json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))
)PY";

} // namespace

class TestLockFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void canonicalNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("canonical");
        QTest::newRow("lower") << u"Jinja2"_s << u"jinja2"_s;
        QTest::newRow("underscore") << u"typing_extensions"_s << u"typing-extensions"_s;
        QTest::newRow("runs") << u"a-_.b"_s << u"a-b"_s;
        QTest::newRow("dots") << u"zope.interface"_s << u"zope-interface"_s;
        QTest::newRow("unicode") << u"Café_Lib"_s << u"café-lib"_s;
    }

    void canonicalNames()
    {
        QFETCH(QString, name);
        QFETCH(QString, canonical);
        QCOMPARE(canonicalName(name), canonical);
    }

    void codePointOrder()
    {
        // U+1F600 (a surrogate pair in UTF-16) sorts after U+FFFD by code point.
        QVERIFY(codePointLess(u"\uFFFD"_s, QString::fromUcs4(U"\U0001F600")));
        QVERIFY(!codePointLess(QString::fromUcs4(U"\U0001F600"), u"\uFFFD"_s));
        QVERIFY(codePointLess(u"a"_s, u"ab"_s));
        QVERIFY(codePointLess(u"B"_s, u"a"_s));
    }

    void serializeMatchesPython_data()
    {
        QTest::addColumn<Lock>("lock");
        Lock simple;
        simple.distributions = {dist(u"Jinja2"_s, u"3.1.2"_s, {u"jinja2"_s}),
                                dist(u"attrs"_s, u"22.2.0"_s, {u"attrs"_s, u"attr"_s}),
                                dist(u"empty"_s, u"1"_s, {})};
        QTest::newRow("simple") << simple;

        Lock unicode;
        unicode.distributions = {
            dist(u"Café-Lib"_s, u"1.0"_s, {u"café"_s}),
            dist(u"日本語"_s, u"2"_s, {u"模块"_s}),
            dist(QString::fromUcs4(U"emoji\U0001F600"), u"1"_s,
                 {QString::fromUcs4(U"m\U0001F600")}),
            dist(u"\uFFFDreplacement"_s, u"1"_s, {u"\u2028sep"_s}),
        };
        QTest::newRow("non-ascii") << unicode;

        Lock control;
        control.distributions = {
            dist(u"tab\tname"_s, u"1\n2"_s, {u"a\"quote"_s, u"back\\slash"_s}),
            dist(u"ctl\x01\x1f\x7f"_s, u"\b\f\r"_s, {QString::fromUtf8("nul\x00x", 5)}),
        };
        QTest::newRow("control characters") << control;

        Lock ordering;
        ordering.distributions = {dist(u"b"_s, u"1"_s, {}), dist(u"B"_s, u"1"_s, {}),
                                  dist(u"a"_s, u"2"_s, {}), dist(u"a"_s, u"10"_s, {}),
                                  dist(u"A"_s, u"1"_s, {u"z"_s, u"a"_s, u"z"_s})};
        QTest::newRow("sort order and ties") << ordering;

        Lock extra;
        extra.extra = json{{"generator", "deskpack"},
                           {"zeta", {{"nested", json::array({1, 2.5, true, nullptr})}}},
                           {"alpha", json::object()},
                           {"numbers", json::array({0.1, 1e100, -0.0, 1.5e-7, 12345678901234})},
                           {"empty", json::array()}};
        Distribution withExtra = dist(u"x"_s, u"1"_s, {u"x"_s});
        withExtra.extra = json{{"requires", json::array({"a", "b"})}, {"z", "é"}};
        extra.distributions = {withExtra};
        QTest::newRow("extra keys") << extra;

        QTest::newRow("no distributions") << Lock{};
    }

    void serializeMatchesPython()
    {
        QFETCH(Lock, lock);
        normalizeLock(lock);
        const QByteArray ours = serializeLock(lock);
        const test::ProcessResult python =
            test::runPythonScript(QString::fromLatin1(pythonFormatter), {}, ours);
        QVERIFY2(python.exitCode == 0, python.err.constData());
        QCOMPARE(ours, python.out);
    }

    void roundTrip()
    {
        Lock lock;
        lock.distributions = {dist(u"Café"_s, u"1.0"_s, {u"café"_s}),
                              dist(u"zed"_s, u"2"_s, {u"a"_s, u"b"_s})};
        lock.distributions[1].extra = json{{"k", 1}};
        lock.extra = json{{"note", "kept"}};
        const QByteArray text = serializeLock(lock);
        Result<ParsedLock> parsed = parseLock(text, u"mem.json"_s);
        QVERIFY(parsed.ok());
        QVERIFY(parsed->problems.isEmpty());
        QCOMPARE(parsed->lock, lock);
        QCOMPARE(serializeLock(parsed->lock), text);
    }

    void parseKeepsOrderForValidation()
    {
        // The parser must not sort: validation reports unsorted modules.
        Result<ParsedLock> parsed = parseLock(
            R"({"version":1,"distributions":[{"name":"a","version":"1","top_level_modules":["z","a"]}]})",
            u"x.json"_s);
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->lock.distributions.at(0).topLevelModules, (QStringList{u"z"_s, u"a"_s}));
    }

    void schemaProblemsAreAllReported()
    {
        Result<ParsedLock> parsed = parseLock(
            R"({"version":"1","distributions":[{"name":5,"version":"1"},{"name":"ok","version":"2","top_level_modules":[1,""]},"str"]})",
            u"bad.json"_s);
        QVERIFY(parsed.ok());
        const QList<Problem> &p = parsed->problems;
        QCOMPARE(p.size(), 6);
        QVERIFY(p[0].toString().contains(u"bad.json: version"_s));
        QVERIFY(p[1].toString().contains(
            u"distributions[0].name: error: expected a string, got number"_s));
        QVERIFY(p[2].toString().contains(
            u"distributions[0]: error: missing key \"top_level_modules\""_s));
        QVERIFY(p[3].toString().contains(
            u"distributions[1] (ok).top_level_modules[0]: error: expected a string"_s));
        QVERIFY(p[4].toString().contains(
            u"distributions[1] (ok).top_level_modules[1]: error: must not be empty"_s));
        QVERIFY(p[5].toString().contains(u"distributions[2]: error: expected an object"_s));
    }

    void notJsonNamesLineAndColumn()
    {
        Result<ParsedLock> parsed = parseLock("{\n  \"version\": 1,\n  oops\n}", u"f.json"_s);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().kind, ErrorKind::Unreadable);
        QVERIFY2(parsed.error().message.startsWith(u"f.json:3:3: not valid JSON"_s),
                 qPrintable(parsed.error().message));
    }

    void writeIsAtomic()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"lock.json"_s);
        Lock lock;
        lock.distributions = {dist(u"a"_s, u"1"_s, {u"a"_s})};
        QVERIFY(writeLockFile(path, lock).ok());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), serializeLock(lock));
        file.close();
        // A directory in the way: the write fails and leaves no temporary file.
        const QString blocked = dir.filePath(u"sub"_s);
        QVERIFY(QDir().mkpath(blocked));
        QVERIFY(!writeLockFile(blocked, lock).ok());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{u"lock.json"_s});
    }
};

QTEST_GUILESS_MAIN(TestLockFile)
#include "tst_lockfile.moc"
