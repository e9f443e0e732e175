// SPDX-License-Identifier: MIT
// The type-mutation corpus of a real bundle.json: every value replaced by
// each other JSON type, huge and negative numbers, every key deleted and
// duplicated, deep nesting, broken texts. readManifest must refuse or accept
// each one cleanly, naming bundle.json and the JSON path, and the real
// `deskpack verify` must exit 0, 1 or 2 on it, never with a signal.
#include "common/jsonmutations.h"
#include "common/testutil.h"
#include "formats/bundlemanifest.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace deskpack;
using namespace deskpack::formats;
using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

namespace {

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

} // namespace

class TestBundleMutation : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_bundle;
    std::vector<test::JsonMutation> m_corpus;

    // A small bundle with what a real one has: an interpreter and its link,
    // a core site-packages with one distribution and its lock, a link to a
    // directory, an empty directory, resources.
    bool makeBundle()
    {
        const QString b = m_bundle;
        const QString site = b + u"/runtime/lib/python3.11/site-packages"_s;
        bool ok = writeFile(b + u"/app/demo_backend/__main__.py"_s, "print('demo')\n") &&
                  writeFile(b + u"/app/demo_backend/__init__.py"_s, "") &&
                  writeFile(b + u"/runtime/bin/python3.11"_s, "#!/bin/sh\nexit 0\n") &&
                  writeFile(site + u"/demo_dep/__init__.py"_s, "") &&
                  writeFile(site + u"/demo_dep-1.0.dist-info/METADATA"_s,
                            "Metadata-Version: 2.1\nName: demo-dep\nVersion: 1.0\n") &&
                  writeFile(site + u"/demo_dep-1.0.dist-info/top_level.txt"_s, "demo_dep\n") &&
                  writeFile(b + u"/app/runtime-core-lock.json"_s,
                            "{\n  \"distributions\": [\n    {\n      \"name\": \"demo-dep\",\n"
                            "      \"top_level_modules\": [\n        \"demo_dep\"\n      ],\n"
                            "      \"version\": \"1.0\"\n    }\n  ],\n  \"version\": 1\n}\n") &&
                  writeFile(b + u"/resources/runner.py"_s, "# runner\n") &&
                  writeFile(b + u"/resources/icon.png"_s, "PNG");
        ok = ok && QFile::setPermissions(b + u"/runtime/bin/python3.11"_s,
                                         QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        ok = ok && QFile::link(u"python3.11"_s, b + u"/runtime/bin/python3"_s);
        ok = ok && QFile::link(u"../runtime/lib/python3.11/site-packages/demo_dep"_s,
                               b + u"/app/demo_dep"_s);
        ok = ok && QDir(b).mkpath(u"runtime/lib/python3.11/lib-dynload"_s);
        return ok;
    }

    BundleManifest manifest(Readiness::Kind kind)
    {
        BundleManifest m;
        m.id = u"demo-app"_s;
        m.name = u"Deskpack Demo"_s;
        m.version = u"1.2.3"_s;
        if (kind == Readiness::Kind::Heartbeat)
            m.entryScript = u"app/demo_backend/__main__.py"_s;
        else
            m.entryModule = u"demo_backend"_s;
        m.entryArgs = {u"--port"_s, u"8765"_s};
        m.readiness.kind = kind;
        m.readiness.url =
            kind == Readiness::Kind::Http ? u"http://127.0.0.1:8765/ready"_s : QString();
        m.readiness.port = kind == Readiness::Kind::Tcp ? 8765 : 0;
        m.readiness.timeoutSeconds = 20;
        m.python = u"runtime/bin/python3.11"_s;
        m.pythonVersion = u"3.11.2"_s;
        m.coreSitePackages = u"runtime/lib/python3.11/site-packages"_s;
        m.lock = u"app/runtime-core-lock.json"_s;
        m.lockEnvAlias = u"DEMO_CORE_LOCK_PATH"_s;
        m.env = {{u"DEMO_MODE"_s, u"desktop"_s}, {u"LANG"_s, u"C.UTF-8"_s}};
        m.icon = u"resources/icon.png"_s;
        Result<BundleTree> tree = scanBundleFiles(m_bundle);
        if (tree) {
            m.files = tree->files;
            m.dirs = tree->emptyDirs;
        }
        return m;
    }

    QString manifestPath() const { return m_bundle + u"/bundle.json"_s; }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_bundle = m_dir.filePath(u"Demo"_s);
        QVERIFY(makeBundle());
        const BundleManifest http = manifest(Readiness::Kind::Http);
        QVERIFY(http.files.size() >= 9);
        QCOMPARE(http.dirs, QStringList{u"runtime/lib/python3.11/lib-dynload"_s});
        const json doc = json::parse(serializeManifest(http).toStdString());
        m_corpus = test::typeMutations(doc);
        // The other readiness kinds and the script entry: their own subtrees.
        for (const auto kind : {Readiness::Kind::Tcp, Readiness::Kind::Heartbeat}) {
            const json variant = json::parse(serializeManifest(manifest(kind)).toStdString());
            for (const char *under : {"$.readiness", "$.entry"}) {
                auto more = test::typeMutations(variant, QString::fromLatin1(under));
                m_corpus.insert(m_corpus.end(), more.begin(), more.end());
            }
        }
        const auto broken = test::brokenTexts(doc);
        m_corpus.insert(m_corpus.end(), broken.begin(), broken.end());
        QVERIFY(m_corpus.size() > 1000);
        // The unmutated bundle verifies, so every refusal below is the mutation's.
        QVERIFY(writeFile(manifestPath(), serializeManifest(http)));
        const auto clean = test::runDeskpack({u"verify"_s, m_bundle});
        QVERIFY2(clean.exitCode == 0 && !clean.crashed, clean.err.constData());
    }

    void readManifestSurvivesEveryMutation()
    {
        int refused = 0;
        QStringList unnamed;
        for (const test::JsonMutation &mutation : m_corpus) {
            QVERIFY(writeFile(manifestPath(), mutation.text));
            Result<BundleManifest> read = readManifest(m_bundle);
            if (read.ok()) {
                if (qEnvironmentVariableIsSet("DESKPACK_LIST_ACCEPTED"))
                    qInfo("accepted: %s", qPrintable(mutation.description));
                continue;
            }
            ++refused;
            QCOMPARE(read.error().kind, ErrorKind::Unreadable);
            if (!test::namesFileAndPath(read.error().message, manifestPath(), mutation.paths))
                unnamed.append(mutation.description + u" -> "_s + read.error().message);
        }
        qInfo("%d mutations, %d refused by readManifest", int(m_corpus.size()), refused);
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(u'\n')));
        // Most of the corpus is wrong in a way the reader must see.
        QVERIFY(refused > int(m_corpus.size()) / 2);
    }

    void specificMutationsAreRefused_data()
    {
        QTest::addColumn<QString>("description");
        QTest::addColumn<QString>("message");
        QTest::newRow("entry") << u"$.entry = 7"_s
                               << u"$.entry: expected an object, got number 7"_s;
        QTest::newRow("files") << u"$.files = []"_s << u"$.files: expected an object, got a list"_s;
        QTest::newRow("sha256") << u"$.files[\"app/demo_backend/__init__.py\"].sha256 = 7"_s
                                << u"$.files[\"app/demo_backend/__init__.py\"].sha256: expected a "
                                   "string, got number 7"_s;
        QTest::newRow("size 2^64")
            << u"$.files[\"resources/runner.py\"].size = 18446744073709551616"_s
            << u"$.files[\"resources/runner.py\"].size: expected an integer from 0 to "_s;
        QTest::newRow("readiness")
            << u"$.readiness = \"x\""_s << u"$.readiness: expected an object, got string \"x\""_s;
        QTest::newRow("schema") << u"$.schema = 1e30"_s
                                << u"$.schema: expected the schema number 1, got number 1e+30"_s;
        QTest::newRow("duplicate") << u"$.python duplicated"_s << u"$.python: duplicate key"_s;
        QTest::newRow("link") << u"$.files[\"app/demo_dep\"].link = {}"_s
                              << u"$.files[\"app/demo_dep\"].link: expected a non-empty string"_s;
        QTest::newRow("tcp port") << u"$.readiness.port = -1"_s
                                  << u"$.readiness.port: expected an integer from 1 to 65535"_s;
    }

    void specificMutationsAreRefused()
    {
        QFETCH(QString, description);
        QFETCH(QString, message);
        auto it = std::find_if(m_corpus.begin(), m_corpus.end(),
                               [&](const auto &m) { return m.description == description; });
        QVERIFY2(it != m_corpus.end(), qPrintable(description));
        QVERIFY(writeFile(manifestPath(), it->text));
        Result<BundleManifest> read = readManifest(m_bundle);
        QVERIFY(!read.ok());
        QVERIFY2(read.error().message.contains(manifestPath() + u": "_s + message),
                 qPrintable(read.error().message));
    }

    // The real binary on the corpus: all of it with DESKPACK_ALL_MUTATIONS=1,
    // otherwise every mutation of a top-level key and every fifth one below.
    // A sanitizer build's binary is about ten times slower: there a quarter of
    // the top-level mutations and every twentieth below (readManifest above
    // still sees the whole corpus in-process).
    void verifyBinarySurvivesMutations()
    {
#if defined(__SANITIZE_ADDRESS__)
        constexpr std::size_t TopStride = 4, DeepStride = 20;
#else
        constexpr std::size_t TopStride = 1, DeepStride = 5;
#endif
        const bool all = qEnvironmentVariableIntValue("DESKPACK_ALL_MUTATIONS") == 1;
        int runs = 0;
        QStringList bad;
        for (std::size_t i = 0; i < m_corpus.size(); ++i) {
            const test::JsonMutation &mutation = m_corpus[i];
            const bool topLevel = mutation.depth <= 1;
            if (!all && i % (topLevel ? TopStride : DeepStride) != 0)
                continue;
            QVERIFY(writeFile(manifestPath(), mutation.text));
            Result<BundleManifest> read = readManifest(m_bundle);
            const auto r = test::runDeskpack({u"verify"_s, m_bundle, u"--json"_s});
            ++runs;
            const QString stderrText = QString::fromUtf8(r.err);
            QString problem;
            if (r.crashed || r.exitCode < 0 || r.exitCode > 2)
                problem =
                    u"exit %1%2"_s.arg(r.exitCode).arg(r.crashed ? u" (crashed)"_s : QString());
            else if (!read.ok() &&
                     (r.exitCode != 2 ||
                      !stderrText.contains(read.error().message.section(u'\n', 0, 0))))
                problem = u"refused in-process but exit %1"_s.arg(r.exitCode);
            else if (read.ok() && json::parse(r.out.toStdString(), nullptr, false).is_discarded())
                problem = u"no JSON report on stdout"_s;
            if (!problem.isEmpty())
                bad.append(mutation.description + u": "_s + problem + u": "_s +
                           stderrText.left(300));
        }
        qInfo("deskpack verify ran on %d mutations", runs);
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join(u'\n')));
        QVERIFY(runs > 100);
    }

    void verifyBinaryReportsLinkToEtc()
    {
        const BundleManifest http = manifest(Readiness::Kind::Http);
        QVERIFY(writeFile(manifestPath(), serializeManifest(http)));
        QVERIFY(QFile::link(u"/etc"_s, m_bundle + u"/app/evil"_s));
        const auto r = test::runDeskpack({u"verify"_s, m_bundle, u"--json"_s});
        QVERIFY(QFile::remove(m_bundle + u"/app/evil"_s));
        QCOMPARE(r.exitCode, 1);
        const json report = json::parse(r.out.toStdString(), nullptr, false);
        QVERIFY(report.is_object() && report["unsafe"].is_array() && report["unsafe"].size() == 1);
        QCOMPARE(report["unsafe"][0].get<std::string>(),
                 std::string("app/evil: symlink to /etc leaves the bundle"));
        QVERIFY(r.err.contains("unsafe: app/evil: symlink to /etc leaves the bundle"));
    }

    // Nothing opens a fifo (it would block until a writer comes): verify
    // names it and ends.
    void verifyBinaryReportsFifo()
    {
        const BundleManifest http = manifest(Readiness::Kind::Http);
        QVERIFY(writeFile(manifestPath(), serializeManifest(http)));
        const QString fifo = m_bundle + u"/runtime/lib/libfifo.so.1"_s;
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0644), 0);
        const auto r = test::runProcess(test::binDir() + u"/deskpack"_s,
                                        {u"verify"_s, m_bundle, u"--json"_s}, {}, 30000);
        QVERIFY(QFile::remove(fifo));
        QVERIFY2(r.exitCode == 1 && !r.crashed, r.err.constData());
        QVERIFY(r.err.contains("unsafe: runtime/lib/libfifo.so.1: a fifo"));
    }
};

QTEST_GUILESS_MAIN(TestBundleMutation)
#include "tst_bundlemutation.moc"
