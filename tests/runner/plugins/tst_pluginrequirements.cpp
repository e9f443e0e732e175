// SPDX-License-Identifier: MIT
// Plugin requirement files: plain PEP 508 lines pass, anything that would let
// a plugin pick its own sources, pull in other files or local code is refused
// with the file and line named.
#include "runner/plugins/pluginrequirements.h"

#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace deskpack::plugins;
using namespace Qt::Literals::StringLiterals;

class TestPluginRequirements : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accepted_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QStringList>("texts");
        QTest::addColumn<QList<int>>("lines");
        QTest::newRow("plain") << QByteArray("requests>=2.31\n# comment\n\nattrs\n")
                               << QStringList{u"requests>=2.31"_s, u"attrs"_s} << QList<int>{1, 4};
        QTest::newRow("marker and extras")
            << QByteArray("pydantic[email]<2 ; python_version >= \"3.8\"  # why\r\n")
            << QStringList{u"pydantic[email]<2 ; python_version >= \"3.8\""_s} << QList<int>{1};
        QTest::newRow("hash dropped")
            << QByteArray("weatherlib==1.0 --hash=sha256:abc \\\n   --hash=sha256:def\nx\n")
            << QStringList{u"weatherlib==1.0"_s, u"x"_s} << QList<int>{1, 3};
    }
    void accepted()
    {
        QFETCH(QByteArray, data);
        QFETCH(QStringList, texts);
        QFETCH(QList<int>, lines);
        const auto parsed = parseRequirements(data, u"reqs.txt"_s);
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : qPrintable(parsed.error().message));
        QStringList got;
        QList<int> gotLines;
        for (const RequirementLine &r : *parsed) {
            got << r.text;
            gotLines << r.line;
            QCOMPARE(r.file, u"reqs.txt"_s);
        }
        QCOMPARE(got, texts);
        QCOMPARE(gotLines, lines);
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("expected"); // substring of the message
        QTest::newRow("index-url") << QByteArray("attrs\n--index-url http://evil/simple\n")
                                   << u"reqs.txt:2: option '--index-url'"_s;
        QTest::newRow("extra-index-url") << QByteArray("--extra-index-url=http://x\n")
                                         << u"reqs.txt:1: option '--extra-index-url'"_s;
        QTest::newRow("-i") << QByteArray("-i http://x\n") << u"reqs.txt:1: option '-i'"_s;
        QTest::newRow("find-links") << QByteArray("-f /tmp\n") << u"reqs.txt:1: option '-f'"_s;
        QTest::newRow("editable") << QByteArray("-e .\n") << u"reqs.txt:1: editable"_s;
        QTest::newRow("include") << QByteArray("a\nb\n-r other.txt\n")
                                 << u"reqs.txt:3: '-r' includes another file"_s;
        QTest::newRow("constraint")
            << QByteArray("-c pins.txt\n") << u"reqs.txt:1: '-c' includes another file"_s;
        QTest::newRow("local path")
            << QByteArray("./vendor/foo\n") << u"reqs.txt:1: './vendor/foo': local"_s;
        QTest::newRow("absolute path") << QByteArray("/tmp/foo-1.0.whl\n") << u"reqs.txt:1:"_s;
        QTest::newRow("wheel file") << QByteArray("foo-1.0-py3-none-any.whl\n")
                                    << u"reqs.txt:1: 'foo-1.0-py3-none-any.whl': local"_s;
        QTest::newRow("url") << QByteArray("https://example.org/foo.tar.gz\n")
                             << u"reqs.txt:1: 'https://example.org/foo.tar.gz': URLs"_s;
        QTest::newRow("direct reference") << QByteArray("foo @ file:///tmp/foo\n")
                                          << u"reqs.txt:1: 'foo @ file:///tmp/foo': URLs"_s;
        QTest::newRow("per-requirement option") << QByteArray("foo --config-settings=x=y\n")
                                                << u"reqs.txt:1: option '--config-settings'"_s;
        QTest::newRow("env var") << QByteArray("foo==${VERSION}\n")
                                 << u"reqs.txt:1: environment variables"_s;
        QTest::newRow("long line") << QByteArray("a\n" + QByteArray(5000, 'x') + "\n")
                                   << u"reqs.txt:2: line of 5000 characters is too long"_s;
        QTest::newRow("10 MB line")
            << QByteArray(10 << 20, 'x') << u"reqs.txt: 10485760 bytes is too large"_s;
        QTest::newRow("NUL") << QByteArray("foo\0bar\n", 8) << u"reqs.txt: contains a NUL byte"_s;
        QTest::newRow("not UTF-8") << QByteArray("foo\xff\n") << u"reqs.txt: is not valid UTF-8"_s;
        QTest::newRow("empty") << QByteArray("# nothing\n\n")
                               << u"reqs.txt: lists no requirements"_s;
        QTest::newRow("garbage") << QByteArray("<script>\n")
                                 << u"reqs.txt:1: '<script>' is not a requirement"_s;
        QTest::newRow("dangling continuation")
            << QByteArray("foo \\") << u"reqs.txt:1: the file ends"_s;
    }
    void refused()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, expected);
        const auto parsed = parseRequirements(data, u"reqs.txt"_s);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().kind, ErrorKind::Usage);
        QVERIFY2(parsed.error().message.startsWith(expected) ||
                     parsed.error().message.contains(expected),
                 qPrintable(parsed.error().message));
    }

    void readsFiles()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto missing = readRequirementsFile(dir.filePath(u"nope.txt"_s));
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().kind, ErrorKind::Unreadable);
        QVERIFY(missing.error().message.contains(u"nope.txt"_s));

        QFile big(dir.filePath(u"big.txt"_s));
        QVERIFY(big.open(QIODevice::WriteOnly));
        big.write(QByteArray(MaxRequirementsFileSize + 10, 'a'));
        big.close();
        const auto tooBig = readRequirementsFile(big.fileName());
        QVERIFY(!tooBig.ok());
        QVERIFY(tooBig.error().message.contains(u"big.txt"_s));
        QVERIFY(tooBig.error().message.contains(u"too large"_s));
    }

    void pluginNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("simple") << u"weather"_s << true;
        QTest::newRow("dotted") << u"acme.weather-2"_s << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("slash") << u"../etc"_s << false;
        QTest::newRow("dot first") << u".hidden"_s << false;
        QTest::newRow("too long") << QString(65, u'a') << false;
        // `$` in a pattern also matches before a final newline.
        QTest::newRow("trailing newline") << u"weather\n"_s << false;
    }
    void pluginNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(isValidPluginName(name), valid);
    }
};

QTEST_GUILESS_MAIN(TestPluginRequirements)
#include "tst_pluginrequirements.moc"
