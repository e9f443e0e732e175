// SPDX-License-Identifier: MIT
// A corpus of bad locks: each is rejected by `deskpack lock validate` with a
// message naming the file and the problem, the documented exit code, and no
// crash, also in --json mode.
#include "common/testutil.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;

class TestLockCorpus : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString generated(const QString &name, const QByteArray &content)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    void addBad(const char *name, int exitCode, const QStringList &fragments)
    {
        QTest::newRow(name) << test::fixture(u"packager/lock/fixtures/bad/%1.json"_s.arg(
                                   QLatin1StringView(name)))
                            << exitCode << fragments;
    }

private Q_SLOTS:
    void rejected_data()
    {
        QVERIFY(m_dir.isValid());
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QStringList>("fragments");

        addBad("not-json", 2,
               {u"not-json.json:1:2: not valid JSON: syntax error while parsing value"_s});
        addBad("truncated", 2, {u"truncated.json:6:"_s, u"not valid JSON"_s});
        addBad("empty", 2, {u"empty.json: file is empty"_s});
        addBad("trailing-comma", 2, {u"trailing-comma.json:1:"_s, u"not valid JSON"_s});
        addBad("invalid-utf8", 2, {u"invalid-utf8.json:1:"_s, u"not valid JSON"_s});
        addBad("root-array", 1, {u"root-array.json: $: error: expected an object"_s});
        addBad("wrong-types", 1,
               {u"wrong-types.json: version: error: expected the integer 1, got \"1\""_s,
                u"wrong-types.json: distributions: error: expected a list, got object"_s});
        addBad("float-version", 1, {u"version: error: expected the integer 1, got 1.0"_s});
        addBad("version-2", 1,
               {u"version-2.json: version: error: unsupported schema version 2; this deskpack "
                u"reads version 1"_s});
        addBad("missing-distributions", 1,
               {u"missing-distributions.json: $: error: missing key \"distributions\""_s});
        addBad("missing-version", 1,
               {u"missing-version.json: $: error: missing key \"version\""_s});
        addBad("missing-entry-keys", 1,
               {u"distributions[0]: error: missing key \"name\""_s,
                u"distributions[0]: error: missing key \"version\""_s});
        addBad("wrong-entry-types", 1,
               {u"distributions[0].name: error: expected a string, got number"_s,
                u"distributions[0].version: error: expected a string, got array"_s,
                u"distributions[0].top_level_modules: error: expected a list of strings, got "
                u"string"_s});
        addBad("empty-name", 1, {u"distributions[0].name: error: must not be empty"_s});
        addBad("duplicate-names", 1,
               {u"distributions[2] (jinja2): error: duplicate of distributions[0] (Jinja2 3.1.2): "
                u"both normalise to \"jinja2\""_s,
                u"distributions[3] (Typing.Extensions): error: duplicate of distributions[1] "
                u"(typing_extensions 4.4.0): both normalise to \"typing-extensions\""_s});
        addBad(
            "whitespace", 1,
            {u"name \"foo bar\" contains whitespace"_s, u"version \"1.0 \" contains whitespace"_s});
        addBad("unsorted-modules", 1,
               {u"top_level_modules not sorted: \"zeta\" comes before \"alpha\""_s});
        addBad("repeated-modules", 1, {u"top_level_modules lists \"foo\" twice"_s});

        QRandomGenerator random(1234);
        QByteArray junk(50 * 1024 * 1024, Qt::Uninitialized);
        random.fillRange(reinterpret_cast<quint32 *>(junk.data()), junk.size() / 4);
        junk[0] = '\x07';
        QTest::newRow("50 MB of junk") << generated(u"junk.json"_s, junk) << 2
                                       << QStringList{u"junk.json:1:1: not valid JSON"_s};
        QTest::newRow("100,000-deep arrays")
            << generated(u"deep.json"_s, QByteArray(100000, '[') + QByteArray(100000, ']')) << 2
            << QStringList{u"deep.json:1:129: JSON nests deeper than 128 levels"_s};
        QByteArray objects = QByteArray("{\"a\":").repeated(100000) + '1' + QByteArray(100000, '}');
        QTest::newRow("100,000-deep objects")
            << generated(u"deep-objects.json"_s, objects) << 2
            << QStringList{u"deep-objects.json:1:"_s, u"nests deeper than 128 levels"_s};
        QTest::newRow("brackets inside strings do not count")
            << generated(u"strings.json"_s, "{\"version\": 1, \"distributions\": [], \"x\": \"" +
                                                QByteArray(1000, '[') +
                                                "\\\"\", \"y\": [[[1]]], \"z\": 2}")
            << 0 << QStringList{u"strings.json: valid (0 distributions)"_s};
        QTest::newRow("larger than a lock can be")
            << generated(u"huge.json"_s, QByteArray(65 * 1024 * 1024, ' ')) << 2
            << QStringList{u"huge.json: file is"_s, u"a runtime core lock is at most"_s};
        QTest::newRow("missing file")
            << m_dir.filePath(u"nope.json"_s) << 2 << QStringList{u"nope.json: cannot read"_s};
        QTest::newRow("a directory")
            << m_dir.path() << 2
            << QStringList{u"not a regular file (expected a runtime core lock)"_s};
        const QString fifo = m_dir.filePath(u"fifo.json"_s);
        QFile::remove(fifo);
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0644), 0);
        QTest::newRow("a fifo (would block a plain open)")
            << fifo << 2 << QStringList{u"fifo.json: not a regular file"_s};
    }

    void rejected()
    {
        QFETCH(QString, path);
        QFETCH(int, exitCode);
        QFETCH(QStringList, fragments);
        const test::ProcessResult human = test::runDeskpack({u"lock"_s, u"validate"_s, path});
        QVERIFY2(!human.crashed, human.err.left(2000).constData());
        const QString err = QString::fromUtf8(human.err);
        QVERIFY2(human.exitCode == exitCode,
                 qPrintable(u"exit %1, stderr: %2"_s.arg(human.exitCode).arg(err.left(2000))));
        for (const QString &fragment : fragments)
            QVERIFY2(err.contains(fragment),
                     qPrintable(u"missing \"%1\" in: %2"_s.arg(fragment, err.left(2000))));
        QVERIFY(human.out.isEmpty());

        const test::ProcessResult machine =
            test::runDeskpack({u"lock"_s, u"validate"_s, u"--json"_s, path});
        QCOMPARE(machine.exitCode, exitCode);
        const auto report = nlohmann::json::parse(machine.out.constData(), nullptr, false);
        QVERIFY2(report.is_object(), machine.out.left(500).constData());
        QCOMPARE(report.value("valid", true), exitCode == 0);
    }
};

QTEST_GUILESS_MAIN(TestLockCorpus)
#include "tst_lockcorpus.moc"
