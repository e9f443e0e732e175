// SPDX-License-Identifier: MIT
// The runner's dependency operations on the plugin boundary, against the demo
// bundle and the fixture wheels: KernelSession::deps() with
// BoundaryDependencies, and `deskpack-run --bundle ... --deps-*` and deps
// lines in --cells, with DESIGN.md's exit codes.
#include "common/pluginstestutil.h"
#include "common/runnertestutil.h"

#include "runner/kernel/kernellaunch.h"
#include "runner/kernel/kernelsession.h"
#include "runner/cli/boundarydependencies.h"

#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace deskpack;
using namespace deskpack::runner;
using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

namespace {

QString writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(data);
    return path;
}

QStringList strings(const json &value)
{
    QStringList out;
    if (value.is_array()) {
        for (const json &item : value) {
            if (item.is_string())
                out.append(QString::fromStdString(item.get<std::string>()));
        }
    }
    return out;
}

// The last line of `out` that parses as a JSON object with "type": "deps".
json depsFrame(const QByteArray &out)
{
    json found;
    for (const QByteArray &line : out.split('\n')) {
        const json doc = json::parse(line.toStdString(), nullptr, false);
        if (doc.is_object() && doc.contains("type") && doc["type"] == json("deps"))
            found = doc;
    }
    return found;
}

} // namespace

