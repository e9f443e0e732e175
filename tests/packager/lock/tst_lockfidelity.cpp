// SPDX-License-Identifier: MIT
// Lock fidelity: a module is recorded when the import system would load
// something under its name (importlib.machinery.all_suffixes(), packages,
// namespace portions), identifier or not. A site-packages holding mypyc-style,
// .abi3.so, sourceless .pyc, stub-only (-stubs), .pth-only, editable and
// namespace distributions is written at test time (git ignores *.pyc), locked
// with `deskpack lock generate`, compared with a golden lock, and checked by
// Debian's python3 itself (PathFinder.find_spec, importlib.metadata).
#include "common/testutil.h"
#include "lock/lockfile.h"
#include "lock/sitepackages.h"
#include "locktestutil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using namespace deskpack::lock;
using nlohmann::json;

namespace {

struct FixtureFile
{
    const char *path;
    const char *content;
};

QByteArray metadata(const char *name, const char *version)
{
    return QByteArray("Metadata-Version: 2.1\nName: ") + name + "\nVersion: " + version +
           "\n\nA long description that the reader never needs.\n";
}

// Every file of the fixture, relative to site-packages. METADATA files are
// added by `distributions` below; RECORD rows are written as pip writes them.
const FixtureFile files[] = {
    // charset-normalizer's layout: mypyc's shared helper starts with a digit.
    {"mypyc_demo-3.4.0.dist-info/top_level.txt", "81d243bd2c585b0f4821__mypyc\nmypyc_demo\n"},
    {"mypyc_demo-3.4.0.dist-info/RECORD",
     "81d243bd2c585b0f4821__mypyc.cpython-311-x86_64-linux-gnu.so,sha256=abc,8\n"
     "mypyc_demo/__init__.py,sha256=def,1\n"
     "mypyc_demo/md.cpython-311-x86_64-linux-gnu.so,,\n"
     "mypyc_demo-3.4.0.dist-info/METADATA,,\n"
     "mypyc_demo-3.4.0.dist-info/RECORD,,\n"},
    {"81d243bd2c585b0f4821__mypyc.cpython-311-x86_64-linux-gnu.so", "\x7f"
                                                                    "ELF"},
    {"mypyc_demo/__init__.py", ""},
    {"mypyc_demo/md.cpython-311-x86_64-linux-gnu.so", ""},
    // The same without top_level.txt (a hatchling wheel): RECORD alone.
    {"mypyc_record-1.0.dist-info/RECORD",
     "3f9a1c2e0b7d4a5c6e8f__mypyc.cpython-311-x86_64-linux-gnu.so,,\n"
     "mypyc_record.py,,\n"
     "mypyc_record-1.0.dist-info/METADATA,,\n"},
    {"3f9a1c2e0b7d4a5c6e8f__mypyc.cpython-311-x86_64-linux-gnu.so", ""},
    {"mypyc_record.py", ""},
    // Stable-ABI extensions, top level and inside a package (cryptography's _rust).
    {"abi3_demo-2.0.dist-info/RECORD",
     "abi3_demo.abi3.so,,\nabi3_pkg/__init__.py,,\nabi3_pkg/_rust.abi3.so,,\n"
     "abi3_demo-2.0.dist-info/METADATA,,\n"},
    {"abi3_demo.abi3.so", ""},
    {"abi3_pkg/__init__.py", ""},
    {"abi3_pkg/_rust.abi3.so", ""},
    // cffi: its backend is a top-level extension module.
    {"cffi_like-1.15.1.dist-info/top_level.txt", "_cffi_backend\ncffi_like\n"},
    {"_cffi_backend.cpython-311-x86_64-linux-gnu.so", ""},
    {"cffi_like/__init__.py", ""},
    // A package whose __init__ is an extension module.
    {"initext-0.3.dist-info/RECORD", "initext/__init__.cpython-311-x86_64-linux-gnu.so,,\n"},
    {"initext/__init__.cpython-311-x86_64-linux-gnu.so", ""},
    // A sourceless module: only the .pyc, at top level.
    {"sourceless-1.0.dist-info/RECORD",
     "sourceless_mod.pyc,,\n__pycache__/ignored.cpython-311.pyc,,\n"},
    {"sourceless_mod.pyc", ""},
    // A directory whose name is no identifier still imports (importlib.import_module).
    {"dash_dir-1.0.dist-info/RECORD", "dash-dir/__init__.py,,\n"},
    {"dash-dir/__init__.py", ""},
    // Stub-only distributions: top_level.txt declares the -stubs directory, and it
    // exists (a namespace portion to FileFinder), so it is recorded...
    {"types_omega-1.0.dist-info/top_level.txt", "omega-stubs\n"},
    {"types_omega-1.0.dist-info/RECORD",
     "omega-stubs/__init__.pyi,,\nomega-stubs/METADATA.toml,,\n"},
    {"omega-stubs/__init__.pyi", ""},
    {"omega-stubs/METADATA.toml", ""},
    // ...but inferred from RECORD, a directory of .pyi files holds nothing importable.
    {"types_sigma-1.0.dist-info/RECORD", "sigma-stubs/__init__.pyi,,\nsigma-stubs/py.typed,,\n"},
    {"sigma-stubs/__init__.pyi", ""},
    {"sigma-stubs/py.typed", ""},
    // .pth-only: an empty top_level.txt and a RECORD of one .pth file.
    {"pth_only-1.0.dist-info/top_level.txt", "\n"},
    {"pth_only-1.0.dist-info/RECORD", "pth_only.pth,,\npth_only-1.0.dist-info/METADATA,,\n"},
    {"pth_only.pth", "/opt/elsewhere\n"},
    // A setuptools editable install: the .pth plus the finder module it imports.
    {"edit_me-1.0.dist-info/RECORD",
     "__editable__.edit_me-1.0.pth,,\n__editable___edit_me_1_0_finder.py,,\n"
     "edit_me-1.0.dist-info/METADATA,,\n"},
    {"__editable__.edit_me-1.0.pth", "import __editable___edit_me_1_0_finder\n"},
    {"__editable___edit_me_1_0_finder.py", ""},
    // Namespace portions: no nsp/__init__.py, no google/__init__.py.
    {"nsp_alpha-1.0.dist-info/top_level.txt", "nsp\n"},
    {"nsp/alpha/__init__.py", ""},
    {"nsp_beta-1.0.dist-info/RECORD", "nsp/beta/__init__.py,,\nnsp/beta/data/schema.json,,\n"},
    {"nsp/beta/__init__.py", ""},
    {"nsp/beta/data/schema.json", "{}"},
    {"protobuf_like-4.25.0.dist-info/top_level.txt", "google\n"},
    {"google/protobuf/__init__.py", ""},
    {"google/_upb/_message.abi3.so", ""},
    // Stale and impossible names are left out with a warning.
    {"dotted-1.0.dist-info/top_level.txt", "dotted\ndotted.sub\nghost-mod\n"},
    {"dotted.py", ""},
};

struct FixtureDistribution
{
    const char *entry;
    const char *name;
    const char *version;
};

const FixtureDistribution distributions[] = {
    {"mypyc_demo-3.4.0.dist-info", "mypyc-demo", "3.4.0"},
    {"mypyc_record-1.0.dist-info", "mypyc-record", "1.0"},
    {"abi3_demo-2.0.dist-info", "abi3-demo", "2.0"},
    {"cffi_like-1.15.1.dist-info", "cffi-like", "1.15.1"},
    {"initext-0.3.dist-info", "initext", "0.3"},
    {"sourceless-1.0.dist-info", "sourceless", "1.0"},
    {"dash_dir-1.0.dist-info", "dash-dir", "1.0"},
    {"types_omega-1.0.dist-info", "types-omega", "1.0"},
    {"types_sigma-1.0.dist-info", "types-sigma", "1.0"},
    {"pth_only-1.0.dist-info", "pth-only", "1.0"},
    {"edit_me-1.0.dist-info", "edit-me", "1.0"},
    {"nsp_alpha-1.0.dist-info", "nsp-alpha", "1.0"},
    {"nsp_beta-1.0.dist-info", "nsp-beta", "1.0"},
    {"protobuf_like-4.25.0.dist-info", "protobuf-like", "4.25.0"},
    {"dotted-1.0.dist-info", "dotted", "1.0"},
};

bool writeFile(const QString &path, const QByteArray &data)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return false;
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestLockFidelity : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_site;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_site = m_dir.filePath(u"site-packages"_s);
        for (const FixtureFile &f : files)
            QVERIFY2(writeFile(m_site + u'/' + QString::fromUtf8(f.path), f.content), f.path);
        for (const FixtureDistribution &d : distributions)
            QVERIFY(writeFile(m_site + u'/' + QString::fromUtf8(d.entry) + u"/METADATA"_s,
                              metadata(d.name, d.version)));
    }

    void matchesGoldenLock()
    {
        const QString out = m_dir.filePath(u"lock.json"_s);
        const test::ProcessResult r = test::runDeskpack(
            {u"lock"_s, u"generate"_s, u"--site-packages"_s, m_site, u"-o"_s, out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QByteArray golden =
            readAll(test::fixture(u"packager/lock/fixtures/fidelity.lock.json"_s));
        QVERIFY(!golden.isEmpty());
        QCOMPARE(QString::fromUtf8(readAll(out)), QString::fromUtf8(golden));
    }

    void modulesBySource_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("modules");
        QTest::addColumn<int>("source");
        using S = InstalledDistribution::ModuleSource;
        QTest::newRow("mypyc helper named by top_level.txt")
            << u"mypyc-demo"_s << QStringList{u"81d243bd2c585b0f4821__mypyc"_s, u"mypyc_demo"_s}
            << int(S::TopLevelTxt);
        QTest::newRow("mypyc helper found in RECORD")
            << u"mypyc-record"_s << QStringList{u"3f9a1c2e0b7d4a5c6e8f__mypyc"_s, u"mypyc_record"_s}
            << int(S::Record);
        QTest::newRow(".abi3.so") << u"abi3-demo"_s << QStringList{u"abi3_demo"_s, u"abi3_pkg"_s}
                                  << int(S::Record);
        QTest::newRow("_cffi_backend")
            << u"cffi-like"_s << QStringList{u"_cffi_backend"_s, u"cffi_like"_s}
            << int(S::TopLevelTxt);
        QTest::newRow("__init__ extension package")
            << u"initext"_s << QStringList{u"initext"_s} << int(S::Record);
        QTest::newRow("sourceless .pyc")
            << u"sourceless"_s << QStringList{u"sourceless_mod"_s} << int(S::Record);
        QTest::newRow("directory that is no identifier")
            << u"dash-dir"_s << QStringList{u"dash-dir"_s} << int(S::Record);
        QTest::newRow("stubs declared by top_level.txt")
            << u"types-omega"_s << QStringList{u"omega-stubs"_s} << int(S::TopLevelTxt);
        QTest::newRow("stubs inferred from RECORD: nothing importable")
            << u"types-sigma"_s << QStringList{} << int(S::None);
        QTest::newRow(".pth only") << u"pth-only"_s << QStringList{} << int(S::None);
        QTest::newRow("editable finder module")
            << u"edit-me"_s << QStringList{u"__editable___edit_me_1_0_finder"_s} << int(S::Record);
        QTest::newRow("namespace portion, top_level.txt")
            << u"nsp-alpha"_s << QStringList{u"nsp"_s} << int(S::TopLevelTxt);
        QTest::newRow("namespace portion, RECORD")
            << u"nsp-beta"_s << QStringList{u"nsp"_s} << int(S::Record);
        QTest::newRow("google namespace")
            << u"protobuf-like"_s << QStringList{u"google"_s} << int(S::TopLevelTxt);
        QTest::newRow("dotted and stale names left out")
            << u"dotted"_s << QStringList{u"dotted"_s} << int(S::TopLevelTxt);
    }

    void modulesBySource()
    {
        QFETCH(QString, name);
        QFETCH(QStringList, modules);
        QFETCH(int, source);
        Result<InstalledSet> installed = scanInstalled({m_site});
        QVERIFY(installed.ok());
        QCOMPARE(installed->distributions.size(), qsizetype(std::size(distributions)));
        const auto it =
            std::find_if(installed->distributions.cbegin(), installed->distributions.cend(),
                         [&](const InstalledDistribution &d) { return d.name == name; });
        QVERIFY2(it != installed->distributions.cend(), qPrintable(name));
        QCOMPARE(it->topLevelModules, modules);
        QCOMPARE(int(it->moduleSource), source);
    }

    void warnings()
    {
        Result<InstalledSet> installed = scanInstalled({m_site});
        QVERIFY(installed.ok());
        const QList<Problem> &p = installed->problems;
        QCOMPARE(errorCount(p), 0);
        QVERIFY(test::findProblem(p, u"no-modules"_s, u"types-sigma names no importable"_s));
        QVERIFY(test::findProblem(p, u"no-modules"_s, u"pth-only names no importable"_s));
        QVERIFY(test::findProblem(p, u"not-a-module"_s, u"dotted names \"dotted.sub\""_s));
        QVERIFY(test::findProblem(p, u"missing-module"_s, u"dotted names module \"ghost-mod\""_s));
        QCOMPARE(p.size(), 4);
    }

    // Debian's python3 reads the same directory: every top_level.txt name its
    // import system finds is locked, every locked module is found, and the lock
    // validates against the directory and that interpreter.
    void agreesWithTheImportSystem()
    {
        const QString lockPath = m_dir.filePath(u"oracle-lock.json"_s);
        test::ProcessResult r = test::runDeskpack(
            {u"lock"_s, u"generate"_s, u"--site-packages"_s, m_site, u"-o"_s, lockPath});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = test::runProcess(
            test::systemPython(),
            {u"-I"_s, test::fixture(u"packager/lock/import_oracle.py"_s), m_site, lockPath});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const json oracle = json::parse(r.out.constData(), nullptr, false);
        QVERIFY(oracle.is_object());
        QCOMPARE(oracle["distributions"].size(), std::size(distributions));

        Result<ParsedLock> parsed = parseLock(readAll(lockPath), lockPath);
        QVERIFY(parsed.ok());
        int topLevelChecked = 0;
        for (const json &d : oracle["distributions"]) {
            const QString name = QString::fromStdString(d["name"].get<std::string>());
            const auto entry =
                std::find_if(parsed->lock.distributions.cbegin(), parsed->lock.distributions.cend(),
                             [&](const Distribution &e) {
                                 return canonicalName(e.name) == canonicalName(name);
                             });
            QVERIFY2(entry != parsed->lock.distributions.cend(), qPrintable(name));
            QCOMPARE(entry->version, QString::fromStdString(d["version"].get<std::string>()));
            for (const json &m : d["top_level_found"]) {
                const QString module = QString::fromStdString(m.get<std::string>());
                QVERIFY2(entry->topLevelModules.contains(module),
                         qPrintable(name + u": "_s + module));
                ++topLevelChecked;
            }
        }
        QCOMPARE(topLevelChecked, 8); // mypyc-demo 2, cffi-like 2, omega, nsp, google, dotted
        QCOMPARE(oracle["lock_modules"].size(), std::size_t(16)); // distinct names
        for (const auto &[module, found] : oracle["lock_modules"].items())
            QVERIFY2(found.get<bool>(), module.c_str());

        r = test::runDeskpack({u"lock"_s, u"validate"_s, lockPath, u"--site-packages"_s, m_site,
                               u"--python"_s, test::systemPython()});
        QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
    }
};

QTEST_GUILESS_MAIN(TestLockFidelity)
#include "tst_lockfidelity.moc"
