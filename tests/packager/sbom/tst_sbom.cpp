// SPDX-License-Identifier: MIT
// The inventory and both SBOM formats of a small hand-made bundle, through the
// library and through `deskpack sbom`: what is listed, with which versions,
// licences and edges; schema validity; byte-reproducibility; bad input.

#include "sbom/sbom.h"
#include "sbomtestutil.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using nlohmann::json;
using namespace deskpack;
using namespace deskpack::test;

namespace {

json parse(const QByteArray &bytes)
{
    return json::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr, false);
}

QString str(const json &value)
{
    return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QProcessEnvironment withEpoch(const QString &epoch)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (epoch.isEmpty())
        env.remove(u"SOURCE_DATE_EPOCH"_s);
    else
        env.insert(u"SOURCE_DATE_EPOCH"_s, epoch);
    return env;
}

// What Debian's Python (linked to the very files the bundle copied) says.
json pythonVersions()
{
    const ProcessResult r =
        runPythonScript(u"import json, ssl, sqlite3, zlib, pyexpat, lzma\n"
                        "print(json.dumps({'openssl': ssl.OPENSSL_VERSION.split()[1], "
                        "'sqlite': sqlite3.sqlite_version, 'zlib': zlib.ZLIB_RUNTIME_VERSION, "
                        "'expat': pyexpat.EXPAT_VERSION.split('_')[1]}))"_s);
    return parse(r.out);
}

} // namespace

class TestSbom : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_bundle;
    sbom::Inventory m_inventory;

    const sbom::Component *component(const QString &ref) { return m_inventory.find(ref); }

