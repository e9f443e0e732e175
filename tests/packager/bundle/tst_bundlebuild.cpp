// SPDX-License-Identifier: MIT
// `deskpack build` and `deskpack verify` end to end on the demo app: from the
// host interpreter and from a runtime archive, moved after building, tampered
// with, built twice, and failing without harming the previous bundle.
#include "common/demobundle.h"
#include "common/testutil.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <filesystem>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

namespace {

json parseJson(const QByteArray &data)
{
    return json::parse(data.constData(), data.constData() + data.size(), nullptr, false);
}

// The demo's deskpack.json byte-compiled (as the demo ships), plus overrides.
QString writeConfig(const QString &dir, json overrides = json::object())
{
    json patch = {{"byteCompile", true}};
    patch.update(overrides); // top-level keys: nested nulls reach demoConfig()
    const QString path = test::writeDemoConfig(dir, patch);
    if (path.isEmpty())
        qFatal("cannot write %s/deskpack.json", qPrintable(dir));
    return path;
}

// path -> "mode size mtime sha256|link" for every entry: equal maps are
// byte-identical trees.
QMap<QString, QString> treeFingerprint(const QString &root)
{
    QMap<QString, QString> out;
    QDirIterator it(root, QDir::AllEntries | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo info = it.fileInfo();
        QString value = QString::number(int(info.permissions()), 16) + u' ' +
                        QString::number(info.lastModified().toSecsSinceEpoch());
        if (info.isSymLink()) {
            // The link's own text: symLinkTarget() would resolve it to an absolute path.
            value += u" -> "_s + QString::fromStdString(
                                     std::filesystem::read_symlink(path.toStdString()).string());
        } else if (info.isFile()) {
            QFile f(path);
            f.open(QIODevice::ReadOnly);
            value += u' ' +
                     QString::fromLatin1(
                         QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex());
        }
        out.insert(QDir(root).relativeFilePath(path), value);
    }
    return out;
}

bool copyRecursively(const QString &from, const QString &to)
{
    return test::runProcess(u"/bin/cp"_s, {u"-a"_s, from, to}).exitCode == 0;
}

} // namespace

