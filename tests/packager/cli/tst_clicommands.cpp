// SPDX-License-Identifier: MIT
// The `deskpack` command library called in-process, as main.cpp calls it: each
// command group's entry point, its exit code and what it writes, without
// starting the executable (the executable's behaviour is tested per library).
#include "cli/bundlecommands.h"
#include "cli/lockcommands.h"
#include "cli/packagecommands.h"
#include "cli/plugincommands.h"
#include "cli/runtimecommands.h"
#include "common/testutil.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <functional>

#include <unistd.h>

using namespace Qt::Literals::StringLiterals;
using namespace deskpack;

namespace {

using Command = std::function<int(const QStringList &)>;

QString sitePackages()
{
    return test::fixture(u"packager/lock/fixtures/site-packages"_s);
}

QString goldenLock()
{
    return test::fixture(u"packager/lock/fixtures/site-packages.lock.json"_s);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// What a command printed on stdout, read back from a file standing in for it.
class StdoutCapture
{
public:
    StdoutCapture()
    {
        std::fflush(stdout);
        m_saved = ::dup(STDOUT_FILENO);
        m_file = std::tmpfile();
        ::dup2(::fileno(m_file), STDOUT_FILENO);
    }
    ~StdoutCapture() { restore(); }

    QByteArray text()
    {
        restore();
        std::rewind(m_file);
        QByteArray out;
        char buffer[4096];
        for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, m_file)) > 0;)
            out.append(buffer, qsizetype(n));
        return out;
    }

private:
    void restore()
    {
        if (m_saved < 0)
            return;
        std::fflush(stdout);
        ::dup2(m_saved, STDOUT_FILENO);
        ::close(m_saved);
        m_saved = -1;
    }

    int m_saved = -1;
    std::FILE *m_file = nullptr;
};

} // namespace

class TestCliCommands : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exitCodes_data()
    {
        QTest::addColumn<QString>("group");
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        const QString missing = u"/nonexistent/deskpack-test"_s;
        QTest::newRow("lock: no subcommand") << u"lock"_s << QStringList{} << 2;
        QTest::newRow("lock: unknown subcommand") << u"lock"_s << QStringList{u"frobnicate"_s} << 2;
        QTest::newRow("lock validate --help") << u"lock"_s
                                              << QStringList{u"validate"_s, u"--help"_s} << 0;
        QTest::newRow("lock validate: golden against its site-packages")
            << u"lock"_s
            << QStringList{u"validate"_s, goldenLock(), u"--site-packages"_s, sitePackages()} << 0;
        QTest::newRow("lock validate: unreadable lock")
            << u"lock"_s << QStringList{u"validate"_s, missing + u".json"_s} << 2;
        QTest::newRow("lock validate: schema 2")
            << u"lock"_s
            << QStringList{u"validate"_s,
                           test::fixture(u"packager/lock/fixtures/bad/version-2.json"_s)}
            << 1;
        QTest::newRow("lock diff: same lock") << u"lock"_s
                                              << QStringList{u"diff"_s, goldenLock(), goldenLock()}
                                              << 0;
        QTest::newRow("build: no config") << u"build"_s << QStringList{} << 2;
        QTest::newRow("build: missing config")
            << u"build"_s << QStringList{missing + u"/deskpack.json"_s} << 2;
        QTest::newRow("verify: no bundle") << u"verify"_s << QStringList{missing} << 2;
        QTest::newRow("package: no bundle")
            << u"package"_s << QStringList{missing, u"--format"_s, u"tar.gz"_s} << 2;
        QTest::newRow("package: unknown format")
            << u"package"_s << QStringList{missing, u"--format"_s, u"rar"_s} << 2;
        QTest::newRow("runtime: no subcommand") << u"runtime"_s << QStringList{} << 2;
        QTest::newRow("plugin: no subcommand") << u"plugin"_s << QStringList{} << 2;
        QTest::newRow("plugin check: no bundle")
            << u"plugin"_s
            << QStringList{u"check"_s, u"--bundle"_s, missing, u"-r"_s, missing + u".txt"_s}
            << 2;
    }

    void exitCodes()
    {
        QFETCH(QString, group);
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        const QHash<QString, Command> commands{
            {u"lock"_s, cli::runLockCommand},       {u"build"_s, cli::runBuildCommand},
            {u"verify"_s, cli::runVerifyCommand},   {u"package"_s, cli::runPackageCommand},
            {u"runtime"_s, cli::runRuntimeCommand}, {u"plugin"_s, cli::runPluginCommand},
        };
        QVERIFY(commands.contains(group));
        StdoutCapture capture; // keeps --help and reports out of the test log
        const int code = commands.value(group)(arguments);
        (void)capture.text();
        QCOMPARE(code, exitCode);
    }

    void lockGenerateWritesTheGoldenLock()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString out = dir.filePath(u"lock.json"_s);
        QCOMPARE(cli::runLockCommand(
                     {u"generate"_s, u"--site-packages"_s, sitePackages(), u"-o"_s, out}),
                 0);
        QCOMPARE(readAll(out), readAll(goldenLock()));
    }

    void lockGenerateToStdout()
    {
        StdoutCapture capture;
        const int code = cli::runLockCommand({u"generate"_s, u"--site-packages"_s, sitePackages()});
        const QByteArray printed = capture.text();
        QCOMPARE(code, 0);
        QCOMPARE(printed, readAll(goldenLock()));
    }

    void jsonReportIsOneDocument()
    {
        StdoutCapture capture;
        const int code = cli::runLockCommand({u"validate"_s, u"--json"_s, goldenLock(),
                                              u"--site-packages"_s, sitePackages()});
        const QByteArray printed = capture.text();
        QCOMPARE(code, 0);
        QVERIFY(printed.endsWith('\n'));
        const auto report = nlohmann::json::parse(printed.toStdString(), nullptr, false);
        QVERIFY2(report.is_object(), printed.constData());
        QCOMPARE(QString::fromStdString(report.value("lock", std::string())), goldenLock());
    }

    void failedGenerateWritesNothing()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString out = dir.filePath(u"lock.json"_s);
        QCOMPARE(cli::runLockCommand({u"generate"_s, u"--site-packages"_s,
                                      test::fixture(u"packager/lock/fixtures/site-conflict"_s),
                                      u"-o"_s, out}),
                 1);
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestCliCommands)
#include "tst_clicommands.moc"
