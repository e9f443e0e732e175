// SPDX-License-Identifier: MIT
// A corpus of bad locks: each is rejected by `deskpack lock validate` with a
// message naming the file and the problem, the documented exit code, and no
// crash, also in --json mode.
#include "common/testutil.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

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
        QTest::newRow(name) << test::fixture(QStringLiteral("lock/fixtures/bad/%1.json")
                                                 .arg(QLatin1StringView(name)))
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
               {u"not-json.json:1:2: not valid JSON: syntax error while parsing value"_qs});
        addBad("truncated", 2, {u"truncated.json:6:"_qs, u"not valid JSON"_qs});
        addBad("empty", 2, {u"empty.json: file is empty"_qs});
        addBad("trailing-comma", 2, {u"trailing-comma.json:1:"_qs, u"not valid JSON"_qs});
        addBad("invalid-utf8", 2, {u"invalid-utf8.json:1:"_qs, u"not valid JSON"_qs});
        addBad("root-array", 1, {u"root-array.json: $: error: expected an object"_qs});
        addBad("wrong-types", 1,
               {u"wrong-types.json: version: error: expected the integer 1, got \"1\""_qs,
                u"wrong-types.json: distributions: error: expected a list, got object"_qs});
        addBad("float-version", 1, {u"version: error: expected the integer 1, got 1.0"_qs});
        addBad("version-2", 1,
               {u"version-2.json: version: error: unsupported schema version 2; this deskpack "
                u"reads version 1"_qs});
        addBad("missing-distributions", 1,
               {u"missing-distributions.json: $: error: missing key \"distributions\""_qs});
        addBad("missing-version", 1,
               {u"missing-version.json: $: error: missing key \"version\""_qs});
        addBad("missing-entry-keys", 1,
               {u"distributions[0]: error: missing key \"name\""_qs,
                u"distributions[0]: error: missing key \"version\""_qs});
        addBad("wrong-entry-types", 1,
               {u"distributions[0].name: error: expected a string, got number"_qs,
                u"distributions[0].version: error: expected a string, got array"_qs,
                u"distributions[0].top_level_modules: error: expected a list of strings, got "
                u"string"_qs});
        addBad("empty-name", 1, {u"distributions[0].name: error: must not be empty"_qs});
        addBad("duplicate-names", 1,
               {u"distributions[2] (jinja2): error: duplicate of distributions[0] (Jinja2 3.1.2): "
                u"both normalise to \"jinja2\""_qs,
                u"distributions[3] (Typing.Extensions): error: duplicate of distributions[1] "
                u"(typing_extensions 4.4.0): both normalise to \"typing-extensions\""_qs});
        addBad("whitespace", 1,
               {u"name \"foo bar\" contains whitespace"_qs,
                u"version \"1.0 \" contains whitespace"_qs});
        addBad("unsorted-modules", 1,
               {u"top_level_modules not sorted: \"zeta\" comes before \"alpha\""_qs});
        addBad("repeated-modules", 1, {u"top_level_modules lists \"foo\" twice"_qs});

        QRandomGenerator random(1234);
        QByteArray junk(50 * 1024 * 1024, Qt::Uninitialized);
        random.fillRange(reinterpret_cast<quint32 *>(junk.data()), junk.size() / 4);
        junk[0] = '\x07';
        QTest::newRow("50 MB of junk") << generated(u"junk.json"_qs, junk) << 2
                                       << QStringList{u"junk.json:1:1: not valid JSON"_qs};
        QTest::newRow("100,000-deep arrays")
            << generated(u"deep.json"_qs, QByteArray(100000, '[') + QByteArray(100000, ']')) << 2
            << QStringList{u"deep.json:1:129: JSON nests deeper than 128 levels"_qs};
        QByteArray objects = QByteArray("{\"a\":").repeated(100000) + '1' + QByteArray(100000, '}');
        QTest::newRow("100,000-deep objects")
            << generated(u"deep-objects.json"_qs, objects) << 2
            << QStringList{u"deep-objects.json:1:"_qs, u"nests deeper than 128 levels"_qs};
        QTest::newRow("brackets inside strings do not count")
            << generated(u"strings.json"_qs, "{\"version\": 1, \"distributions\": [], \"x\": \"" +
                                                 QByteArray(1000, '[') +
                                                 "\\\"\", \"y\": [[[1]]], \"z\": 2}")
            << 0 << QStringList{u"strings.json: valid (0 distributions)"_qs};
        QTest::newRow("larger than a lock can be")
            << generated(u"huge.json"_qs, QByteArray(65 * 1024 * 1024, ' ')) << 2
            << QStringList{u"huge.json: file is"_qs, u"a runtime core lock is at most"_qs};
        QTest::newRow("missing file")
            << m_dir.filePath(u"nope.json"_qs) << 2 << QStringList{u"nope.json: cannot read"_qs};
        QTest::newRow("a directory") << m_dir.path() << 2 << QStringList{u"cannot read"_qs};
    }

    void rejected()
    {
        QFETCH(QString, path);
        QFETCH(int, exitCode);
        QFETCH(QStringList, fragments);
        const test::ProcessResult human = test::runDeskpack({u"lock"_qs, u"validate"_qs, path});
        QVERIFY2(!human.crashed, human.err.left(2000).constData());
        const QString err = QString::fromUtf8(human.err);
        QVERIFY2(
            human.exitCode == exitCode,
            qPrintable(
                QStringLiteral("exit %1, stderr: %2").arg(human.exitCode).arg(err.left(2000))));
        for (const QString &fragment : fragments)
            QVERIFY2(
                err.contains(fragment),
                qPrintable(QStringLiteral("missing \"%1\" in: %2").arg(fragment, err.left(2000))));
        QVERIFY(human.out.isEmpty());

        const test::ProcessResult machine =
            test::runDeskpack({u"lock"_qs, u"validate"_qs, u"--json"_qs, path});
        QCOMPARE(machine.exitCode, exitCode);
        const auto report = nlohmann::json::parse(machine.out.constData(), nullptr, false);
        QVERIFY2(report.is_object(), machine.out.left(500).constData());
        QCOMPARE(report.value("valid", true), exitCode == 0);
    }
};

QTEST_GUILESS_MAIN(TestLockCorpus)
#include "tst_lockcorpus.moc"