class TestKernelDeps : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_work;
    QString m_bundle;
    QString m_wheels;

    DepsRequest request(DepsOperation op, const QString &plugin, const QStringList &reqs = {})
    {
        DepsRequest r;
        r.operation = op;
        r.plugin = plugin;
        r.requirements = reqs;
        r.noIndex = true;
        r.findLinks = {m_wheels};
        return r;
    }

    // Runs one deps request on `session` and waits for it.
    DepsResult runDeps(KernelSession &session, const DepsRequest &r)
    {
        std::optional<DepsResult> result;
        session.deps(r, [&](const DepsResult &done) { result = done; });
        if (!QTest::qWaitFor([&] { return result.has_value(); }, 120'000))
            qFatal("the deps request did not settle");
        return *result;
    }

    std::shared_ptr<test::Collected> runCell(KernelSession &session, const QString &code)
    {
        auto c = std::make_shared<test::Collected>();
        session.execute(u"main"_s, code, {}, test::collectInto(c));
        if (!QTest::qWaitFor([&] { return c->done(); }, 60'000))
            qFatal("the cell did not settle");
        return c;
    }

    test::ProcessResult deskpackRun(const QString &dataDir, const QStringList &args)
    {
        return test::runProcess(test::binDir() + u"/deskpack-run"_s,
                                QStringList{u"--bundle"_s, m_bundle, u"--data-dir"_s, dataDir} +
                                    args);
    }

    QStringList localSources() const { return {u"--no-index"_s, u"--find-links"_s, m_wheels}; }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        const QString wheelError = test::makePluginWheels(m_work.path());
        QVERIFY2(wheelError.isEmpty(), qPrintable(wheelError));
        m_wheels = m_work.filePath(u"wheels"_s);
        QString error;
        m_bundle = test::buildPluginTestBundle(m_work.filePath(u"bundle"_s), m_wheels, &error);
        QVERIFY2(!m_bundle.isEmpty(), qPrintable(error));
    }

    void capabilitiesFollowTheBundle()
    {
        QTemporaryDir data;
        Result<KernelOptions> bundled = bundleKernelOptions(m_bundle, data.path());
        QVERIFY(bundled.ok());
        KernelSession withBundle(*bundled);
        QVERIFY(!withBundle.capabilities().depsInstall);
        plugins::attachBoundaryDependencies(withBundle, m_bundle, data.path());
        QVERIFY(withBundle.capabilities().depsInstall);
        QVERIFY(withBundle.capabilities().depsUninstall);

        const auto fromBundle = deskpackRun(data.path(), {u"--capabilities"_s});
        QCOMPARE(fromBundle.exitCode, 0);
        const json caps = json::parse(fromBundle.out.toStdString(), nullptr, false);
        QVERIFY2(caps.is_object(), fromBundle.out.constData());
        QVERIFY(caps["depsInstall"] == json(true) && caps["depsUninstall"] == json(true));
        const auto fromPython =
            test::runProcess(test::binDir() + u"/deskpack-run"_s,
                             {u"--python"_s, test::systemPython(), u"--capabilities"_s});
        QCOMPARE(fromPython.exitCode, 0);
        const json plain = json::parse(fromPython.out.toStdString(), nullptr, false);
        QVERIFY(plain["depsInstall"] == json(false) && plain["depsUninstall"] == json(false));
    }

    // Install through the session, import in the next cell (the kernel that
    // ran before restarts on request), uninstall, and a refused clash.
    void sessionInstallImportUninstall()
    {
        QTemporaryDir data;
        Result<KernelOptions> options = bundleKernelOptions(m_bundle, data.path());
        QVERIFY(options.ok());
        KernelSession session(*options);
        plugins::attachBoundaryDependencies(session, m_bundle, data.path());
        const auto before = runCell(session, u"import os; os.getpid()"_s);
        QCOMPARE(before->result.status, ExecuteStatus::Ok);

        DepsRequest install =
            request(DepsOperation::Install, u"weather"_s, {u"deskpack-demo-plugin-weather"_s});
        install.restart = true;
        const DepsResult installed = runDeps(session, install);
        QVERIFY2(installed.status == DepsResult::Status::Ok, qPrintable(installed.message()));
        QVERIFY(installed.changed && installed.restarted);
        QCOMPARE(strings(installed.report["installed"]),
                 (QStringList{u"deskpack-demo-plugin-weather 1.0"_s, u"weatherlib 2.0"_s}));
        const auto imported = runCell(
            session, u"import os, deskpack_demo_plugin_weather as p; (p.FORECAST, os.getpid())"_s);
        QVERIFY2(imported->result.status == ExecuteStatus::Ok, qPrintable(imported->err));
        QVERIFY(test::plain(imported).startsWith(u"('sunny 2.0', "_s));
        QVERIFY(!test::plain(imported).contains(test::plain(before))); // a new kernel

        // A clash: refused, nothing changes, exit code 1.
        const auto tree = test::treeHash(data.filePath(u"site-packages"_s));
        const DepsResult clash =
            runDeps(session, request(DepsOperation::Install, u"old"_s, {u"demo-greeting<1.0"_s}));
        QCOMPARE(clash.status, DepsResult::Status::Refused);
        QCOMPARE(clash.exitCode(), 1);
        QVERIFY(!clash.changed && !clash.restartRequired);
        QCOMPARE(test::treeHash(data.filePath(u"site-packages"_s)), tree);

        // Uninstall: the running kernel still holds the module, so a restart is due.
        const DepsResult removed =
            runDeps(session, request(DepsOperation::Uninstall, u"weather"_s));
        QVERIFY2(removed.status == DepsResult::Status::Ok, qPrintable(removed.message()));
        QVERIFY(removed.restartRequired);
        QCOMPARE(strings(removed.report["removed"]).size(), 2);
        QVERIFY(!QFileInfo::exists(data.filePath(u"site-packages/weatherlib"_s)));
        const DepsResult listed = runDeps(session, request(DepsOperation::List, {}));
        QCOMPARE(listed.status, DepsResult::Status::Ok);
        QVERIFY(listed.report["plugins"].is_array() && listed.report["plugins"].empty());
    }

    // Install adds to a plugin's declared requirements; sync makes them exact,
    // dropping what only this plugin needed and keeping what another owns.
    void installAddsSyncDropsButKeepsShared()
    {
        QTemporaryDir data;
        Result<KernelOptions> options = bundleKernelOptions(m_bundle, data.path());
        QVERIFY(options.ok());
        KernelSession session(*options);
        plugins::attachBoundaryDependencies(session, m_bundle, data.path());
        const QString sp = data.filePath(u"site-packages"_s);
        QCOMPARE(
            runDeps(session, request(DepsOperation::Install, u"x"_s, {u"deskpack-demo-plugin-a"_s}))
                .status,
            DepsResult::Status::Ok);
        QCOMPARE(
            runDeps(session, request(DepsOperation::Install, u"y"_s, {u"deskpack-demo-plugin-b"_s}))
                .status,
            DepsResult::Status::Ok);
        const DepsResult added = runDeps(
            session, request(DepsOperation::Install, u"x"_s, {u"deskpack-demo-plugin-weather"_s}));
        QCOMPARE(added.status, DepsResult::Status::Ok);
        QVERIFY(strings(added.report["removed"]).isEmpty()); // added, nothing dropped
        QVERIFY(QFileInfo::exists(sp + u"/deskpack_demo_plugin_a"_s));

        const DepsResult synced = runDeps(
            session, request(DepsOperation::Sync, u"x"_s, {u"deskpack-demo-plugin-weather"_s}));
        QVERIFY2(synced.status == DepsResult::Status::Ok, qPrintable(synced.message()));
        QCOMPARE(strings(synced.report["removed"]), QStringList{u"deskpack_demo_plugin_a 1.0"_s});
        QVERIFY(!QFileInfo::exists(sp + u"/deskpack_demo_plugin_a"_s));
        QVERIFY(QFileInfo::exists(sp + u"/sharedlib/__init__.py"_s)); // y still owns it
        QVERIFY(QFileInfo::exists(sp + u"/weatherlib/__init__.py"_s));
        const auto shared = runCell(session, u"import deskpack_demo_plugin_b; 1"_s);
        QVERIFY2(shared->result.status == ExecuteStatus::Ok, qPrintable(shared->err));

        // Sync to nothing removes the plugin.
        const DepsResult none = runDeps(session, request(DepsOperation::Sync, u"x"_s, {}));
        QCOMPARE(none.status, DepsResult::Status::Ok);
        QVERIFY(!QFileInfo::exists(sp + u"/weatherlib"_s));
        QVERIFY(QFileInfo::exists(sp + u"/sharedlib/__init__.py"_s));
    }

    void cliExitCodes_data()
    {
        QTest::addColumn<QByteArray>("requirements");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrHas");
        QTest::newRow("installs") << QByteArray("deskpack-demo-plugin-weather\n") << 0
                                  << u"deskpack-demo-plugin-weather 1.0, weatherlib 2.0"_s;
        QTest::newRow("clash") << QByteArray("deskpack-demo-plugin-transitive\n") << 1
                               << u"plugin myplugin needs demo-greeting<1.0 (through oldlib 1.0), "
                                  "but the app's core pins demo-greeting==1.2.0"_s;
        QTest::newRow("hostile requirements")
            << QByteArray("foo\n-e ../evil\n") << 2 << u"requirements.txt:2: editable"_s;
        QTest::newRow("pip fails")
            << QByteArray("no-such-distribution\n") << 3 << u"no-such-distribution"_s;
    }
    void cliExitCodes()
    {
        QFETCH(QByteArray, requirements);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrHas);
        QTemporaryDir data;
        const auto a = deskpackRun(data.path(), QStringList{u"--deps-install"_s, u"a"_s, u"-r"_s,
                                                            writeFile(data.filePath(u"a.txt"_s),
                                                                      "deskpack-demo-plugin-a\n")} +
                                                    localSources());
        QVERIFY2(a.exitCode == 0, a.err.constData());
        const QString sp = data.filePath(u"site-packages"_s);
        const auto before = test::treeHash(sp);
        const QString file = writeFile(data.filePath(u"myplugin/requirements.txt"_s), requirements);
        const auto r = deskpackRun(data.path(), QStringList{u"--deps-install"_s, u"myplugin"_s,
                                                            u"-r"_s, file, u"--json"_s} +
                                                    localSources());
        QVERIFY2(r.exitCode == exitCode, r.err.constData());
        const json frame = depsFrame(r.out);
        QVERIFY2(frame.is_object(), r.out.constData());
        QVERIFY(frame["exitCode"] == json(exitCode));
        const QString text = exitCode == 0 ? strings(frame["report"]["installed"]).join(u", "_s)
                                           : QString::fromStdString(frame.dump());
        QVERIFY2(text.contains(stderrHas), qPrintable(text));
        if (exitCode != 0)
            QCOMPARE(test::treeHash(sp), before);
        // The same as text on stderr.
        if (exitCode != 0) {
            const auto human = deskpackRun(
                data.path(),
                QStringList{u"--deps-install"_s, u"myplugin"_s, u"-r"_s, file} + localSources());
            QCOMPARE(human.exitCode, exitCode);
            QVERIFY2(QString::fromUtf8(human.err).contains(stderrHas), human.err.constData());
        }
    }

    // --deps-install, then a cell in a kernel started after it; --deps-list
    // --json; --deps-sync; --deps-uninstall; the refusal with --python.
    void cliInstallListSyncUninstall()
    {
        QTemporaryDir data;
        const QString reqs = writeFile(data.filePath(u"weather.txt"_s),
                                       "deskpack-demo-plugin-weather\ndeskpack-demo-plugin-a\n");
        const auto installed = deskpackRun(
            data.path(),
            QStringList{u"--deps-install"_s, u"weather"_s, u"-r"_s, reqs} + localSources() +
                QStringList{u"-c"_s, u"import deskpack_demo_plugin_weather as p; p.FORECAST"_s});
        QVERIFY2(installed.exitCode == 0, installed.err.constData());
        QCOMPARE(installed.out.trimmed(), QByteArray("'sunny 2.0'"));

        const auto listed = deskpackRun(data.path(), {u"--deps-list"_s, u"--json"_s});
        QVERIFY2(listed.exitCode == 0, listed.err.constData());
        const json list = depsFrame(listed.out);
        QVERIFY2(list.is_object(), listed.out.constData());
        QVERIFY(list["op"] == json("list") && list["status"] == json("ok"));
        const json &plugins = list["report"]["plugins"];
        QVERIFY(plugins.is_array() && plugins.size() == 1);
        QVERIFY(plugins[0]["name"] == json("weather"));
        QCOMPARE(strings(plugins[0]["distributions"]),
                 (QStringList{u"deskpack-demo-plugin-a"_s, u"deskpack-demo-plugin-weather"_s,
                              u"sharedlib"_s, u"weatherlib"_s}));

        const QString smaller =
            writeFile(data.filePath(u"smaller.txt"_s), "deskpack-demo-plugin-weather\n");
        const auto synced = deskpackRun(data.path(), QStringList{u"--deps-sync"_s, u"weather"_s,
                                                                 u"-r"_s, smaller, u"--json"_s} +
                                                         localSources());
        QVERIFY2(synced.exitCode == 0, synced.err.constData());
        QStringList removed = strings(depsFrame(synced.out)["report"]["removed"]);
        removed.sort();
        QCOMPARE(removed, (QStringList{u"deskpack_demo_plugin_a 1.0"_s, u"sharedlib 1.0"_s}));

        const auto uninstalled = deskpackRun(data.path(), {u"--deps-uninstall"_s, u"weather"_s});
        QVERIFY2(uninstalled.exitCode == 0, uninstalled.err.constData());
        QVERIFY(!QFileInfo::exists(data.filePath(u"site-packages/weatherlib"_s)));
        const auto again = deskpackRun(data.path(), {u"--deps-uninstall"_s, u"weather"_s});
        QCOMPARE(again.exitCode, 2);
        QVERIFY2(again.err.contains("no plugin named 'weather' is installed"),
                 again.err.constData());

        const auto python = test::runProcess(test::binDir() + u"/deskpack-run"_s,
                                             {u"--python"_s, test::systemPython(),
                                              u"--deps-install"_s, u"weather"_s, u"-r"_s, reqs});
        QCOMPARE(python.exitCode, 2);
        QVERIFY2(python.err.contains("need --bundle"), python.err.constData());
        QVERIFY(python.out.isEmpty());
    }

    // %deps in the REPL: a request between cells; --restart gives the next
    // cell a fresh kernel that imports the plugin; a bad line only prints usage.
    void replDepsMagic()
    {
        QTemporaryDir data;
        const QString reqs =
            writeFile(data.filePath(u"weather.txt"_s), "deskpack-demo-plugin-weather\n");
        const QByteArray input = "x = 1\n%deps install weather -r " + reqs.toUtf8() +
                                 " --restart\n"
                                 "import deskpack_demo_plugin_weather as p; p.FORECAST\n"
                                 "%deps frobnicate\n"
                                 "'x' in globals()\n";
        const auto r = test::runProcess(
            test::binDir() + u"/deskpack-run"_s,
            QStringList{u"--bundle"_s, m_bundle, u"--data-dir"_s, data.path(), u"--repl"_s} +
                localSources(),
            input);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.out, QByteArray("'sunny 2.0'\nFalse\n"));
        QVERIFY2(r.err.contains("the kernel was restarted"), r.err.constData());
        QVERIFY2(r.err.contains("usage: %deps"), r.err.constData());
    }

    // deps lines in a --cells file: install with restart, then the module
    // imports in the next cell; a clash stops the run with exit 1.
    void cellsFileWithDepsLines()
    {
        QTemporaryDir data;
        const QString cells =
            writeFile(data.filePath(u"cells.ndjson"_s),
                      "{\"code\": \"import os; os.getpid()\"}\n"
                      "{\"deps\": \"install\", \"plugin\": \"weather\", \"requirements\": "
                      "[\"deskpack-demo-plugin-weather\"], \"restart\": true}\n"
                      "{\"code\": \"import deskpack_demo_plugin_weather as p; p.FORECAST\"}\n"
                      "{\"deps\": \"install\", \"plugin\": \"bad\", \"requirements\": "
                      "[\"demo-greeting<1.0\"]}\n"
                      "{\"code\": \"print('never')\"}\n");
        const auto r = deskpackRun(data.path(),
                                   QStringList{u"--cells"_s, cells, u"--json"_s} + localSources());
        QVERIFY2(r.exitCode == 1, r.err.constData());
        QVERIFY(r.out.contains("\"text/plain\":\"'sunny 2.0'\""));
        QVERIFY(!r.out.contains("never"));
        const json refused = depsFrame(r.out);
        QVERIFY(refused["status"] == json("refused") && refused["cell"] == json(3));

        const QString badCells = writeFile(data.filePath(u"bad.ndjson"_s),
                                           "{\"deps\": \"install\", \"plugin\": \"x\"}\n");
        const auto bad = deskpackRun(data.path(), {u"--cells"_s, badCells});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("bad.ndjson:1: a deps install request needs"),
                 bad.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestKernelDeps)
#include "tst_kerneldeps.moc"
