// SPDX-License-Identifier: MIT
// The demo bundle as `deskpack build` makes it: both SBOMs pass the official
// schemas and list every core distribution of the lock (purl, version), every
// ELF shared library the bundle carries (with a version), the Requires-Dist
// edge demo-units -> demo-greeting, and the runtime's Debian origin. Built
// byte-compiled and pruned, as apps ship: the distributions' licence files
// (the launcher's About dialog shows them) survive both.

#include "common/demobundle.h"
#include "sbom/inventory.h"
#include "sbomtestutil.h"

#include <QDirIterator>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using nlohmann::json;
using namespace deskpack;
using namespace deskpack::test;

namespace {

json readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = f.readAll();
    return json::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr, false);
}

QString str(const json &value)
{
    return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
}

// Every ELF shared library of the bundle by the SBOM's rule, found on disk.
QStringList elfLibraries(const QString &bundle)
{
    QStringList out;
    QDirIterator it(bundle, QDir::Files | QDir::NoSymLinks, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString rel = QDir(bundle).relativeFilePath(path);
        if (!(rel.startsWith(u"runtime/"_s) || rel.startsWith(u"lib/"_s)) ||
            rel.contains(u"/lib-dynload/"_s) || rel.contains(u"/site-packages/"_s) ||
            !rel.section(u'/', -1).contains(u".so"_s))
            continue;
        QFile f(path);
        if (f.open(QIODevice::ReadOnly) && f.read(4) == "\x7f"
                                                        "ELF")
            out.append(rel);
    }
    out.sort();
    return out;
}

} // namespace

class TestSbomDemo : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_bundle;

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo(u"/usr/bin/python3.11"_s).isExecutable())
            SKIP_OR_FAIL_IN_CI("Debian's python3.11 is not installed");
        QString error;
        m_bundle = buildDemoBundle(m_dir.path(), &error, {{"byteCompile", true}});
        QVERIFY2(!m_bundle.isEmpty(), qPrintable(error));
    }

    void bothFormatsDescribeTheDemo()
    {
        if (schemaDir().isEmpty())
            SKIP_OR_FAIL_IN_CI("the CycloneDX schemas are not there: run scripts/sbom-schemas.sh "
                               "(scripts/test.sh does)");
        const QString cdx = m_dir.filePath(u"demo.cdx.json"_s);
        const QString spdx = m_dir.filePath(u"demo.spdx.json"_s);
        for (const auto &[format, path] :
             {std::pair{u"cyclonedx"_s, cdx}, std::pair{u"spdx"_s, spdx}}) {
            const ProcessResult r =
                runDeskpack({u"sbom"_s, m_bundle, u"--format"_s, format, u"-o"_s, path});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            const QString problem = validateSbom(format, path);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }

        const json bom = readJson(cdx);
        QHash<QString, json> byRef;
        for (const json &c : bom["components"])
            byRef.insert(str(c["bom-ref"]), c);
        const json lock = readJson(m_bundle + u"/app/runtime-core-lock.json"_s);
        QVERIFY(lock["distributions"].size() >= 3);
        for (const json &d : lock["distributions"]) {
            const QString name = str(d["name"]);
            const QString canonical = name.toLower().replace(u'_', u'-').replace(u'.', u'-');
            const json c = byRef.value(u"pypi:"_s + canonical);
            QVERIFY2(c.is_object(), qPrintable(name));
            QCOMPARE(str(c["version"]), str(d["version"]));
            QCOMPARE(str(c["purl"]), u"pkg:pypi/%1@%2"_s.arg(canonical, str(d["version"])));
        }
        const QStringList libs = elfLibraries(m_bundle);
        QVERIFY(libs.size() >= 10);
        for (const QString &lib : libs) {
            const json c = byRef.value(u"lib:"_s + lib);
            QVERIFY2(c.is_object(), qPrintable(lib));
            QVERIFY2(!str(c["version"]).isEmpty(), qPrintable(lib));
        }
        for (const char *expected :
             {"libcrypto.so.3", "libsqlite3.so.0", "libz.so.1", "libexpat.so.1"}) {
            const json c = byRef.value(u"lib:runtime/lib/"_s + QLatin1StringView(expected));
            QVERIFY2(c.is_object(), expected);
            bool fromContent = false;
            for (const json &p : c["properties"])
                fromContent |=
                    p["name"] == "deskpack:version-source" && p["value"] == "file-content";
            QVERIFY2(fromContent, expected);
        }
        bool edge = false;
        for (const json &d : bom["dependencies"])
            if (d["ref"] == "pypi:demo-units")
                edge = d["dependsOn"] == json::array({"pypi:demo-greeting"});
        QVERIFY(edge);
        const json python = byRef.value(u"runtime:python"_s);
        QVERIFY(str(python["purl"]).startsWith(u"pkg:deb/debian/python3.11-minimal@3.11"_s));
        QVERIFY(byRef.contains(u"app:launcher"_s));
        QVERIFY(byRef.contains(u"qt:system"_s)); // the demo carries no Qt: the machine's
        const json pip = byRef.value(u"pypi:pip"_s);
        QCOMPARE(str(pip["licenses"][0]["expression"]), u"MIT"_s);

        const json doc = readJson(spdx);
        QCOMPARE(doc["packages"].size(), bom["components"].size() + 1); // + the app
    }

    // pip installs a distribution's licence files into its dist-info; prune
    // only touches the stdlib and byte-compiling only adds .pyc files.
    void licenceFilesSurviveTheBuild()
    {
        Result<sbom::Inventory> inventory = sbom::collectInventory(m_bundle);
        QVERIFY2(bool(inventory), qPrintable(inventory ? QString() : inventory.error().message));
        const sbom::Component *pip = inventory->find(u"pypi:pip"_s);
        QVERIFY(pip);
        // Byte-compiled: pip's modules have their .pyc beside them.
        QVERIFY(QDir(m_bundle).exists(u"runtime/lib/python3.11/site-packages/pip/__pycache__"_s));
        bool licence = false;
        for (const QString &rel : pip->licenseFiles) {
            QVERIFY2(rel.startsWith(pip->path + u'/'), qPrintable(rel));
            QFile f(m_bundle + u'/' + rel);
            QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(rel));
            licence = licence || f.readAll().contains("Permission is hereby granted");
        }
        QVERIFY2(licence, qPrintable(pip->licenseFiles.join(u", "_s)));
    }
};

QTEST_GUILESS_MAIN(TestSbomDemo)
#include "tst_sbomdemo.moc"
