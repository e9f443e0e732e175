// SPDX-License-Identifier: MIT
#include "runner/lineframer.h"

#include <QTest>

using deskpack::runner::LineFramer;

class TestLineFramer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void framing_data();
    void framing();
    void overlongLineIsDroppedAlone();
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

QTEST_GUILESS_MAIN(TestLineFramer)
#include "tst_lineframer.moc"
