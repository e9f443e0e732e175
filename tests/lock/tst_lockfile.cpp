// SPDX-License-Identifier: MIT
// Parsing and serializing runtime-core-lock.json: byte-for-byte what Debian's
// python3 prints with json.dumps(indent=2, sort_keys=True, ensure_ascii=False).
#include "common/testutil.h"
#include "locktestutil.h"
#include "lock/lockfile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

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
        QTest::newRow("lower") << u"Jinja2"_qs << u"jinja2"_qs;
        QTest::newRow("underscore") << u"typing_extensions"_qs << u"typing-extensions"_qs;
        QTest::newRow("runs") << u"a-_.b"_qs << u"a-b"_qs;
        QTest::newRow("dots") << u"zope.interface"_qs << u"zope-interface"_qs;
        QTest::newRow("unicode") << u"Café_Lib"_qs << u"café-lib"_qs;
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
        QVERIFY(codePointLess(u"\uFFFD"_qs, QString::fromUcs4(U"\U0001F600")));
        QVERIFY(!codePointLess(QString::fromUcs4(U"\U0001F600"), u"\uFFFD"_qs));
        QVERIFY(codePointLess(u"a"_qs, u"ab"_qs));
        QVERIFY(codePointLess(u"B"_qs, u"a"_qs));
    }

    void serializeMatchesPython_data()
    {
        QTest::addColumn<Lock>("lock");
        Lock simple;
        simple.distributions = {dist(u"Jinja2"_qs, u"3.1.2"_qs, {u"jinja2"_qs}),
                                dist(u"attrs"_qs, u"22.2.0"_qs, {u"attrs"_qs, u"attr"_qs}),
                                dist(u"empty"_qs, u"1"_qs, {})};
        QTest::newRow("simple") << simple;

        Lock unicode;
        unicode.distributions = {
            dist(u"Café-Lib"_qs, u"1.0"_qs, {u"café"_qs}),
            dist(u"日本語"_qs, u"2"_qs, {u"模块"_qs}),
            dist(QString::fromUcs4(U"emoji\U0001F600"), u"1"_qs,
                 {QString::fromUcs4(U"m\U0001F600")}),
            dist(u"\uFFFDreplacement"_qs, u"1"_qs, {u"\u2028sep"_qs}),
        };
        QTest::newRow("non-ascii") << unicode;

        Lock control;
        control.distributions = {
            dist(u"tab\tname"_qs, u"1\n2"_qs, {u"a\"quote"_qs, u"back\\slash"_qs}),
            dist(QStringLiteral("ctl\x01\x1f\x7f"), u"\b\f\r"_qs,
                 {QString::fromUtf8("nul\x00x", 5)}),
        };
        QTest::newRow("control characters") << control;

        Lock ordering;
        ordering.distributions = {dist(u"b"_qs, u"1"_qs, {}), dist(u"B"_qs, u"1"_qs, {}),
                                  dist(u"a"_qs, u"2"_qs, {}), dist(u"a"_qs, u"10"_qs, {}),
                                  dist(u"A"_qs, u"1"_qs, {u"z"_qs, u"a"_qs, u"z"_qs})};
        QTest::newRow("sort order and ties") << ordering;

        Lock extra;
        extra.extra = json{{"generator", "deskpack"},
                           {"zeta", {{"nested", json::array({1, 2.5, true, nullptr})}}},
                           {"alpha", json::object()},
                           {"numbers", json::array({0.1, 1e100, -0.0, 1.5e-7, 12345678901234})},
                           {"empty", json::array()}};
        Distribution withExtra = dist(u"x"_qs, u"1"_qs, {u"x"_qs});
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
        lock.distributions = {dist(u"Café"_qs, u"1.0"_qs, {u"café"_qs}),
                              dist(u"zed"_qs, u"2"_qs, {u"a"_qs, u"b"_qs})};
        lock.distributions[1].extra = json{{"k", 1}};
        lock.extra = json{{"note", "kept"}};
        const QByteArray text = serializeLock(lock);
        Result<ParsedLock> parsed = parseLock(text, u"mem.json"_qs);
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
            u"x.json"_qs);
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->lock.distributions.at(0).topLevelModules, (QStringList{u"z"_qs, u"a"_qs}));
    }

    void schemaProblemsAreAllReported()
    {
        Result<ParsedLock> parsed = parseLock(
            R"({"version":"1","distributions":[{"name":5,"version":"1"},{"name":"ok","version":"2","top_level_modules":[1,""]},"str"]})",
            u"bad.json"_qs);
        QVERIFY(parsed.ok());
        const QList<Problem> &p = parsed->problems;
        QCOMPARE(p.size(), 6);
        QVERIFY(p[0].toString().contains(u"bad.json: version"_qs));
        QVERIFY(p[1].toString().contains(
            u"distributions[0].name: error: expected a string, got number"_qs));
        QVERIFY(p[2].toString().contains(
            u"distributions[0]: error: missing key \"top_level_modules\""_qs));
        QVERIFY(p[3].toString().contains(
            u"distributions[1] (ok).top_level_modules[0]: error: expected a string"_qs));
        QVERIFY(p[4].toString().contains(
            u"distributions[1] (ok).top_level_modules[1]: error: must not be empty"_qs));
        QVERIFY(p[5].toString().contains(u"distributions[2]: error: expected an object"_qs));
    }

    void notJsonNamesLineAndColumn()
    {
        Result<ParsedLock> parsed = parseLock("{\n  \"version\": 1,\n  oops\n}", u"f.json"_qs);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().kind, ErrorKind::Unreadable);
        QVERIFY2(parsed.error().message.startsWith(u"f.json:3:3: not valid JSON"_qs),
                 qPrintable(parsed.error().message));
    }

    void writeIsAtomic()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"lock.json"_qs);
        Lock lock;
        lock.distributions = {dist(u"a"_qs, u"1"_qs, {u"a"_qs})};
        QVERIFY(writeLockFile(path, lock).ok());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), serializeLock(lock));
        file.close();
        // A directory in the way: the write fails and leaves no temporary file.
        const QString blocked = dir.filePath(u"sub"_qs);
        QVERIFY(QDir().mkpath(blocked));
        QVERIFY(!writeLockFile(blocked, lock).ok());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{u"lock.json"_qs});
    }
};

QTEST_GUILESS_MAIN(TestLockFile)
#include "tst_lockfile.moc"
