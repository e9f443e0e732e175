// SPDX-License-Identifier: MIT
// `deskpack lock generate|validate|diff` as scripts use it: flags, exit codes
// (0 ok, 1 problems, 2 usage or unreadable input, 3 environment), --json, and
// no half-written output.
#include "common/testutil.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using nlohmann::json;

namespace {

QString sitePackages()
{
    return test::fixture(u"packager/lock/fixtures/site-packages"_s);
}

QString goldenPath()
{
    return test::fixture(u"packager/lock/fixtures/site-packages.lock.json"_s);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(data), data.size());
}

json parseJson(const QByteArray &data)
{
    return json::parse(data.constData(), data.constData() + data.size(), nullptr, false);
}

QStringList problemCodes(const json &report)
{
    QStringList out;
    for (const auto &p : report["problems"])
        if (p["severity"] == "error")
            out.append(QString::fromStdString(p["code"].get<std::string>()));
    return out;
}

} // namespace

class TestLockCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void generateToStdout()
    {
        const auto r =
            test::runDeskpack({u"lock"_s, u"generate"_s, u"--site-packages"_s, sitePackages()});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, readAll(goldenPath()));
        QVERIFY(r.err.contains("warning: iota names module \"ghost\""));
    }

    void generateToFile()
    {
        const QString out = m_dir.filePath(u"lock.json"_s);
        const auto r = test::runDeskpack(
            {u"lock"_s, u"generate"_s, u"--site-packages"_s, sitePackages(), u"-o"_s, out});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(readAll(out), readAll(goldenPath()));
    }

    void generateConflictWritesNothing()
    {
        const QString out = m_dir.filePath(u"kept.json"_s);
        writeFile(out, "previous content\n");
        const auto r = test::runDeskpack({u"lock"_s, u"generate"_s, u"--site-packages"_s,
                                          test::fixture(u"packager/lock/fixtures/site-conflict"_s),
                                          u"-o"_s, out});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("Kappa is installed twice at different versions"));
        QVERIFY(r.err.contains("no lock written"));
        QCOMPARE(readAll(out), QByteArray("previous content\n"));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("no command") << QStringList{} << u"Usage: deskpack COMMAND"_s;
        QTest::newRow("unknown command")
            << QStringList{u"frobnicate"_s} << u"unknown command 'frobnicate'"_s;
        QTest::newRow("unknown lock command")
            << QStringList{u"lock"_s, u"make"_s} << u"unknown command 'make'"_s;
        QTest::newRow("generate without dirs")
            << QStringList{u"lock"_s, u"generate"_s} << u"give at least one --site-packages DIR"_s;
        QTest::newRow("unknown option")
            << QStringList{u"lock"_s, u"generate"_s, u"--bogus"_s} << u"Unknown option 'bogus'"_s;
        QTest::newRow("missing option value")
            << QStringList{u"lock"_s, u"generate"_s, u"--site-packages"_s}
            << u"Missing value after '--site-packages'"_s;
        QTest::newRow("validate without lock")
            << QStringList{u"lock"_s, u"validate"_s} << u"expected exactly one LOCK file"_s;
        QTest::newRow("diff with one lock")
            << QStringList{u"lock"_s, u"diff"_s, u"a"_s} << u"expected two lock files"_s;
        QTest::newRow("site-packages missing")
            << QStringList{u"lock"_s, u"generate"_s, u"--site-packages"_s, u"/nonexistent/sp"_s}
            << u"/nonexistent/sp: cannot list site-packages"_s;
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, fragment);
        const auto r = test::runDeskpack(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(fragment), r.err.constData());
    }

    void help()
    {
        const auto r = test::runDeskpack({u"lock"_s, u"validate"_s, u"--help"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("Usage: deskpack lock validate"), r.out.constData());
        QVERIFY(r.out.contains("--site-packages <DIR>"));
    }

    void validateCleanWithInterpreter()
    {
        const auto r =
            test::runDeskpack({u"lock"_s, u"validate"_s, goldenPath(), u"--site-packages"_s,
                               sitePackages(), u"--python"_s, test::systemPython(), u"--json"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const json report = parseJson(r.out);
        QVERIFY(report["valid"] == true);
        QVERIFY(report["distributions"] == 10);
        QVERIFY(report["errors"] == 0);
    }

    void validateFindsDrift()
    {
        QByteArray text = readAll(goldenPath());
        text.replace("\"version\": \"1.0\"\n    },\n    {\n      \"name\": \"beta-pkg\"",
                     "\"version\": \"1.1\"\n    },\n    {\n      \"name\": \"beta-pkg\"");
        const QString drifted = m_dir.filePath(u"drifted.json"_s);
        writeFile(drifted, text);
        const auto r =
            test::runDeskpack({u"lock"_s, u"validate"_s, drifted, u"--site-packages"_s,
                               sitePackages(), u"--python"_s, test::systemPython(), u"--json"_s});
        QCOMPARE(r.exitCode, 1);
        const json report = parseJson(r.out);
        QVERIFY(report["valid"] == false);
        QCOMPARE(problemCodes(report),
                 (QStringList{u"version-mismatch"_s, u"interpreter-version-mismatch"_s}));
        // Human mode says the same on stderr.
        const auto human = test::runDeskpack(
            {u"lock"_s, u"validate"_s, drifted, u"--site-packages"_s, sitePackages()});
        QCOMPARE(human.exitCode, 1);
        QVERIFY2(human.err.contains("Alpha is locked at 1.1 but 1.0 is installed"),
                 human.err.constData());
    }

    void validateMissingInterpreter_data()
    {
        QTest::addColumn<QString>("python");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("missing") << u"/nonexistent/python3"_s
                                 << u"/nonexistent/python3: no such Python interpreter"_s;
        QTest::newRow("directory") << u"/usr/bin"_s << u"/usr/bin: not an executable file"_s;
        QTest::newRow("fails") << u"/bin/false"_s
                               << u"/bin/false failed to list its distributions"_s;
        QTest::newRow("answers garbage") << u"/bin/echo"_s << u"not a JSON list"_s;
    }

    void validateMissingInterpreter()
    {
        QFETCH(QString, python);
        QFETCH(QString, fragment);
        const auto r =
            test::runDeskpack({u"lock"_s, u"validate"_s, goldenPath(), u"--python"_s, python});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(QString::fromUtf8(r.err).contains(fragment), r.err.constData());
    }

    void diffIdentical()
    {
        const auto r = test::runDeskpack({u"lock"_s, u"diff"_s, goldenPath(), goldenPath()});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.isEmpty());
    }

    void diffChanged()
    {
        const QString newer = m_dir.filePath(u"newer.json"_s);
        writeFile(newer, "{\"version\": 1, \"distributions\": [{\"name\": \"alpha\", \"version\": "
                         "\"2.0\", \"top_level_modules\": [\"alpha\", \"alpha2\"]}]}");
        const auto r = test::runDeskpack({u"lock"_s, u"diff"_s, goldenPath(), newer});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.startsWith("- beta-pkg 2.0\n"), r.out.constData());
        QVERIFY(r.out.contains("~ alpha 1.0 -> 2.0\n~ alpha modules: +alpha2\n"));
        const auto j = test::runDeskpack({u"lock"_s, u"diff"_s, u"--json"_s, goldenPath(), newer});
        QCOMPARE(j.exitCode, 1);
        const json report = parseJson(j.out);
        QVERIFY(report["identical"] == false);
        QVERIFY(report["removed"].size() == 9);
        QVERIFY(report["added"].empty());
    }

    void diffRefusesInvalidLock()
    {
        const auto r =
            test::runDeskpack({u"lock"_s, u"diff"_s, goldenPath(),
                               test::fixture(u"packager/lock/fixtures/bad/version-2.json"_s)});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("unsupported schema version 2"));
        QVERIFY(r.err.contains("version-2.json: not a valid schema-1 lock"));
    }
};

QTEST_GUILESS_MAIN(TestLockCli)
#include "tst_lockcli.moc"
