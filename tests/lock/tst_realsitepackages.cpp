// SPDX-License-Identifier: MIT
// The machine's real /usr/lib/python3/dist-packages against what Debian's
// python3 sees through importlib.metadata for that directory.
#include "common/testutil.h"
#include "lock/sitepackages.h"

#include <QFileInfo>
#include <QHash>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace deskpack;
using namespace deskpack::lock;

namespace {

const QString distPackages = QStringLiteral("/usr/lib/python3/dist-packages");

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

} // namespace

class TestRealSitePackages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // No skipping: the README's setup installs Debian's python3 and its packages.
        QVERIFY2(QFileInfo(test::systemPython()).isExecutable(), "/usr/bin/python3 is missing");
        QVERIFY2(QFileInfo(distPackages).isDir(), "/usr/lib/python3/dist-packages is missing");
    }

    void agreesWithImportlibMetadata()
    {
        const test::ProcessResult python =
            test::runPythonScript(QString::fromLatin1(pythonView), {distPackages});
        QVERIFY2(python.exitCode == 0, python.err.constData());
        const auto view = nlohmann::json::parse(python.out.constData());
        QVERIFY(view.size() > 10);

        Result<InstalledSet> installed = scanInstalled({distPackages});
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
            QVERIFY2(d, qPrintable(u"missing from our scan: "_qs + where));
            QCOMPARE(d->version, version);

            if (entry["top_level"].is_array() && !entry["top_level"].empty()) {
                // Same modules, except names that do not exist on disk (which we
                // leave out with a warning) and "pkg/sub" entries (folded to "pkg").
                QStringList expected;
                for (const auto &m : entry["top_level"]) {
                    const QString module =
                        QString::fromStdString(m.get<std::string>()).section(u'/', 0, 0);
                    if (!expected.contains(module) && !d->missingModules.contains(module))
                        expected.append(module);
                }
                QStringList got = d->topLevelModules;
                expected.sort();
                got.sort();
                // A merged duplicate (dist-info + egg-info) may add names; never lose one.
                for (const QString &m : std::as_const(expected))
                    QVERIFY2(got.contains(m), qPrintable(where + u": "_qs + m));
                if (d->metadataPath == where)
                    QCOMPARE(got, expected);
            } else if (entry["record_importable"].get<bool>()) {
                QVERIFY2(!d->topLevelModules.isEmpty(), qPrintable(where));
            }
        }
        QCOMPARE(ours.size(), theirNames.size());
    }
};

QTEST_GUILESS_MAIN(TestRealSitePackages)
#include "tst_realsitepackages.moc"
