// SPDX-License-Identifier: MIT
// Every real site-packages on the machine against what its own interpreter
// sees: Debian's /usr/lib/python3/dist-packages with /usr/bin/python3
// (mandatory), and each pyenv CPython's lib/python3.X/site-packages with that
// CPython (3.10 to 3.13 are expected; one that is absent is skipped, saying so,
// and fails under CI=true).
// The lock `deskpack lock generate` writes must name every distribution
// importlib.metadata finds, at its version, and every top_level.txt name that
// interpreter's import system finds on disk; every locked module must be found
// by it; and `lock validate --site-packages --python` must call the lock valid.
#include "common/testutil.h"
#include "lock/lockfile.h"
#include "lock/sitepackages.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMap>
#include <QPair>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QVersionNumber>

#include <nlohmann/json.hpp>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using namespace deskpack::lock;
using nlohmann::json;

namespace {

const QString distPackages = u"/usr/lib/python3/dist-packages"_s;

// For each distribution: name, version, its top_level.txt names (or null when
// there is none), and whether RECORD names any importable file.
const char *pythonView = R"PY(
import importlib.metadata as m, json, sys
out = []
for d in m.distributions(path=[sys.argv[1]]):
    name = d.metadata["Name"]
    if not name or not d.version:
        continue
    top = d.read_text("top_level.txt")
    if top is not None:
        top = sorted({l.strip() for l in top.splitlines() if l.strip() and not l.strip().startswith("#")})
    record = d.read_text("RECORD")
    importable = False
    if record:
        for line in record.splitlines():
            p = line.split(",")[0]
            if p.endswith(".py") and not p.startswith("..") and ".dist-info/" not in p:
                importable = True
    out.append({"name": name, "version": d.version, "top_level": top, "record_importable": importable,
                "path": str(d._path)})
print(json.dumps(out))
)PY";

QString pyenvRoot()
{
    const QString fromEnv = qEnvironmentVariable("PYENV_ROOT");
    if (!fromEnv.isEmpty())
        return fromEnv;
    const test::ProcessResult r = test::runProcess(u"pyenv"_s, {u"root"_s}, {}, 30000);
    if (r.exitCode == 0 && !r.out.trimmed().isEmpty())
        return QString::fromLocal8Bit(r.out.trimmed());
    return u"/root/.pyenv"_s;
}

struct Target
{
    QString interpreter; // empty: absent
    QString sitePackages;
    QString absentReason;
};

