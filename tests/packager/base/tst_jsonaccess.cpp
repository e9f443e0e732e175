// SPDX-License-Identifier: MIT
// The JSON text parser (positions, depth, duplicate keys) and the accessors
// that read untrusted documents without throwing.
#include "base/jsonaccess.h"
#include "base/jsontext.h"

#include <QTest>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

class TestJsonAccess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseErrors_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("syntax") << QByteArray("{\n  \"a\": ]") << u"f.json:2:8: not valid JSON"_s;
        QTest::newRow("deep") << QByteArray(200, '[') << u"f.json:1:129: JSON nests deeper"_s;
        QTest::newRow("duplicate top")
            << QByteArray(R"({"a": 1, "b": 2, "a": 3})") << u"f.json: $.a: duplicate key"_s;
        QTest::newRow("duplicate nested")
            << QByteArray(R"({"x": [1, {"k": 1}, {"a/b": {"s": 1, "s": 2}}]})")
            << u"f.json: $.x[2][\"a/b\"].s: duplicate key"_s;
        QTest::newRow("same key, other objects")
            << QByteArray(R"({"a": {"k": 1}, "b": {"k": 1}})") << QString();
        QTest::newRow("number overflow")
            << QByteArray("{\"a\": 1e400}")
            << u"f.json:1:11: not valid JSON: number overflow parsing '1e400'"_s;
        QTest::newRow("duplicate in array of objects")
            << QByteArray(R"([{"k": 1}, {"k": 1, "k": 2}])") << u"f.json: $[1].k: duplicate key"_s;
        QTest::newRow("bad utf-8")
            << QByteArray("{\"a\": \"\xff\"}") << u"f.json:1:8: not valid JSON"_s;
    }

    void parseErrors()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, message);
        Result<json> parsed = parseJsonText(text, u"f.json"_s);
        if (message.isEmpty()) {
            QVERIFY2(parsed.ok(), parsed.ok() ? "" : qPrintable(parsed.error().message));
            return;
        }
        QVERIFY2(!parsed.ok(), qPrintable(message));
        QCOMPARE(parsed.error().kind, ErrorKind::Unreadable);
        QVERIFY2(parsed.error().message.startsWith(message), qPrintable(parsed.error().message));
    }

    void typedReads_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("message"); // empty: read fine
        QTest::newRow("good") << QByteArray(R"({"s": "x", "n": 5, "b": true, "l": ["a"]})")
                              << QString();
        QTest::newRow("string is number") << QByteArray(R"({"s": 5, "n": 5, "b": true, "l": []})")
                                          << u"f.json: $.s: expected a string, got number 5"_s;
        QTest::newRow("missing") << QByteArray(R"({"n": 5, "b": true, "l": []})")
                                 << u"f.json: $.s: missing (expected a string)"_s;
        QTest::newRow("null") << QByteArray(R"({"s": null, "n": 5, "b": true, "l": []})")
                              << u"f.json: $.s: expected a string, got null"_s;
        QTest::newRow("huge")
            << QByteArray(R"({"s": "", "n": 1e30, "b": true, "l": []})")
            << u"f.json: $.n: expected an integer from 0 to 100, got number 1e+30"_s;
        QTest::newRow("2^64") << QByteArray(R"({"s": "", "n": 18446744073709551616, "b": true})")
                              << u"f.json: $.n: expected an integer from 0 to 100"_s;
        QTest::newRow("2^64-1") << QByteArray(R"({"s": "", "n": 18446744073709551615, "b": 1})")
                                << u"f.json: $.n: expected an integer from 0 to 100"_s;
        QTest::newRow("negative")
            << QByteArray(R"({"s": "", "n": -1, "b": true, "l": []})")
            << u"f.json: $.n: expected an integer from 0 to 100, got number -1"_s;
        QTest::newRow("float") << QByteArray(R"({"s": "", "n": 5.0, "b": true, "l": []})")
                               << u"f.json: $.n: expected an integer"_s;
        QTest::newRow("bool is string")
            << QByteArray(R"({"s": "", "n": 1, "b": "yes", "l": []})")
            << u"f.json: $.b: expected true or false, got string \"yes\""_s;
        QTest::newRow("list element")
            << QByteArray(R"({"s": "", "n": 1, "b": true, "l": ["a", {}]})")
            << u"f.json: $.l[1]: expected a string, got an object"_s;
        QTest::newRow("list is object") << QByteArray(R"({"s": "", "n": 1, "b": true, "l": {}})")
                                        << u"f.json: $.l: expected a list, got an object"_s;
        QTest::newRow("root is list")
            << QByteArray("[]") << u"f.json: $: expected an object, got a list"_s;
    }

    void typedReads()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, message);
        Result<json> parsed = parseJsonText(text, u"f.json"_s);
        QVERIFY(parsed.ok());
        JsonProblems problems(u"f.json"_s);
        const JsonNode root(*parsed, problems);
        root.object();
        const auto s = root["s"].string();
        const auto n = root["n"].integer(0, 100);
        const auto b = root["b"].boolean();
        const auto l = root["l"].stringList(Presence::Optional);
        if (message.isEmpty()) {
            QVERIFY2(problems.isEmpty(), qPrintable(problems.messages().join(u'\n')));
            QCOMPARE(*s, u"x"_s);
            QCOMPARE(*n, 5);
            QCOMPARE(*b, true);
            QCOMPARE(*l, QStringList{u"a"_s});
            return;
        }
        QVERIFY(!problems.isEmpty());
        QVERIFY2(problems.messages().first().startsWith(message),
                 qPrintable(problems.messages().join(u'\n')));
    }

    void wrongParentReportedOnce()
    {
        const json doc = json::parse(R"({"entry": 5})");
        JsonProblems problems(u"bundle.json"_s);
        const JsonNode root(doc, problems);
        QVERIFY(!root["entry"]["module"].string(Presence::Optional));
        QVERIFY(!root["entry"]["args"][0].string());
        QVERIFY(!root["missing"]["deep"]["er"].string());
        QVERIFY(!root["missing"]["x"].string(Presence::Optional));
        QCOMPARE(problems.messages(),
                 (QStringList{u"bundle.json: $.entry: expected an object, got number 5"_s,
                              u"bundle.json: $.missing: missing (expected an object)"_s}));
    }

    void memberPaths()
    {
        QCOMPARE(jsonMemberPath(u"$"_s, "files"), u"$.files"_s);
        QCOMPARE(jsonMemberPath(u"$.files"_s, "app/a.py"), u"$.files[\"app/a.py\"]"_s);
        QCOMPARE(jsonMemberPath(u"$"_s, "say \"hi\""), u"$[\"say \\\"hi\\\"\"]"_s);
        QCOMPARE(jsonMemberPath(u"$"_s, ""), u"$[\"\"]"_s);
    }

    void integerLimits()
    {
        const json doc =
            json::parse(R"({"max": 9223372036854775807, "min": -9223372036854775808})");
        JsonProblems problems(u"f"_s);
        const JsonNode root(doc, problems);
        QCOMPARE(*root["max"].integer(0, std::numeric_limits<qint64>::max()),
                 std::numeric_limits<qint64>::max());
        QCOMPARE(*root["min"].integer(std::numeric_limits<qint64>::min(), 0),
                 std::numeric_limits<qint64>::min());
        QVERIFY(!root["max"].integer(0, 10));
        QVERIFY(problems.messages().constFirst().contains(u"$.max"_s));
    }
};

QTEST_GUILESS_MAIN(TestJsonAccess)
#include "tst_jsonaccess.moc"