private Q_SLOTS:
    void initTestCase()
    {
        for (const QString &lib : systemLibraries())
            if (!QFileInfo::exists(systemLibDir() + u'/' + lib))
                SKIP_OR_FAIL_IN_CI(lib + u" is not installed (Debian 12's libraries expected)"_s);
        m_bundle = m_dir.filePath(u"bundle"_s);
        const QString error = makeSyntheticBundle(m_bundle);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        Result<sbom::Inventory> inv = sbom::collectInventory(m_bundle);
        QVERIFY2(inv.ok(), inv.ok() ? "" : qPrintable(inv.error().message));
        m_inventory = *inv;
    }

    void distributions()
    {
        const sbom::Component *alpha = component(u"pypi:alpha"_s);
        QVERIFY(alpha);
        QCOMPARE(alpha->name, u"Alpha"_s);
        QCOMPARE(alpha->purl, u"pkg:pypi/alpha@1.0"_s);
        QCOMPARE(alpha->summary, u"first"_s);
        QCOMPARE(alpha->license.expression, u"MIT OR Apache-2.0"_s);
        QCOMPARE(alpha->license.source, u"License-Expression"_s);
        const QString site = u"runtime/lib/python3.11/site-packages/"_s;
        QCOMPARE(alpha->licenseFiles,
                 QStringList{site + u"alpha-1.0.dist-info/licenses/LICENSE"_s});
        QCOMPARE(alpha->recordSha256.size(), 64);

        const sbom::Component *beta = component(u"pypi:beta"_s);
        QVERIFY(beta);
        QCOMPARE(beta->license.expression, u"BSD-3-Clause"_s);
        QCOMPARE(beta->licenseFiles, (QStringList{site + u"beta-2.0.dist-info/COPYING"_s,
                                                  site + u"beta-2.0.dist-info/LICENSE.txt"_s}));
        const sbom::Component *gamma = component(u"pypi:gamma"_s);
        QVERIFY(gamma);
        QVERIFY(gamma->license.expression.isEmpty());
        QCOMPARE(gamma->license.text,
                 u"Copyright (c) Gamma Corp.\nAll rights reserved, see the text."_s);

        // PEP 503 name in the purl, '+' percent-encoded; no RECORD is a warning.
        const sbom::Component *delta = component(u"pypi:delta-pkg"_s);
        QVERIFY(delta);
        QCOMPARE(delta->purl, u"pkg:pypi/delta-pkg@1.0%2Blocal"_s);
        QCOMPARE(delta->license.expression, u"GPL-3.0-or-later"_s);
        QVERIFY(delta->recordSha256.isEmpty());
        QVERIFY2(m_inventory.warnings.join(u'\n').contains(
                     u"Delta_Pkg-1.0+local.dist-info: no RECORD"_s),
                 qPrintable(m_inventory.warnings.join(u'\n')));
    }

    // Requires-Dist: an `extra` marker drops the edge, other markers keep it,
    // a distribution the bundle lacks is no edge.
    void dependencyEdges()
    {
        QList<QPair<QString, QString>> pypi;
        for (const auto &edge : std::as_const(m_inventory.dependencies))
            if (edge.first.startsWith(u"pypi:"_s))
                pypi.append(edge);
        QCOMPARE(pypi, (QList<QPair<QString, QString>>{{u"pypi:alpha"_s, u"pypi:beta"_s},
                                                       {u"pypi:alpha"_s, u"pypi:delta-pkg"_s}}));
        QVERIFY(
            m_inventory.dependencies.contains({u"app:launcher"_s, u"lib:lib/libQt6Core.so.6"_s}));
        QVERIFY(m_inventory.dependencies.contains(
            {u"runtime:python"_s, u"lib:runtime/lib/libz.so.1"_s}));
    }

    // Versions read from the libraries' bytes match what the same libraries
    // report at run time (Debian's Python, this process's Qt).
    void nativeLibraryVersions()
    {
        const json expected = pythonVersions();
        QVERIFY2(expected.is_object(), "Debian's python3 did not answer");
        const QList<QPair<QString, const char *>> rows = {{u"libcrypto.so.3"_s, "openssl"},
                                                          {u"libssl.so.3"_s, "openssl"},
                                                          {u"libsqlite3.so.0"_s, "sqlite"},
                                                          {u"libz.so.1"_s, "zlib"},
                                                          {u"libexpat.so.1"_s, "expat"}};
        for (const auto &[file, key] : rows) {
            const sbom::Component *c = component(u"lib:runtime/lib/"_s + file);
            QVERIFY2(c, qPrintable(file));
            QCOMPARE(c->version, str(expected[key]));
            QCOMPARE(c->versionSource, sbom::VersionSource::FileContent);
            QCOMPARE(c->sha256.size(), 64);
        }
        const sbom::Component *qt = component(u"lib:lib/libQt6Core.so.6"_s);
        QVERIFY(qt);
        QCOMPARE(qt->version, QString::fromLatin1(qVersion()));
        // libffi prints no version: the SONAME's, said so.
        const sbom::Component *ffi = component(u"lib:runtime/lib/libffi.so.8"_s);
        QVERIFY(ffi);
        QCOMPARE(ffi->version, u"8"_s);
        QCOMPARE(ffi->versionSource, sbom::VersionSource::Soname);
        // libpanelw says nothing; libtinfo beside it does.
        const sbom::Component *panel = component(u"lib:runtime/lib/libpanelw.so.6"_s);
        QVERIFY(panel);
        QCOMPARE(panel->version, component(u"lib:runtime/lib/libtinfo.so.6"_s)->version);
        QVERIFY(panel->properties.contains({u"deskpack:version-read-from"_s, u"libtinfo.so.6"_s}));
        // Extension modules and non-ELF files are not libraries.
        for (const sbom::Component &c : std::as_const(m_inventory.components)) {
            QVERIFY2(!c.path.contains(u"lib-dynload"_s), qPrintable(c.path));
            QVERIFY2(!c.path.contains(u"libnotelf"_s), qPrintable(c.path));
        }
        QCOMPARE(m_inventory.find(u"qt:system"_s), nullptr); // Qt is in the bundle
    }

    void runtimeAndLauncher()
    {
        const sbom::Component *python = component(u"runtime:python"_s);
        QVERIFY(python);
        QCOMPARE(python->version, u"3.11.2"_s);
        QCOMPARE(python->purl,
                 u"pkg:generic/cpython@3.11.2?checksum=sha256:"_s + QString(64, u'b'));
        QVERIFY(python->properties.contains({u"deskpack:runtime-origin"_s, u"archive"_s}));
        QVERIFY(python->properties.contains(
            {u"deskpack:runtime-source"_s, u"cpython-3.11.2.tar.gz"_s}));
        const sbom::Component *launcher = component(u"app:launcher"_s);
        QVERIFY(launcher);
        QCOMPARE(launcher->version, u"9.8.7"_s);
    }

    void schemasAccept()
    {
        if (schemaDir().isEmpty())
            SKIP_OR_FAIL_IN_CI("the CycloneDX schemas are not there: run scripts/sbom-schemas.sh "
                               "(scripts/test.sh does)");
        const QString cdx = m_dir.filePath(u"a.cdx.json"_s);
        const QString spdx = m_dir.filePath(u"a.spdx.json"_s);
        Result<QStringList> written = sbom::writeSboms(m_bundle, m_dir.path(), u"a"_s, {});
        QVERIFY2(written.ok(), written.ok() ? "" : qPrintable(written.error().message));
        QCOMPARE(*written, (QStringList{cdx, spdx}));
        QString problem = validateSbom(u"cyclonedx"_s, cdx);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        problem = validateSbom(u"spdx"_s, spdx);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        // The validator can fail: a component type CycloneDX does not know.
        QByteArray bad = readAll(cdx).replace("\"type\": \"library\"", "\"type\": \"gadget\"");
        QVERIFY(writeBytes(m_dir.filePath(u"bad.cdx.json"_s), bad));
        QVERIFY(!validateSbom(u"cyclonedx"_s, m_dir.filePath(u"bad.cdx.json"_s)).isEmpty());
        // And the SPDX 2.3 rules: an unknown relationship, a licence that is no expression.
        bad = readAll(spdx).replace("\"DEPENDS_ON\"", "\"LIKES\"");
        QVERIFY(writeBytes(m_dir.filePath(u"bad1.spdx.json"_s), bad));
        problem = validateSbom(u"spdx"_s, m_dir.filePath(u"bad1.spdx.json"_s));
        QVERIFY2(problem.contains(u"not an SPDX 2.3 relationship type"_s), qPrintable(problem));
        bad = readAll(spdx).replace("\"licenseDeclared\": \"MIT\"",
                                    "\"licenseDeclared\": \"MIT OR OR Foo\"");
        QVERIFY(bad != readAll(spdx));
        QVERIFY(writeBytes(m_dir.filePath(u"bad2.spdx.json"_s), bad));
        problem = validateSbom(u"spdx"_s, m_dir.filePath(u"bad2.spdx.json"_s));
        QVERIFY2(problem.contains(u"licenseDeclared"_s), qPrintable(problem));
    }

    void cycloneDxContent()
    {
        const json bom = parse(sbom::toCycloneDx(m_inventory, {}));
        QCOMPARE(str(bom["specVersion"]), u"1.6"_s);
        QCOMPARE(str(bom["metadata"]["timestamp"]), u"1980-01-01T00:00:00Z"_s);
        QCOMPARE(str(bom["metadata"]["component"]["name"]), u"Demo"_s);
        QVERIFY(str(bom["serialNumber"]).startsWith(u"urn:uuid:"_s));
        QCOMPARE(str(bom["serialNumber"]).mid(9 + 14, 1), u"8"_s); // UUID version 8
        json gamma, alphaDeps;
        for (const json &c : bom["components"])
            if (c["bom-ref"] == "pypi:gamma")
                gamma = c;
        for (const json &d : bom["dependencies"])
            if (d["ref"] == "pypi:alpha")
                alphaDeps = d["dependsOn"];
        QCOMPARE(str(gamma["licenses"][0]["license"]["name"]), u"Copyright (c) Gamma Corp."_s);
        QCOMPARE(alphaDeps, json::array({"pypi:beta", "pypi:delta-pkg"}));
    }

    void spdxContent()
    {
        const json doc = parse(sbom::toSpdx(m_inventory, {}));
        QCOMPARE(str(doc["spdxVersion"]), u"SPDX-2.3"_s);
        QCOMPARE(str(doc["dataLicense"]), u"CC0-1.0"_s);
        QCOMPARE(str(doc["creationInfo"]["created"]), u"1980-01-01T00:00:00Z"_s);
        QCOMPARE(doc["hasExtractedLicensingInfos"].size(), 1u);
        const QString ref = str(doc["hasExtractedLicensingInfos"][0]["licenseId"]);
        QVERIFY(ref.startsWith(u"LicenseRef-"_s));
        int dependsOn = 0;
        for (const json &r : doc["relationships"])
            dependsOn += r["relationshipType"] == "DEPENDS_ON";
        QCOMPARE(dependsOn, int(m_inventory.dependencies.size()));
        for (const json &p : doc["packages"]) {
            if (p["name"] == "gamma")
                QCOMPARE(str(p["licenseDeclared"]), ref);
            if (p["name"] == "Alpha")
                QCOMPARE(str(p["externalRefs"][0]["referenceLocator"]), u"pkg:pypi/alpha@1.0"_s);
        }
    }

    // Same bundle, same SOURCE_DATE_EPOCH: the same bytes; another epoch
    // changes the time and nothing else.
    void reproducible()
    {
        for (const QString &format : {u"cyclonedx"_s, u"spdx"_s}) {
            const QStringList args = {u"sbom"_s, m_bundle, u"--format"_s, format};
            const ProcessResult a = runDeskpack(args, withEpoch(u"1700000000"_s));
            const ProcessResult b = runDeskpack(args, withEpoch(u"1700000000"_s));
            const ProcessResult c = runDeskpack(args, withEpoch(u"1800000000"_s));
            QCOMPARE(a.exitCode, 0);
            QCOMPARE(a.out, b.out);
            QVERIFY(a.out != c.out);
            QVERIFY(a.out.contains("2023-11-14T22:13:20Z"));
            QVERIFY(c.out.contains("2027-01-15T08:00:00Z"));
            QCOMPARE(QByteArray(c.out).replace("2027-01-15T08:00:00Z", "2023-11-14T22:13:20Z"),
                     a.out);
        }
    }

    void commandLine()
    {
        const QString out = m_dir.filePath(u"cli.cdx.json"_s);
        ProcessResult r = runDeskpack(
            {u"sbom"_s, m_bundle, u"--format"_s, u"cyclonedx"_s, u"-o"_s, out}, withEpoch({}));
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(
            readAll(out),
            runDeskpack({u"sbom"_s, m_bundle, u"--format"_s, u"cyclonedx"_s}, withEpoch({})).out);
        r = runDeskpack({u"sbom"_s, m_bundle, u"--format"_s, u"swid"_s});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("unknown format"));
        r = runDeskpack({u"sbom"_s, m_bundle});
        QCOMPARE(r.exitCode, 2);
        // An output directory that does not exist: exit 3, nothing written.
        const QString nowhere = m_dir.filePath(u"missing/dir/x.json"_s);
        r = runDeskpack({u"sbom"_s, m_bundle, u"--format"_s, u"spdx"_s, u"-o"_s, nowhere});
        QCOMPARE(r.exitCode, 3);
        QVERIFY(!QFileInfo::exists(nowhere));
    }

    void badInput_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("no bundle.json") << u"rm bundle.json"_s << u"bundle.json: cannot read"_s;
        QTest::newRow("malformed bundle.json") << u"bundle.json"_s << u"bundle.json"_s;
        QTest::newRow("METADATA without Version")
            << u"beta-2.0.dist-info/METADATA"_s
            << u"beta-2.0.dist-info/METADATA: no Version: field"_s;
        QTest::newRow("no METADATA")
            << u"rm gamma-0.1.dist-info/METADATA"_s << u"gamma-0.1.dist-info/METADATA"_s;
        QTest::newRow("locked but absent")
            << u"rm -r alpha-1.0.dist-info"_s << u"locks alpha 1.0, but"_s;
        QTest::newRow("lock not json")
            << u"app/runtime-core-lock.json"_s << u"runtime-core-lock.json"_s;
    }

    void badInput()
    {
        QFETCH(QString, damage);
        QFETCH(QString, fragment);
        QTemporaryDir dir;
        const QString bundle = dir.filePath(u"b"_s);
        QVERIFY(makeSyntheticBundle(bundle).isEmpty());
        const QString site = bundle + u"/runtime/lib/python3.11/site-packages/"_s;
        const bool remove = damage.startsWith(u"rm "_s);
        const QString target = damage.section(u' ', -1);
        const QString path = (target.contains(u".dist-info"_s) ? site : bundle + u'/') + target;
        if (remove)
            QVERIFY(QFileInfo(path).isDir() ? QDir(path).removeRecursively() : QFile::remove(path));
        else if (target.endsWith(u"METADATA"_s))
            QVERIFY(writeBytes(path, "Metadata-Version: 2.1\nName: beta\nthis line is junk\n"));
        else
            QVERIFY(writeBytes(path, "{\"truncated\": "));
        const ProcessResult r = runDeskpack({u"sbom"_s, bundle, u"--format"_s, u"spdx"_s});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(QString::fromUtf8(r.err).contains(fragment), r.err.constData());
    }

    // A header line that is no "Field: value" is skipped with a warning naming it.
    void malformedMetadataLineWarns()
    {
        QTemporaryDir dir;
        const QString bundle = dir.filePath(u"b"_s);
        QVERIFY(makeSyntheticBundle(bundle).isEmpty());
        QVERIFY(writeBytes(
            bundle + u"/runtime/lib/python3.11/site-packages/beta-2.0.dist-info/METADATA"_s,
            "Metadata-Version: 2.1\nName: beta\nnot a field\nVersion: 2.0\n"));
        const ProcessResult r = runDeskpack({u"sbom"_s, bundle, u"--format"_s, u"cyclonedx"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains("beta-2.0.dist-info/METADATA: line 3: expected \"Field: value\""),
                 r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestSbom)
#include "tst_sbom.moc"
