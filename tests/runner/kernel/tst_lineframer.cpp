// SPDX-License-Identifier: MIT
#include "runner/kernel/lineframer.h"

#include <QTest>

using deskpack::runner::LineFramer;

class TestLineFramer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void framing_data();
    void framing();
    void overlongLineIsDroppedAlone();
    void overflow_data();
    void overflow();
    void overflowHeadNamesTheFrame();
};

void TestLineFramer::framing_data()
{
    QTest::addColumn<QList<QByteArray>>("chunks");
    QTest::addColumn<QList<QByteArray>>("lines");
    QTest::addColumn<QByteArray>("pending");
    using L = QList<QByteArray>;
    QTest::newRow("one line") << L{"a\n"} << L{"a"} << QByteArray();
    QTest::newRow("partial kept") << L{"ab"} << L{} << QByteArray("ab");
    QTest::newRow("split across reads") << L{"ab", "c\nd"} << L{"abc"} << QByteArray("d");
    QTest::newRow("glued") << L{"a\nb\nc\n"} << L{"a", "b", "c"} << QByteArray();
    QTest::newRow("byte by byte") << L{"x", "y", "\n", "z"} << L{"xy"} << QByteArray("z");
    QTest::newRow("empty lines") << L{"\n\n"} << L{"", ""} << QByteArray();
    QTest::newRow("cr kept") << L{"a\r\n"} << L{"a\r"} << QByteArray();
}

void TestLineFramer::framing()
{
    QFETCH(QList<QByteArray>, chunks);
    QFETCH(QList<QByteArray>, lines);
    QFETCH(QByteArray, pending);
    LineFramer framer;
    QList<QByteArray> got;
    for (const QByteArray &chunk : chunks)
        got += framer.feed(chunk);
    QCOMPARE(got, lines);
    QCOMPARE(framer.pending(), pending);
    QCOMPARE(framer.overflows(), 0);
}

void TestLineFramer::overlongLineIsDroppedAlone()
{
    LineFramer framer(8);
    QList<QByteArray> got = framer.feed("short\n0123456");
    got += framer.feed("789abc");
    got += framer.feed("def\nnext\n");
    QCOMPARE(got, (QList<QByteArray>{"short", "next"}));
    QCOMPARE(framer.overflows(), 1);
    QVERIFY(framer.pending().isEmpty());
}

// Lines as "L:<bytes>", overflowed ones as "O:<length>", in stream order.
void TestLineFramer::overflow_data()
{
    QTest::addColumn<int>("limit");
    QTest::addColumn<QList<QByteArray>>("chunks");
    QTest::addColumn<QList<QByteArray>>("events");
    QTest::addColumn<QByteArray>("pending");
    QTest::addColumn<int>("overflows");
    using L = QList<QByteArray>;
    QTest::newRow("exactly the limit fits") << 4 << L{"abcd\n"} << L{"L:abcd"} << QByteArray() << 0;
    QTest::newRow("one over the limit")
        << 4 << L{"abcde\nok\n"} << L{"O:5", "L:ok"} << QByteArray() << 1;
    QTest::newRow("limit reached, newline in the next read")
        << 4 << L{"abcd", "\nok\n"} << L{"L:abcd", "L:ok"} << QByteArray() << 0;
    QTest::newRow("one over at a read boundary, newline next")
        << 4 << L{"abcd", "e", "\nok\n"} << L{"O:5", "L:ok"} << QByteArray() << 1;
    QTest::newRow("overflow, then a frame split across reads")
        << 5 << L{"0123456789", "abc\nsp", "li", "t\n"} << L{"O:13", "L:split"} << QByteArray()
        << 1;
    QTest::newRow("overflow ends and the next frame starts in one read")
        << 4 << L{"0123456", "789\nne", "xt\ntail"} << L{"O:10", "L:next"} << QByteArray("tail")
        << 1;
    QTest::newRow("several overflows") << 3 << L{"aaaa\nb\ncccc", "cc\ndddddd\ne\n"}
                                       << L{"O:4", "L:b", "O:6", "O:6", "L:e"} << QByteArray() << 3;
    QTest::newRow("an overflowing partial line is not pending")
        << 3 << L{"ok\nabcdef"} << L{"L:ok"} << QByteArray() << 1;
    QTest::newRow("empty line after an overflow")
        << 2 << L{"abc\n\nz\n"} << L{"O:3", "L:", "L:z"} << QByteArray() << 1;
}

void TestLineFramer::overflow()
{
    QFETCH(int, limit);
    QFETCH(QList<QByteArray>, chunks);
    QFETCH(QList<QByteArray>, events);
    QFETCH(QByteArray, pending);
    QFETCH(int, overflows);
    LineFramer framer(limit);
    QList<QByteArray> got;
    for (const QByteArray &chunk : chunks) {
        for (const LineFramer::Line &line : framer.split(chunk)) {
            got.append(line.overflowed() ? "O:" + QByteArray::number(line.droppedBytes)
                                         : "L:" + line.bytes);
        }
    }
    QCOMPARE(got, events);
    QCOMPARE(framer.pending(), pending);
    QCOMPARE(framer.overflows(), overflows);
    // Whatever happened, the framer is in sync: a good line now comes out whole.
    if (!framer.discarding()) {
        framer.clear();
        QCOMPARE(framer.feed("xy"), QList<QByteArray>{});
        QCOMPARE(framer.feed("\n"), QList<QByteArray>{"xy"});
    }
}

void TestLineFramer::overflowHeadNamesTheFrame()
{
    LineFramer framer(16);
    QList<LineFramer::Line> lines = framer.split("{\"type\":\"res");
    lines += framer.split(QByteArray("ult\",\"id\":\"7\",\"data\":\"") + QByteArray(1000, 'a'));
    lines += framer.split("\"}\n");
    QCOMPARE(lines.size(), 1);
    QVERIFY(lines.first().overflowed());
    QVERIFY(lines.first().head.startsWith("{\"type\":\"result\",\"id\":\"7\""));
    QCOMPARE(lines.first().head.size(), LineFramer::HeadBytes);
    QCOMPARE(lines.first().droppedBytes, qint64(12 + 22 + 1000 + 2));
}

QTEST_GUILESS_MAIN(TestLineFramer)
#include "tst_lineframer.moc"