class TestBundleBuild : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_work;
    QString m_bundle; // built once from the host interpreter

    test::ProcessResult build(const QString &config, const QString &out)
    {
        return test::runDeskpack({u"build"_s, config, u"--out"_s, out, u"--json"_s});
    }

    // The bundle buildFromHostInterpreter made, or one built here on first
    // use, so that each test also runs alone; empty when the build failed.
    QString hostBundle()
    {
        if (m_bundle.isEmpty()) {
            QDir().mkpath(m_work.filePath(u"host"_s));
            const auto r =
                build(writeConfig(m_work.filePath(u"host"_s)), m_work.filePath(u"host/out"_s));
            if (r.exitCode != 0) {
                qWarning("the host build failed: %s", r.err.constData());
                return {};
            }
            m_bundle = m_work.filePath(u"host/out/Deskpack Demo"_s);
        }
        return m_bundle;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        QVERIFY2(QFileInfo(u"/usr/bin/python3.11"_s).isExecutable(),
                 "Debian's python3.11 is missing");
        QVERIFY2(
            QFileInfo::exists(test::demoWheelhouse() + u"/demo_units-0.3.1-py3-none-any.whl"_s),
            "the demo wheelhouse was not built");
    }

    void buildFromHostInterpreter()
    {
        QDir().mkpath(m_work.filePath(u"host"_s));
        const QString config = writeConfig(m_work.filePath(u"host"_s));
        const auto r = build(config, m_work.filePath(u"host/out"_s));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const json summary = parseJson(r.out);
        QVERIFY2(summary.is_object(), r.out.constData());
        m_bundle = QString::fromStdString(summary["bundle"].get<std::string>());
        QCOMPARE(m_bundle, m_work.filePath(u"host/out/Deskpack Demo"_s));
        QVERIFY(summary["distributions"] == 3); // demo-greeting, demo-units, pip
        QVERIFY(summary["pythonVersion"].get<std::string>().starts_with("3.11"));
        for (const char *phase : {"runtime", "pip", "dependencies", "prune", "byte-compile",
                                  "relocate", "lock", "resources", "manifest"})
            QVERIFY2(summary["phasesMs"].contains(phase), phase);
        QVERIFY(summary["bytes"].get<qint64>() > 1000000);

        // The layout of DESIGN.md, and no staging left behind.
        for (const char *path :
             {"bundle.json", "app/runtime-core-lock.json", "app/demo_backend/__main__.py",
              "resources/runner.py", "resources/launch_backend.py", "runtime/bin/python3.11",
              "runtime/lib/python3.11/site-packages/demo_units/__init__.py"})
            QVERIFY2(QFileInfo::exists(m_bundle + u'/' + QLatin1StringView(path)), path);
        // Pruned parts the host has (scripts/setup.sh installs python3-tk and
        // idle-python3.11, so these checks can fail) are gone from the bundle.
        for (const char *pruned : {"idlelib", "tkinter"}) {
            QVERIFY2(QFileInfo::exists(u"/usr/lib/python3.11/"_s + QLatin1StringView(pruned)),
                     pruned);
            QVERIFY2(!QFileInfo::exists(m_bundle + u"/runtime/lib/python3.11/"_s +
                                        QLatin1StringView(pruned)),
                     pruned);
        }
        QVERIFY(QDir(m_bundle + u"/runtime/lib/python3.11/lib-dynload"_s)
                    .entryList({u"_tkinter*"_s})
                    .isEmpty());
        QVERIFY(!QFileInfo::exists(m_bundle + u"/runtime/lib/python3.11/test"_s));
        QCOMPARE(QDir(m_work.filePath(u"host/out"_s))
                     .entryList(QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{u"Deskpack Demo"_s});

        QFile manifestFile(m_bundle + u"/bundle.json"_s);
        QVERIFY(manifestFile.open(QIODevice::ReadOnly));
        const json manifest = parseJson(manifestFile.readAll());
        QVERIFY(manifest["python"] == "runtime/bin/python3.11");
        QVERIFY(manifest["lock"] == "app/runtime-core-lock.json");
        QVERIFY(manifest["lockEnv"] == "DESKPACK_CORE_LOCK_PATH");
        QVERIFY(manifest["lockEnvAlias"] == "DESKPACK_DEMO_CORE_LOCK_PATH");
        QVERIFY(manifest["entry"]["module"] == "demo_backend");
        QVERIFY(manifest["files"]["runtime/bin/python3.11"]["executable"] == true);
        QCOMPARE(manifest["files"]["runtime/bin/python3"]["link"].get<std::string>(),
                 std::string("python3.11"));
        // Nothing in the manifest or the lock names the build machine's paths.
        QVERIFY(!manifestFile.fileName().isEmpty());
        manifestFile.seek(0);
        QVERIFY(!manifestFile.readAll().contains(m_work.path().toUtf8()));
    }

    void verifyPasses()
    {
        QVERIFY(!hostBundle().isEmpty());
        const auto r = test::runDeskpack({u"verify"_s, m_bundle, u"--json"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(parseJson(r.out)["ok"] == true);
    }

    void movedBundleStillRuns()
    {
        QVERIFY(!hostBundle().isEmpty());
        const QString moved = m_work.filePath(u"elsewhere/renamed app"_s);
        QVERIFY(QDir().mkpath(m_work.filePath(u"elsewhere"_s)));
        QVERIFY(copyRecursively(m_bundle, moved));
        // A clean environment, so nothing of the host's Python setup helps.
        const auto run = test::runProcess(
            u"/usr/bin/env"_s,
            {u"-i"_s, moved + u"/runtime/bin/python3.11"_s, u"-c"_s,
             u"import sys, json, ssl, sqlite3, demo_units; "
             "print(json.dumps({'prefix': sys.prefix, 'path': sys.path, 'units': demo_units.__file__}))"_s});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const json seen = parseJson(run.out);
        QCOMPARE(QString::fromStdString(seen["prefix"].get<std::string>()), moved + u"/runtime"_s);
        QVERIFY(QString::fromStdString(seen["units"].get<std::string>()).startsWith(moved));
        for (const auto &p : seen["path"])
            QVERIFY2(!p.get<std::string>().starts_with("/usr/"), p.get<std::string>().c_str());

        // The console script's relocated trampoline runs the bundled interpreter.
        const auto script =
            test::runProcess(moved + u"/runtime/lib/python3.11/site-packages/bin/demo-units"_s, {});
        QVERIFY2(script.exitCode == 0, script.err.constData());
        QVERIFY(script.out.contains("Hello, demo-units, from demo-greeting 1.2.0"));

        // launch_backend.py orders sys.path: app, stdlib, core, plugins last.
        QProcess backend;
        QProcessEnvironment env;
        env.insert(u"DESKPACK_PLUGIN_SITE_PACKAGES"_s, m_work.filePath(u"plugins"_s));
        backend.setProcessEnvironment(env);
        backend.start(
            moved + u"/runtime/bin/python3.11"_s,
            {u"-s"_s, moved + u"/resources/launch_backend.py"_s, moved, u"--print-status"_s});
        QVERIFY(backend.waitForFinished(60000));
        QVERIFY2(backend.exitCode() == 0, backend.readAllStandardError().constData());
        const json status = parseJson(backend.readAllStandardOutput());
        const auto &path = status["sys_path"];
        QCOMPARE(QString::fromStdString(path.front().get<std::string>()), moved + u"/app"_s);
        QCOMPARE(QString::fromStdString(path.back().get<std::string>()),
                 m_work.filePath(u"plugins"_s));
        QCOMPARE(QString::fromStdString(path[path.size() - 2].get<std::string>()),
                 moved + u"/runtime/lib/python3.11/site-packages"_s);

        const auto verified = test::runDeskpack({u"verify"_s, moved});
        QVERIFY2(verified.exitCode == 0, verified.err.constData());

        // The runner's bundle mode on a bundle deskpack built: the lock variables
        // point into the moved bundle and the plugin site-packages comes last.
        QDir().mkpath(m_work.filePath(u"data/site-packages"_s));
        const auto kernel = test::runProcess(test::binDir() + u"/deskpack-run"_s,
                                             {u"--bundle"_s, moved, u"--data-dir"_s,
                                              m_work.filePath(u"data"_s), u"-c"_s,
                                              u"import os, sys, demo_units\n"
                                              "print(os.environ['DESKPACK_CORE_LOCK_PATH'])\n"
                                              "print(os.environ['DESKPACK_DEMO_CORE_LOCK_PATH'])\n"
                                              "print(sys.path[-1])"_s});
        QVERIFY2(kernel.exitCode == 0, kernel.err.constData());
        const QList<QByteArray> lines = kernel.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QCOMPARE(QString::fromUtf8(lines[0]), moved + u"/app/runtime-core-lock.json"_s);
        QCOMPARE(QString::fromUtf8(lines[1]), moved + u"/app/runtime-core-lock.json"_s);
        QCOMPARE(QString::fromUtf8(lines[2]), m_work.filePath(u"data/site-packages"_s));
    }

    void verifyCatchesTampering()
    {
        QVERIFY(!hostBundle().isEmpty());
        const QString copy = m_work.filePath(u"tampered"_s);
        QVERIFY(copyRecursively(m_bundle, copy));
        QFile changed(copy + u"/app/demo_backend/__main__.py"_s);
        QVERIFY(changed.open(QIODevice::Append));
        changed.write("\n# tampered\n");
        changed.close();
        QVERIFY(QFile::remove(
            copy + u"/runtime/lib/python3.11/site-packages/demo_greeting/__init__.py"_s));
        QFile extra(copy + u"/runtime/lib/python3.11/site-packages/intruder.py"_s);
        QVERIFY(extra.open(QIODevice::WriteOnly));
        extra.close();

        const auto r = test::runDeskpack({u"verify"_s, copy, u"--json"_s});
        QCOMPARE(r.exitCode, 1);
        const json report = parseJson(r.out);
        QVERIFY(report["ok"] == false);
        QVERIFY(report["missing"] ==
                json::array({"runtime/lib/python3.11/site-packages/demo_greeting/__init__.py"}));
        QCOMPARE(report["changed"].size(), 1u);
        QVERIFY(report["changed"][0].get<std::string>().starts_with(
            "app/demo_backend/__main__.py: content changed"));
        QVERIFY(report["extra"] ==
                json::array({"runtime/lib/python3.11/site-packages/intruder.py"}));
        QVERIFY2(r.err.contains(
                     "missing: runtime/lib/python3.11/site-packages/demo_greeting/__init__.py"),
                 r.err.constData());
    }

    void verifyCatchesLockDrift()
    {
        QVERIFY(!hostBundle().isEmpty());
        const QString copy = m_work.filePath(u"drift"_s);
        QVERIFY(copyRecursively(m_bundle, copy));
        // A distribution removed behind the lock's back (its files too, so only
        // the lock check can notice beyond "missing").
        QVERIFY(QDir(copy + u"/runtime/lib/python3.11/site-packages/demo_units-0.3.1.dist-info"_s)
                    .removeRecursively());
        const auto r = test::runDeskpack({u"verify"_s, copy, u"--json"_s});
        QCOMPARE(r.exitCode, 1);
        const json report = parseJson(r.out);
        bool lockNoticed = false;
        for (const auto &p : report["lock"])
            lockNoticed = lockNoticed ||
                          p.get<std::string>().find(
                              "demo-units 0.3.1 is locked but not installed") != std::string::npos;
        QVERIFY2(lockNoticed, r.out.constData());
    }

    void verifyRefusesNonBundle()
    {
        const auto r = test::runDeskpack({u"verify"_s, m_work.path()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("bundle.json: cannot read"));
    }

    void buildsAreReproducible()
    {
        QVERIFY(!hostBundle().isEmpty());
        QDir().mkpath(m_work.filePath(u"again"_s));
        const QString config = writeConfig(m_work.filePath(u"again"_s));
        const auto r = build(config, m_work.filePath(u"again/elsewhere-out"_s));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto first = treeFingerprint(m_bundle);
        const auto second =
            treeFingerprint(m_work.filePath(u"again/elsewhere-out/Deskpack Demo"_s));
        QCOMPARE(second.size(), first.size());
        for (auto it = first.cbegin(); it != first.cend(); ++it)
            QVERIFY2(second.value(it.key()) == it.value(), qPrintable(it.key()));
    }

    void failedBuildKeepsPreviousBundle()
    {
        QVERIFY(!hostBundle().isEmpty());
        const QString dir = m_work.filePath(u"host"_s);
        const QString out = m_work.filePath(u"host/out"_s);
        QFile manifest(m_bundle + u"/bundle.json"_s);
        QVERIFY(manifest.open(QIODevice::ReadOnly));
        const QByteArray before = manifest.readAll();
        manifest.close();
        const QString config =
            writeConfig(dir, {{"requirements", {"demo_units==0.3.1", "demo_missing==1.0"}}});
        const auto r = build(config, out);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("dependencies: pip install failed"), r.err.constData());
        QVERIFY2(r.err.contains("demo_missing"), r.err.constData());
        QVERIFY(manifest.open(QIODevice::ReadOnly));
        QCOMPARE(manifest.readAll(), before);
        QCOMPARE(QDir(out).entryList(QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{u"Deskpack Demo"_s});
        const auto verified = test::runDeskpack({u"verify"_s, m_bundle});
        QCOMPARE(verified.exitCode, 0);
    }

    // Hash-pinned requirements, and a build machine whose environment would
    // break or redirect pip and Python if any of it leaked into the build.
    void hashesAndHostileEnvironment()
    {
        const QString dir = m_work.filePath(u"hashes"_s);
        QDir().mkpath(dir);
        auto sha = [](const QString &path) {
            QFile f(path);
            f.open(QIODevice::ReadOnly);
            return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
        };
        const QByteArray units =
            sha(test::demoWheelhouse() + u"/demo_units-0.3.1-py3-none-any.whl"_s);
        const QByteArray greeting =
            sha(test::demoWheelhouse() + u"/demo_greeting-1.2.0-py3-none-any.whl"_s);
        QFile req(dir + u"/requirements.txt"_s);
        QVERIFY(req.open(QIODevice::WriteOnly));
        req.write("demo_units==0.3.1 --hash=sha256:" + units +
                  "\ndemo-greeting==1.2.0 --hash=sha256:" + greeting + "\n");
        req.close();
        const QString config =
            writeConfig(dir, {{"requirements", QString(dir + u"/requirements.txt"_s).toStdString()},
                              {"byteCompile", false}});

        QProcessEnvironment hostile = QProcessEnvironment::systemEnvironment();
        hostile.insert(u"PIP_REQUIRE_VIRTUALENV"_s, u"1"_s); // pip refuses to run if this leaks
        hostile.insert(u"PIP_FIND_LINKS"_s, u"/nonexistent/wheels"_s);
        hostile.insert(u"PIP_INDEX_URL"_s, u"http://127.0.0.1:9/simple"_s);
        hostile.insert(u"PIP_NO_BINARY"_s, u":all:"_s);
        hostile.insert(u"PYTHONHOME"_s,
                       u"/nonexistent/home"_s); // Python cannot start if this leaks
        hostile.insert(u"PYTHONPATH"_s, u"/nonexistent/path"_s);
        const auto r =
            test::runDeskpack({u"build"_s, config, u"--out"_s, dir + u"/out"_s}, hostile);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(test::runDeskpack({u"verify"_s, dir + u"/out/Deskpack Demo"_s}).exitCode == 0);

        // A hash that does not match fails the build and names the package.
        QVERIFY(req.open(QIODevice::WriteOnly | QIODevice::Truncate));
        req.write("demo_units==0.3.1 --hash=sha256:" + QByteArray(64, 'a') +
                  "\ndemo-greeting==1.2.0 --hash=sha256:" + greeting + "\n");
        req.close();
        const auto bad = test::runDeskpack({u"build"_s, config, u"--out"_s, dir + u"/out"_s});
        QCOMPARE(bad.exitCode, 3);
        QVERIFY2(bad.err.contains("DO NOT MATCH THE HASHES") && bad.err.contains("demo_units"),
                 bad.err.constData());
        QVERIFY(test::runDeskpack({u"verify"_s, dir + u"/out/Deskpack Demo"_s}).exitCode == 0);
    }

    void buildFromRuntimeArchive()
    {
        const QString dir = m_work.filePath(u"archive"_s);
        QDir().mkpath(dir);
        const QString archive = dir + u"/python.tar.gz"_s;
        const auto packed = test::runDeskpack(
            {u"runtime"_s, u"pack"_s, u"--python"_s, u"/usr/bin/python3.11"_s, u"-o"_s, archive});
        QVERIFY2(packed.exitCode == 0, packed.err.constData());
        QFile f(archive);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString sha = QString::fromLatin1(
            QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex());

        // A wrong hash is refused before anything is extracted or built.
        const QString badConfig = writeConfig(dir, {{"runtime",
                                                     {{"python", nullptr},
                                                      {"archive", archive.toStdString()},
                                                      {"sha256", std::string(64, '0')}}}});
        const auto refused = test::runDeskpack({u"build"_s, badConfig, u"--out"_s, dir + u"/out"_s,
                                                u"--cache-dir"_s, dir + u"/cache"_s});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("runtime: ") && refused.err.contains("python.tar.gz"),
                 refused.err.constData());
        QVERIFY(!QFileInfo::exists(dir + u"/out/Deskpack Demo"_s));

        const QString config = writeConfig(dir, {{"runtime",
                                                  {{"python", nullptr},
                                                   {"archive", archive.toStdString()},
                                                   {"sha256", sha.toStdString()}}}});
        const auto r = test::runDeskpack({u"build"_s, config, u"--out"_s, dir + u"/out"_s,
                                          u"--cache-dir"_s, dir + u"/cache"_s, u"--json"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(parseJson(r.out)["runtimeFromCache"] == false);
        const auto verified = test::runDeskpack({u"verify"_s, dir + u"/out/Deskpack Demo"_s});
        QVERIFY2(verified.exitCode == 0, verified.err.constData());
        const auto run =
            test::runProcess(dir + u"/out/Deskpack Demo/runtime/bin/python3.11"_s,
                             {u"-c"_s, u"import demo_units; print(demo_units.human(2048))"_s});
        QCOMPARE(run.out.trimmed(), QByteArray("2.0 KiB"));
        // For the SBOM: the runtime's origin is the archive, by name and hash.
        QFile manifest(dir + u"/out/Deskpack Demo/bundle.json"_s);
        QVERIFY(manifest.open(QIODevice::ReadOnly));
        const json origin = parseJson(manifest.readAll())["runtimeOrigin"];
        const json expected = {
            {"kind", "archive"}, {"source", "python.tar.gz"}, {"sha256", sha.toStdString()}};
        QVERIFY2(origin == expected, origin.dump().c_str());

        // The second build takes the runtime from the cache.
        const auto again = test::runDeskpack({u"build"_s, config, u"--out"_s, dir + u"/out"_s,
                                              u"--cache-dir"_s, dir + u"/cache"_s, u"--json"_s});
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QVERIFY(parseJson(again.out)["runtimeFromCache"] == true);
    }
};

QTEST_GUILESS_MAIN(TestBundleBuild)
#include "tst_bundlebuild.moc"