// One row per interpreter: Debian's, then each pyenv CPython 3.8 and later
// (importlib.metadata's age), with a row for each of 3.10 to 3.13 even when
// absent so that its absence is reported.
QList<QPair<QString, Target>> targets()
{
    QList<QPair<QString, Target>> out;
    out.append({u"debian"_s, Target{test::systemPython(), distPackages, {}}});
    const QString root = pyenvRoot();
    QMap<int, QStringList> byMinor; // 3.X -> installed versions
    const QRegularExpression cpython(u"^3\\.(\\d+)\\.\\d+$"_s);
    for (const QString &version :
         QDir(root + u"/versions"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const auto match = cpython.match(version);
        if (match.hasMatch() && match.captured(1).toInt() >= 8)
            byMinor[match.captured(1).toInt()].append(version);
    }
    for (int minor : {10, 11, 12, 13}) {
        if (!byMinor.contains(minor))
            byMinor.insert(minor, {});
    }
    for (auto it = byMinor.cbegin(); it != byMinor.cend(); ++it) {
        const QString series = u"3.%1"_s.arg(it.key());
        if (it->isEmpty()) {
            out.append(
                {u"pyenv "_s + series,
                 Target{{}, {}, u"no pyenv CPython %1 under %2/versions"_s.arg(series, root)}});
            continue;
        }
        for (const QString &version : *it) {
            const QString prefix = root + u"/versions/"_s + version;
            Target t{prefix + u"/bin/python"_s + series,
                     prefix + u"/lib/python"_s + series + u"/site-packages"_s,
                     {}};
            if (!QFileInfo(t.interpreter).isExecutable() || !QFileInfo(t.sitePackages).isDir()) {
                t.absentReason =
                    u"%1 has no %2 or no %3"_s.arg(prefix, t.interpreter, t.sitePackages);
                t.interpreter.clear();
            }
            out.append({u"pyenv "_s + version, t});
        }
    }
    return out;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestRealSitePackages : public QObject
{
    Q_OBJECT

    void addTargetRows()
    {
        QTest::addColumn<QString>("interpreter");
        QTest::addColumn<QString>("sitePackages");
        QTest::addColumn<QString>("absentReason");
        for (const auto &[name, t] : targets())
            QTest::newRow(qPrintable(name)) << t.interpreter << t.sitePackages << t.absentReason;
    }

private Q_SLOTS:
    void initTestCase()
    {
        // No skipping: the README's setup installs Debian's python3 and its packages.
        QVERIFY2(QFileInfo(test::systemPython()).isExecutable(), "/usr/bin/python3 is missing");
        QVERIFY2(QFileInfo(distPackages).isDir(), "/usr/lib/python3/dist-packages is missing");
    }

    void agreesWithImportlibMetadata_data() { addTargetRows(); }

    // The scan itself, distribution by distribution: the same names and
    // versions, and the same top_level.txt modules less those left out.
    void agreesWithImportlibMetadata()
    {
        QFETCH(QString, interpreter);
        QFETCH(QString, sitePackages);
        QFETCH(QString, absentReason);
        if (interpreter.isEmpty())
            SKIP_OR_FAIL_IN_CI(absentReason);
        const test::ProcessResult python = test::runProcess(
            interpreter, {u"-I"_s, u"-c"_s, QString::fromLatin1(pythonView), sitePackages});
        QVERIFY2(python.exitCode == 0, python.err.constData());
        const auto view = json::parse(python.out.constData());
        QVERIFY(!view.empty());

        Result<InstalledSet> installed = scanInstalled({sitePackages});
        QVERIFY(installed.ok());
        QCOMPARE(errorCount(installed->problems), 0);
        QHash<QString, const InstalledDistribution *> ours;
        for (const InstalledDistribution &d : installed->distributions)
            ours.insert(canonicalName(d.name), &d);

        QSet<QString> theirNames;
        for (const auto &entry : view) {
            const QString name = QString::fromStdString(entry["name"].get<std::string>());
            const QString version = QString::fromStdString(entry["version"].get<std::string>());
            const QString where = QString::fromStdString(entry["path"].get<std::string>());
            theirNames.insert(canonicalName(name));
            const InstalledDistribution *d = ours.value(canonicalName(name));
            QVERIFY2(d, qPrintable(u"missing from our scan: "_s + where));
            QCOMPARE(d->version, version);

            if (entry["top_level"].is_array() && !entry["top_level"].empty()) {
                // Same modules, except names that do not exist on disk or cannot
                // be module names (left out with a warning) and "pkg/sub" entries
                // (folded to "pkg").
                QStringList expected;
                for (const auto &m : entry["top_level"]) {
                    const QString raw = QString::fromStdString(m.get<std::string>());
                    const QString module = raw.section(u'/', 0, 0);
                    if (!expected.contains(module) && !d->missingModules.contains(raw) &&
                        !d->unimportableNames.contains(raw))
                        expected.append(module);
                }
                QStringList got = d->topLevelModules;
                expected.sort();
                got.sort();
                // A merged duplicate (dist-info + egg-info) may add names; never lose one.
                for (const QString &m : std::as_const(expected))
                    QVERIFY2(got.contains(m), qPrintable(where + u": "_s + m));
                if (d->metadataPath == where)
                    QCOMPARE(got, expected);
            } else if (entry["record_importable"].get<bool>()) {
                QVERIFY2(!d->topLevelModules.isEmpty(), qPrintable(where));
            }
        }
        QCOMPARE(ours.size(), theirNames.size());
    }

    void lockAgreesWithItsInterpreter_data() { addTargetRows(); }

    // The CLI end to end, judged by the interpreter that owns the directory.
    void lockAgreesWithItsInterpreter()
    {
        QFETCH(QString, interpreter);
        QFETCH(QString, sitePackages);
        QFETCH(QString, absentReason);
        if (interpreter.isEmpty())
            SKIP_OR_FAIL_IN_CI(absentReason);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString lockPath = dir.filePath(u"runtime-core-lock.json"_s);
        test::ProcessResult r = test::runDeskpack(
            {u"lock"_s, u"generate"_s, u"--site-packages"_s, sitePackages, u"-o"_s, lockPath});
        QVERIFY2(r.exitCode == 0, r.err.constData());

        r = test::runProcess(
            interpreter,
            {u"-I"_s, test::fixture(u"packager/lock/import_oracle.py"_s), sitePackages, lockPath});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const json oracle = json::parse(r.out.constData(), nullptr, false);
        QVERIFY(oracle.is_object() && oracle["distributions"].is_array());
        QVERIFY2(!oracle["distributions"].empty(), qPrintable(sitePackages));

        Result<ParsedLock> parsed = parseLock(readAll(lockPath), lockPath);
        QVERIFY(parsed.ok());
        QHash<QString, const Distribution *> locked;
        for (const Distribution &d : parsed->lock.distributions)
            locked.insert(canonicalName(d.name), &d);

        QSet<QString> seen;
        int topLevelChecked = 0;
        for (const json &d : oracle["distributions"]) {
            const QString name = QString::fromStdString(d["name"].get<std::string>());
            const QString where = QString::fromStdString(d["path"].get<std::string>());
            seen.insert(canonicalName(name));
            const Distribution *entry = locked.value(canonicalName(name));
            QVERIFY2(entry, qPrintable(u"not in the lock: "_s + where));
            QCOMPARE(entry->version, QString::fromStdString(d["version"].get<std::string>()));
            for (const json &m : d["top_level_found"]) {
                const QString module = QString::fromStdString(m.get<std::string>());
                QVERIFY2(entry->topLevelModules.contains(module),
                         qPrintable(where + u": top_level.txt names \""_s + module +
                                    u"\", which exists, but the lock leaves it out"_s));
                ++topLevelChecked;
            }
        }
        QCOMPARE(locked.size(), seen.size());
        int modules = 0;
        for (const auto &[module, found] : oracle["lock_modules"].items()) {
            QVERIFY2(found.get<bool>(),
                     qPrintable(u"locked module \"%1\" is not found by %2 in %3"_s.arg(
                         QString::fromStdString(module), interpreter, sitePackages)));
            ++modules;
        }
        qInfo("%s: %lld distributions, %d top_level.txt names found on disk, %d locked "
              "modules found by the interpreter",
              qPrintable(sitePackages), qlonglong(locked.size()), topLevelChecked, modules);

        r = test::runDeskpack({u"lock"_s, u"validate"_s, lockPath, u"--site-packages"_s,
                               sitePackages, u"--python"_s, interpreter, u"--json"_s});
        QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
        const json report = json::parse(r.out.constData(), nullptr, false);
        QVERIFY(report.is_object());
        QVERIFY2(report["valid"] == true, r.out.constData());
        QVERIFY2(report["errors"] == 0, r.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestRealSitePackages)
#include "tst_realsitepackages.moc"
