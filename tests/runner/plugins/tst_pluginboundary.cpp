// SPDX-License-Identifier: MIT
// The plugin site-packages boundary end to end, against a real demo bundle and
// its own pip: plugins add what the core lacks and can never replace, shadow
// or re-version a core distribution; every refusal and failure leaves the
// plugin site-packages byte for byte as it was.
#include "common/pluginstestutil.h"

#include "runner/plugins/pluginboundary.h"

#include <QLockFile>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace deskpack;
using namespace deskpack::plugins;
using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

namespace {

QList<RequirementLine> reqs(const QStringList &texts)
{
    QList<RequirementLine> out;
    int line = 0;
    for (const QString &t : texts)
        out.append({t, u"requirements.txt"_s, ++line});
    return out;
}

QString writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(data);
    return path;
}

} // namespace

class TestPluginBoundary : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_work;
    QString m_bundle;
    QString m_wheels;

    PluginBoundary open(const QString &dataDir, int lockTimeoutMs = 0)
    {
        PluginBoundary::Options options;
        options.bundleDir = m_bundle;
        options.dataDir = dataDir;
        options.lockTimeoutMs = lockTimeoutMs;
        Result<PluginBoundary> b = PluginBoundary::open(options);
        if (!b)
            qFatal("open: %s", qPrintable(b.error().message));
        return std::move(*b);
    }

    PluginSources local() const
    {
        PluginSources s;
        s.noIndex = true;
        s.findLinks = {m_wheels};
        return s;
    }

    QString python() const { return m_bundle + u"/runtime/bin/python3.11"_s; }

    // Runs CODE in the bundle's interpreter with the plugin site-packages last,
    // as launch_backend.py orders sys.path.
    test::ProcessResult runWithPlugins(const QString &sitePackages, const QString &code)
    {
        return test::runProcess(python(), {u"-I"_s, u"-B"_s, u"-c"_s,
                                           u"import sys; sys.path.append(sys.argv[1]); "_s + code,
                                           sitePackages});
    }

    // Installs `requirements` as `plugin` and asserts it succeeded.
    InstallResult mustInstall(PluginBoundary &b, const QString &plugin, const QStringList &r)
    {
        Result<InstallResult> result = b.install(plugin, reqs(r), local());
        if (!result)
            qFatal("install %s: %s", qPrintable(plugin), qPrintable(result.error().message));
        if (!result->ok())
            qFatal("install %s refused: %s", qPrintable(plugin), result->toJson().dump().c_str());
        return *result;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        QVERIFY2(QFileInfo(u"/usr/bin/python3.11"_s).isExecutable(),
                 "Debian's python3.11 is missing");
        const QString wheelError = test::makePluginWheels(m_work.path());
        QVERIFY2(wheelError.isEmpty(), qPrintable(wheelError));
        m_wheels = m_work.filePath(u"wheels"_s);
        QString error;
        m_bundle = test::buildPluginTestBundle(m_work.filePath(u"bundle"_s), m_wheels, &error);
        QVERIFY2(!m_bundle.isEmpty(), qPrintable(error));
    }

    void coreIndexSeesNamespacesAndRecords()
    {
        PluginBoundary b = open({});
        const CoreIndex &core = b.core();
        QVERIFY(core.pins.contains(u"demo-units"_s));
        QCOMPARE(core.pins[u"demo-greeting"_s].version, u"1.2.0"_s);
        QVERIFY(core.regularModules.contains(u"demo_units_compat"_s));
        QVERIFY(core.regularModules.contains(u"demo_greeting"_s));
        QVERIFY(core.namespacePackages.contains(u"deskns"_s));
        QVERIFY(!core.regularModules.contains(u"deskns"_s));
        QCOMPARE(core.files.value(u"deskns/base/__init__.py"_s), u"deskns-base"_s);
    }

    void pluginOnlyDependencyInstallsAndImports()
    {
        QTemporaryDir data;
        PluginBoundary b = open(data.path());
        const InstallResult r = mustInstall(b, u"weather"_s, {u"deskpack-demo-plugin-weather"_s});
        QCOMPARE(r.installed,
                 (QStringList{u"deskpack-demo-plugin-weather 1.0"_s, u"weatherlib 2.0"_s}));
        QVERIFY(r.restartRequired);
        const QString sp = data.filePath(u"site-packages"_s);
        QVERIFY(QFileInfo::exists(sp + u"/weatherlib/__init__.py"_s));
        QVERIFY(!QFileInfo::exists(data.filePath(u".plugin-staging"_s)) ||
                QDir(data.filePath(u".plugin-staging"_s)).isEmpty());

        const auto imported = runWithPlugins(
            sp, u"import deskpack_demo_plugin_weather as p, demo_units; print(p.FORECAST); "
                "print(p.weatherlib.__file__); print(demo_units.__file__)"_s);
        QVERIFY2(imported.exitCode == 0, imported.err.constData());
        const QList<QByteArray> lines = imported.out.trimmed().split('\n');
        QCOMPARE(lines.value(0), QByteArray("sunny 2.0"));
        QVERIFY(lines.value(1).startsWith(sp.toUtf8()));
        QVERIFY(lines.value(2).startsWith((m_bundle + u"/runtime/"_s).toUtf8()));

        // The demo backend as the launcher starts it shows the plugin and where
        // each of its modules came from.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"DESKPACK_PLUGIN_SITE_PACKAGES"_s, sp);
        env.insert(u"PYTHONDONTWRITEBYTECODE"_s, u"1"_s);
        const auto status = test::runProcess(
            python(),
            {u"-I"_s, m_bundle + u"/resources/launch_backend.py"_s, m_bundle, u"--print-status"_s},
            {}, 60000, env);
        QVERIFY2(status.exitCode == 0, status.err.constData());
        const json doc = json::parse(status.out.toStdString(), nullptr, false);
        QVERIFY2(doc.is_object(), status.out.constData());
        QVERIFY(doc["plugins"]["deskpack_demo_plugin_weather"] == json("ok"));
        const json &modules = doc["plugin_modules"]["deskpack_demo_plugin_weather"];
        QVERIFY2(modules.is_object(), status.out.constData());
        QVERIFY(QString::fromStdString(modules["imports"]["weatherlib"].get<std::string>())
                    .startsWith(sp));
        QVERIFY(QString::fromStdString(modules["imports"]["demo_units"].get<std::string>())
                    .startsWith(m_bundle + u"/runtime/lib/python3.11/site-packages/"_s));

        Result<ListResult> listed = b.list();
        QVERIFY(listed.ok());
        QCOMPARE(listed->plugins.size(), 1);
        QCOMPARE(listed->plugins[0].name, u"weather"_s);
        QCOMPARE(listed->plugins[0].distributions,
                 (QStringList{u"deskpack-demo-plugin-weather"_s, u"weatherlib"_s}));
    }

    void compatibleCoreDependencyIsNotDuplicated()
    {
        QTemporaryDir data;
        PluginBoundary b = open(data.path());
        const InstallResult r = mustInstall(b, u"units"_s, {u"deskpack-demo-plugin-units"_s});
        QCOMPARE(r.installed, QStringList{u"deskpack-demo-plugin-units 1.0"_s});
        const QString sp = data.filePath(u"site-packages"_s);
        QVERIFY(!QFileInfo::exists(sp + u"/demo_units"_s));
        QVERIFY(!QFileInfo::exists(sp + u"/demo_greeting"_s));
        bool sawCore = false;
        for (const ResolvedDistribution &d : r.resolution)
            sawCore = sawCore || (d.name == u"demo-units" && d.where == u"core");
        QVERIFY(sawCore);
    }

    void refusedInstallChangesNothing_data()
    {
        QTest::addColumn<QString>("requirement");
        QTest::addColumn<QString>("code"); // clash, or the audit offense code
        QTest::addColumn<QString>("message");
        QTest::newRow("conflicting version") << u"deskpack-demo-plugin-old"_s << u"clash"_s
                                             << u"plugin bad needs demo-greeting<1.0 (through "
                                                u"deskpack-demo-plugin-old 1.0), but the "
                                                "app's core pins demo-greeting==1.2.0"_s;
        QTest::newRow("direct conflicting version")
            << u"demo-greeting<1.0"_s << u"clash"_s
            << u"plugin bad needs demo-greeting<1.0, but the app's core pins demo-greeting==1.2.0"_s;
        QTest::newRow("conflicting transitive dependency")
            << u"deskpack-demo-plugin-transitive"_s << u"clash"_s
            << u"plugin bad needs demo-greeting<1.0 (through oldlib 1.0), but the app's core pins "
               "demo-greeting==1.2.0"_s;
        QTest::newRow("module named like a core module")
            << u"sneaky"_s << u"core-module"_s
            << u"sneaky 1.0 installs the top-level module 'demo_units_compat', which the core "
               "distribution demo-units provides"_s;
        QTest::newRow("file the core ships in a shared namespace")
            << u"deskns-evil"_s << u"core-file"_s
            << u"deskns_evil 1.0 installs 'deskns/base/__init__.py', a file of the core "
               "distribution deskns-base"_s;
    }
    void refusedInstallChangesNothing()
    {
        QFETCH(QString, requirement);
        QFETCH(QString, code);
        QFETCH(QString, message);
        QTemporaryDir data;
        PluginBoundary b = open(data.path());
        mustInstall(b, u"weather"_s, {u"deskpack-demo-plugin-weather"_s});
        const QString sp = data.filePath(u"site-packages"_s);
        const auto before = test::treeHash(sp);

        Result<InstallResult> r = b.install(u"bad"_s, reqs({requirement}), local());
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QVERIFY(!r->ok());
        QStringList messages, codes;
        for (const Clash &c : r->clashes)
            messages << c.message();
        for (const Offense &o : r->offenses) {
            messages << o.message;
            codes << o.code;
        }
        if (code != u"clash")
            QVERIFY2(codes.contains(code), qPrintable(codes.join(u' ')));
        if (code == u"clash")
            QVERIFY(!r->clashes.isEmpty());
        else
            QVERIFY(r->clashes.isEmpty());
        QVERIFY2(messages.contains(message), qPrintable(messages.join(u'\n')));
        QCOMPARE(test::treeHash(sp), before);
        QVERIFY(QDir(data.filePath(u".plugin-staging"_s)).isEmpty());
    }

    void namespacePortionInstallsAndImports()
    {
        QTemporaryDir data;
        PluginBoundary b = open(data.path());
        const InstallResult r = mustInstall(b, u"cloud"_s, {u"deskns-cloud"_s});
        QCOMPARE(r.installed, QStringList{u"deskns-cloud 1.0"_s});
        const QString sp = data.filePath(u"site-packages"_s);
        const auto imported = runWithPlugins(
            sp, u"import deskns.base, deskns.cloud; print(deskns.base.NAME, deskns.cloud.NAME); "
                "print(deskns.base.__file__)"_s);
        QVERIFY2(imported.exitCode == 0, imported.err.constData());
        QVERIFY(imported.out.startsWith("base cloud\n"));
        QVERIFY(imported.out.contains((m_bundle + u"/runtime/"_s).toUtf8()));
    }

    void sharedDependencyOutlivesOnePlugin()
    {
        QTemporaryDir data;
        PluginBoundary b = open(data.path());
        mustInstall(b, u"a"_s, {u"deskpack-demo-plugin-a"_s});
        const InstallResult second = mustInstall(b, u"b"_s, {u"deskpack-demo-plugin-b"_s});
        QCOMPARE(second.installed,
                 QStringList{u"deskpack-demo-plugin-b 1.0"_s}); // shared: not again
        Result<RemoveResult> removed = b.remove(u"a"_s);
        QVERIFY2(removed.ok(), removed.ok() ? "" : qPrintable(removed.error().message));
        QCOMPARE(removed->removed, QStringList{u"deskpack_demo_plugin_a 1.0"_s});
        QCOMPARE(removed->kept, QStringList{u"sharedlib (b)"_s});
        const QString sp = data.filePath(u"site-packages"_s);
        QVERIFY(!QFileInfo::exists(sp + u"/deskpack_demo_plugin_a"_s));
        QVERIFY(QFileInfo::exists(sp + u"/sharedlib/__init__.py"_s));
        const auto imported = runWithPlugins(sp, u"import deskpack_demo_plugin_b"_s);
        QVERIFY2(imported.exitCode == 0, imported.err.constData());

        Result<RemoveResult> last = b.remove(u"b"_s);
        QVERIFY(last.ok());
        QCOMPARE(last->removed.size(), 2);
        QVERIFY(!QFileInfo::exists(sp + u"/sharedlib"_s));
        Result<RemoveResult> again = b.remove(u"b"_s);
        QVERIFY(!again.ok());
        QCOMPARE(again.error().kind, ErrorKind::Usage);
    }

    // A plugin reinstalled with fewer requirements loses the distributions only
    // it owned; a dependency another plugin still owns stays, owned by that one.
    void smallerReinstallRemovesOnlyWhatThePluginAloneOwned()
    {
        QTemporaryDir data;
        PluginBoundary b = open(data.path());
        mustInstall(b, u"x"_s, {u"deskpack-demo-plugin-weather"_s, u"deskpack-demo-plugin-a"_s});
        mustInstall(b, u"y"_s, {u"deskpack-demo-plugin-b"_s}); // shares sharedlib with x
        const QString sp = data.filePath(u"site-packages"_s);

        const InstallResult first = mustInstall(b, u"x"_s, {u"deskpack-demo-plugin-a"_s});
        QCOMPARE(first.installed, QStringList{});
        QStringList removed = first.removed;
        removed.sort();
        QCOMPARE(removed,
                 (QStringList{u"deskpack_demo_plugin_weather 1.0"_s, u"weatherlib 2.0"_s}));
        QVERIFY(!QFileInfo::exists(sp + u"/weatherlib"_s));
        QVERIFY(QFileInfo::exists(sp + u"/sharedlib/__init__.py"_s));

        const InstallResult second = mustInstall(b, u"x"_s, {u"deskpack-demo-plugin-weather"_s});
        QCOMPARE(second.removed, QStringList{u"deskpack_demo_plugin_a 1.0"_s});
        QVERIFY(!QFileInfo::exists(sp + u"/deskpack_demo_plugin_a"_s));
        QVERIFY(QFileInfo::exists(sp + u"/sharedlib/__init__.py"_s));
        QVERIFY(QFileInfo::exists(sp + u"/weatherlib/__init__.py"_s));

        Result<OwnerRecord> owners = readOwners(sp);
        QVERIFY(owners.ok());
        QCOMPARE(owners->ownersOf(u"sharedlib"_s), QStringList{u"y"_s});
        QCOMPARE(owners->plugins.value(u"x"_s).distributions,
                 (QStringList{u"deskpack-demo-plugin-weather"_s, u"weatherlib"_s}));
        QCOMPARE(owners->plugins.value(u"x"_s).requirements,
                 QStringList{u"deskpack-demo-plugin-weather"_s});
        const auto imported =
            runWithPlugins(sp, u"import deskpack_demo_plugin_b, deskpack_demo_plugin_weather"_s);
        QVERIFY2(imported.exitCode == 0, imported.err.constData());
    }

    // A full disk at each step of an install, on a small tmpfs in a private
    // mount namespace (unshare; the install runs in it through nsenter, and the
    // test reads the tree through /proc/PID/root): exit 3, a message naming
    // the problem, the plugin site-packages byte for byte as before, and the
    // next install works once space is free.
    void fullDiskLeavesSitePackagesAsBefore_data()
    {
        QTest::addColumn<QString>("fillAt");
        QTest::addColumn<int>("leave");
        QTest::newRow("staging copy") << u"resolved"_s << 8192;
        QTest::newRow("journal") << u"audited"_s << 0;
        QTest::newRow("owner record after every move") << u"commit-last"_s << 0;
    }
    void fullDiskLeavesSitePackagesAsBefore()
    {
        QFETCH(QString, fillAt);
        QFETCH(int, leave);
        QTemporaryDir mountPoint;
        QTemporaryDir host;
        QProcess holder;
        holder.start(u"unshare"_s,
                     {u"--mount"_s, u"--propagation"_s, u"private"_s, u"sh"_s, u"-c"_s,
                      u"mount -t tmpfs -o size=8m deskpack-test \"$1\" && echo "
                      "mounted && exec cat"_s,
                      u"sh"_s, mountPoint.path()});
        QByteArray banner;
        const bool mounted =
            holder.waitForStarted() &&
            QTest::qWaitFor(
                [&] {
                    banner += holder.readAllStandardOutput();
                    return banner.contains("mounted\n") || holder.state() == QProcess::NotRunning;
                },
                20000) &&
            banner.contains("mounted\n");
        if (!mounted) {
            const QByteArray why = "no private tmpfs (unshare --mount + mount -t tmpfs needs "
                                   "CAP_SYS_ADMIN): " +
                                   holder.readAllStandardError();
            SKIP_OR_FAIL_IN_CI(why);
        }
        const auto stopHolder = qScopeGuard([&] {
            holder.closeWriteChannel();
            if (!holder.waitForFinished(10000))
                holder.kill();
        });
        const QString pid = QString::number(holder.processId());
        const QString dataDir = mountPoint.path();                  // as the namespace sees it
        const QString seen = u"/proc/%1/root"_s.arg(pid) + dataDir; // as this test reads it
        const QString sp = seen + u"/site-packages"_s;
        auto inNamespace = [&](const QStringList &args) {
            return test::runProcess(u"nsenter"_s,
                                    QStringList{u"-t"_s, pid, u"-m"_s, u"--"_s} + args);
        };
        const QString tool = test::binDir() + u"/plugintool"_s;
        const QString reqA = writeFile(host.filePath(u"a.txt"_s), "deskpack-demo-plugin-a\n");
        const QString reqWeather =
            writeFile(host.filePath(u"weather.txt"_s), "deskpack-demo-plugin-weather\n");

        const auto first =
            inNamespace({tool, u"install"_s, m_bundle, dataDir, u"a"_s, reqA, m_wheels});
        QVERIFY2(first.exitCode == 0, first.err.constData());
        QVERIFY(QFileInfo::exists(sp + u"/sharedlib/__init__.py"_s));
        QVERIFY(!QFileInfo::exists(dataDir + u"/site-packages"_s)); // not outside the namespace
        const auto before = test::treeHash(sp);
        QVERIFY(before.contains(QLatin1StringView(OwnersFileName)));

        const auto full =
            inNamespace({tool, u"install"_s, m_bundle, dataDir, u"weather"_s, reqWeather, m_wheels,
                         u"--fill-at"_s, fillAt, u"--leave"_s, QString::number(leave)});
        QVERIFY2(full.out.contains("filled "), full.out.constData());
        QVERIFY2(full.exitCode == ExitEnvironment, QByteArray(full.out + full.err).constData());
        QVERIFY2(full.err.contains("No space left on device"), full.err.constData());
        QCOMPARE(test::treeHash(sp), before);
        QVERIFY(!QFileInfo::exists(seen + u"/.plugin-journal.json"_s));
        QVERIFY(QDir(seen + u"/.plugin-staging"_s).isEmpty());

        // Once there is room again, the same install goes through.
        QVERIFY(QFile::remove(seen + u"/filler"_s));
        const auto again = inNamespace(
            {tool, u"install"_s, m_bundle, dataDir, u"weather"_s, reqWeather, m_wheels});
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QVERIFY(QFileInfo::exists(sp + u"/weatherlib/__init__.py"_s));
        Result<OwnerRecord> owners = readOwners(sp);
        QVERIFY(owners.ok());
        QCOMPARE(owners->plugins.keys(), (QStringList{u"a"_s, u"weather"_s}));
    }

    void pipFailureChangesNothing()
    {
        QTemporaryDir data;
        PluginBoundary b = open(data.path());
        mustInstall(b, u"weather"_s, {u"deskpack-demo-plugin-weather"_s});
        const QString sp = data.filePath(u"site-packages"_s);
        const auto before = test::treeHash(sp);
        Result<InstallResult> r = b.install(u"ghost"_s, reqs({u"no-such-distribution"_s}), local());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Environment);
        QVERIFY2(r.error().message.contains(u"no-such-distribution"_s),
                 qPrintable(r.error().message));
        QCOMPARE(test::treeHash(sp), before);
    }

    void upgradeOfAnotherPluginsDistributionIsRefused()
    {
        QTemporaryDir data;
        PluginBoundary b = open(data.path());
        mustInstall(b, u"old-weather"_s, {u"weatherlib==1.0"_s});
        const QString sp = data.filePath(u"site-packages"_s);
        const auto before = test::treeHash(sp);
        Result<InstallResult> r = b.install(u"new-weather"_s, reqs({u"weatherlib>=2"_s}), local());
        QVERIFY(r.ok());
        QCOMPARE(r->clashes.size(), 1);
        QCOMPARE(r->clashes[0].otherPlugin, u"old-weather"_s);
        QCOMPARE(test::treeHash(sp), before);
        // Its owner may upgrade it: the old version leaves in the same change.
        Result<InstallResult> own =
            b.install(u"old-weather"_s, reqs({u"weatherlib>=2"_s}), local());
        QVERIFY(own.ok() && own->ok());
        QCOMPARE(own->removed, QStringList{u"weatherlib 1.0"_s});
        QVERIFY(QFileInfo::exists(sp + u"/weatherlib-2.0.dist-info"_s));
        QVERIFY(!QFileInfo::exists(sp + u"/weatherlib-1.0.dist-info"_s));
    }

    void auditQuarantinesAHandDroppedShadow()
    {
        QTemporaryDir data;
        PluginBoundary b = open(data.path());
        mustInstall(b, u"weather"_s, {u"deskpack-demo-plugin-weather"_s});
        const QString sp = data.filePath(u"site-packages"_s);
        writeFile(sp + u"/demo_greeting/__init__.py"_s, "def greet(n): return 'hijacked'\n");
        writeFile(sp + u"/harmless_helper.py"_s, "X = 1\n");

        Result<AuditResult> audit = b.audit();
        QVERIFY2(audit.ok(), audit.ok() ? "" : qPrintable(audit.error().message));
        QCOMPARE(audit->quarantined.size(), 1);
        const QuarantineEntry &q = audit->quarantined[0];
        QCOMPARE(q.reasons.value(0).code, u"core-module"_s);
        QVERIFY(q.reasons.value(0).message.contains(u"demo_greeting"_s));
        QVERIFY(!QFileInfo::exists(sp + u"/demo_greeting"_s));
        QVERIFY(QFileInfo::exists(sp + u"/harmless_helper.py"_s));
        QVERIFY(QFileInfo::exists(sp + u"/weatherlib/__init__.py"_s));
        const QString qdir = data.filePath(u"quarantine/"_s) + q.id;
        QVERIFY(QFileInfo::exists(qdir + u"/files/demo_greeting/__init__.py"_s));
        QFile reason(qdir + u"/reason.json"_s);
        QVERIFY(reason.open(QIODevice::ReadOnly));
        const json doc = json::parse(reason.readAll().toStdString(), nullptr, false);
        QVERIFY(doc["reasons"][0]["code"] == json("core-module"));

        // Still a conflict: listed as not restorable, and restore refuses.
        QCOMPARE(audit->quarantine.size(), 1);
        QVERIFY(!audit->quarantine[0].restorable);
        Result<QuarantineEntry> restored = b.restore(q.id);
        QVERIFY(!restored.ok());
        QCOMPARE(restored.error().kind, ErrorKind::Invalid);

        // A second audit finds nothing new.
        Result<AuditResult> again = b.audit();
        QVERIFY(again.ok());
        QVERIFY(again->quarantined.isEmpty());
    }

    void quarantinedDistributionIsRestorableOnceItFits()
    {
        QTemporaryDir data;
        PluginBoundary b = open(data.path());
        mustInstall(b, u"weather"_s, {u"deskpack-demo-plugin-weather"_s});
        const QString sp = data.filePath(u"site-packages"_s);
        // weatherlib gains a file the core ships: quarantined.
        writeFile(sp + u"/deskns/base/__init__.py"_s, "NAME = 'evil'\n");
        QFile record(sp + u"/weatherlib-2.0.dist-info/RECORD"_s);
        QVERIFY(record.open(QIODevice::Append));
        record.write("deskns/base/__init__.py,,\n");
        record.close();
        Result<AuditResult> audit = b.audit();
        QVERIFY(audit.ok());
        QCOMPARE(audit->quarantined.size(), 1);
        QCOMPARE(audit->quarantined[0].distribution, u"weatherlib"_s);
        QVERIFY(!QFileInfo::exists(sp + u"/weatherlib"_s));
        QVERIFY(!QFileInfo::exists(sp + u"/deskns"_s));
        Result<ListResult> listed = b.list();
        QVERIFY(listed.ok());
        QCOMPARE(listed->plugins.value(0).missing, QStringList{u"weatherlib"_s});

        // Fixed by hand inside the quarantine: it no longer conflicts.
        const QString files =
            data.filePath(u"quarantine/"_s) + audit->quarantined[0].id + u"/files"_s;
        QVERIFY(QDir(files + u"/deskns"_s).removeRecursively());
        QFile fixed(files + u"/weatherlib-2.0.dist-info/RECORD"_s);
        QVERIFY(fixed.open(QIODevice::ReadOnly));
        QByteArray rows = fixed.readAll().replace("deskns/base/__init__.py,,\n", "");
        fixed.close();
        writeFile(fixed.fileName(), rows);
        Result<ListResult> now = b.list();
        QVERIFY(now.ok() && now->quarantine.size() == 1);
        QVERIFY(now->quarantine[0].restorable);
        Result<QuarantineEntry> restored = b.restore(audit->quarantined[0].id);
        QVERIFY2(restored.ok(), restored.ok() ? "" : qPrintable(restored.error().message));
        QVERIFY(QFileInfo::exists(sp + u"/weatherlib/__init__.py"_s));
        QVERIFY(QDir(data.filePath(u"quarantine"_s)).isEmpty());
    }

    void secondCallerIsToldWhoHoldsTheLock()
    {
        QTemporaryDir data;
        QLockFile held(data.filePath(u".plugins.lock"_s));
        QVERIFY(held.tryLock(0));
        PluginBoundary b = open(data.path(), 200);
        Result<InstallResult> r = b.install(u"weather"_s, reqs({u"weatherlib"_s}), local());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Environment);
        QVERIFY2(
            r.error().message.contains(u"another plugin change is running"_s) &&
                r.error().message.contains(QString::number(QCoreApplication::applicationPid())),
            qPrintable(r.error().message));
        held.unlock();
        QVERIFY(b.install(u"weather"_s, reqs({u"weatherlib"_s}), local()).ok());
    }

    void sigkillMidInstallLeavesSitePackagesAsBefore_data()
    {
        QTest::addColumn<QString>("pauseAt");
        QTest::newRow("after staging") << u"staged"_s;
        QTest::newRow("after the audit") << u"audited"_s;
        QTest::newRow("halfway through the commit") << u"commit 2/"_s;
    }
    void sigkillMidInstallLeavesSitePackagesAsBefore()
    {
        QFETCH(QString, pauseAt);
        QTemporaryDir data;
        {
            PluginBoundary b = open(data.path());
            mustInstall(b, u"a"_s, {u"deskpack-demo-plugin-a"_s});
        }
        const QString sp = data.filePath(u"site-packages"_s);
        const auto before = test::treeHash(sp);
        const QString requirements =
            writeFile(data.filePath(u"weather.txt"_s), "deskpack-demo-plugin-weather\n");

        QProcess tool;
        tool.start(test::binDir() + u"/plugintool"_s,
                   {u"install"_s, m_bundle, data.path(), u"weather"_s, requirements, m_wheels,
                    u"--pause-at"_s, pauseAt});
        QVERIFY(tool.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += tool.readAllStandardOutput()).contains("paused\n"),
                                 120000);
        ::kill(pid_t(tool.processId()), SIGKILL);
        QVERIFY(tool.waitForFinished());
        QVERIFY(!QDir(data.filePath(u".plugin-staging"_s)).isEmpty());

        // The next boundary call settles it: the old tree, no staging left.
        PluginBoundary b = open(data.path());
        Result<ListResult> listed = b.list();
        QVERIFY(listed.ok());
        QCOMPARE(test::treeHash(sp), before);
        QVERIFY(QDir(data.filePath(u".plugin-staging"_s)).isEmpty());
        QVERIFY(!QFileInfo::exists(data.filePath(u".plugin-journal.json"_s)));
        // And the install works afterwards.
        mustInstall(b, u"weather"_s, {u"deskpack-demo-plugin-weather"_s});
    }

    void indexUrlAgainstALocalSimpleIndex()
    {
        QProcess server;
        server.setWorkingDirectory(m_work.filePath(u"index"_s));
        server.start(test::systemPython(),
                     {u"-u"_s, u"-m"_s, u"http.server"_s, u"--bind"_s, u"127.0.0.1"_s, u"0"_s});
        QVERIFY(server.waitForStarted());
        QByteArray banner;
        QTRY_VERIFY_WITH_TIMEOUT((banner += server.readAllStandardOutput()).contains("port "),
                                 20000);
        const QString port =
            QRegularExpression(u"port (\\d+)"_s).match(QString::fromUtf8(banner)).captured(1);
        QVERIFY(!port.isEmpty());

        QTemporaryDir data;
        PluginBoundary b = open(data.path());
        PluginSources sources;
        sources.indexUrl = u"http://127.0.0.1:%1/simple/"_s.arg(port);
        Result<InstallResult> r =
            b.install(u"weather"_s, reqs({u"deskpack-demo-plugin-weather"_s}), sources);
        server.kill();
        server.waitForFinished();
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QVERIFY(r->ok());
        QCOMPARE(r->installed.size(), 2);
        QVERIFY(QFileInfo::exists(data.filePath(u"site-packages/weatherlib/__init__.py"_s)));
    }

    void cliCheckExitCodes_data()
    {
        QTest::addColumn<QByteArray>("requirements");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrHas");
        QTest::newRow("fits") << QByteArray("deskpack-demo-plugin-weather\n") << 0
                              << u"fits beside the core"_s;
        QTest::newRow("clash") << QByteArray("deskpack-demo-plugin-transitive\n") << 1
                               << u"plugin myplugin needs demo-greeting<1.0 (through oldlib 1.0), "
                                  "but the app's core pins demo-greeting==1.2.0"_s;
        QTest::newRow("hostile") << QByteArray("foo\n-e ../evil\n") << 2
                                 << u"requirements.txt:2: editable"_s;
        QTest::newRow("pip fails")
            << QByteArray("no-such-distribution\n") << 3 << u"no-such-distribution"_s;
    }
    void cliCheckExitCodes()
    {
        QFETCH(QByteArray, requirements);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrHas);
        QTemporaryDir dir;
        const QString file = writeFile(dir.filePath(u"myplugin/requirements.txt"_s), requirements);
        const auto r =
            test::runDeskpack({u"plugin"_s, u"check"_s, u"--bundle"_s, m_bundle, u"-r"_s, file,
                               u"--no-index"_s, u"--find-links"_s, m_wheels, u"--json"_s});
        QVERIFY2(r.exitCode == exitCode, r.err.constData());
        QVERIFY2(QString::fromUtf8(r.err).contains(stderrHas), r.err.constData());
        if (exitCode <= 1) {
            const json doc = json::parse(r.out.toStdString(), nullptr, false);
            QVERIFY2(doc.is_object(), r.out.constData());
            QVERIFY(doc["ok"] == json(exitCode == 0));
            if (exitCode == 1)
                QVERIFY(doc["clashes"][0]["corePin"] == json("demo-greeting==1.2.0"));
        }
    }
};

QTEST_GUILESS_MAIN(TestPluginBoundary)
#include "tst_pluginboundary.moc"
