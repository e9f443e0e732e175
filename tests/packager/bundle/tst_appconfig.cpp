// SPDX-License-Identifier: MIT
// deskpack.json: valid configs load with paths resolved against the file;
// every mistake is reported with the file, the key and what was expected,
// and a mistyped key names the closest valid one.
#include "bundle/appconfig.h"
#include "common/jsonmutations.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;
using namespace deskpack::bundle;

class TestAppConfig : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString write(const QByteArray &json)
    {
        const QString path = m_dir.filePath(u"deskpack.json"_s);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write");
        f.write(json);
        return path;
    }

    static QByteArray valid(const QByteArray &extra = {})
    {
        // "\/" in the JSON: moc reads a double slash in a raw string as a comment.
        return R"J({"id": "my-app", "name": "My App", "version": "1.0",
                   "runtime": {"python": "/usr/bin/python3.11"},
                   "wheelhouse": "wheels", "requirements": "requirements.txt",
                   "app": {"source": "backend", "module": "my_app.server", "args": ["--port", "1"]},
                   "readiness": {"http": "http:\/\/127.0.0.1:1/status", "timeout": 5},
                   "lockEnv": "MY_APP_CORE_LOCK_PATH", "env": {"B": "2", "A": "1"})J" +
               extra + "}";
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir(m_dir.path()).mkpath(u"backend"_s));
        QVERIFY(QDir(m_dir.path()).mkpath(u"wheels"_s));
        QFile req(m_dir.filePath(u"requirements.txt"_s));
        QVERIFY(req.open(QIODevice::WriteOnly));
        QFile script(m_dir.filePath(u"backend/main.py"_s));
        QVERIFY(script.open(QIODevice::WriteOnly));
    }

    void loadsValidConfig()
    {
        Result<AppConfig> config = loadAppConfig(write(valid()));
        QVERIFY2(config.ok(), config.ok() ? "" : qPrintable(config.error().message));
        QCOMPARE(config->id, u"my-app"_s);
        QCOMPARE(config->runtimePython, u"/usr/bin/python3.11"_s);
        QCOMPARE(config->wheelhouse, m_dir.filePath(u"wheels"_s));
        QCOMPARE(config->requirementsFile, m_dir.filePath(u"requirements.txt"_s));
        QCOMPARE(config->appSource, m_dir.filePath(u"backend"_s));
        QCOMPARE(config->entryModule, u"my_app.server"_s);
        QCOMPARE(config->entryArgs, (QStringList{u"--port"_s, u"1"_s}));
        QCOMPARE(config->readiness.kind, formats::Readiness::Kind::Http);
        QCOMPARE(config->readiness.timeoutSeconds, 5);
        QCOMPARE(config->lockEnv, u"MY_APP_CORE_LOCK_PATH"_s);
        QCOMPARE(config->env.size(), 2);
        QCOMPARE(config->env.at(0).first, u"A"_s); // sorted
        QVERIFY(config->signingPublicKey.isEmpty());
    }

    void readsSigningPublicKey()
    {
        const QString key = u"RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3"_s;
        Result<AppConfig> config =
            loadAppConfig(write(valid(", \"signing\": {\"publicKey\": \"" + key.toUtf8() + "\"}")));
        QVERIFY2(config.ok(), config.ok() ? "" : qPrintable(config.error().message));
        QCOMPARE(config->signingPublicKey, key);
    }

    void readsUpdateFeed()
    {
        Result<AppConfig> config = loadAppConfig(
            write(valid(R"J(, "update": {"feed": "https:\/\/example.org\/my-app"})J")));
        QVERIFY2(config.ok(), config.ok() ? "" : qPrintable(config.error().message));
        QCOMPARE(config->updateFeed, u"https://example.org/my-app"_s);
        QCOMPARE(config->updateChannel, u"stable"_s); // the default
        config = loadAppConfig(
            write(valid(R"J(, "update": {"feed": "file:\/\/\/srv\/feed", "channel": "beta"})J")));
        QVERIFY2(config.ok(), config.ok() ? "" : qPrintable(config.error().message));
        QCOMPARE(config->updateChannel, u"beta"_s);
        config = loadAppConfig(write(valid()));
        QVERIFY(config.ok());
        QVERIFY(config->updateFeed.isEmpty());
        QVERIFY(config->updateChannel.isEmpty());
    }

    void rejected_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QStringList>("fragments");
        QTest::newRow("not json") << QByteArray("{oops")
                                  << QStringList{u"deskpack.json:1:2: not valid JSON"_s};
        QTest::newRow("mistyped top-level key")
            << valid(R"J(, "wheelhose": "x")J")
            << QStringList{
                   u"deskpack.json: $.wheelhose: unknown key; did you mean \"wheelhouse\"?"_s};
        QTest::newRow("mistyped nested key")
            << valid(R"J(, "prune": [], "byteCompile": true, "icn": "x")J")
            << QStringList{u"icn: unknown key; did you mean \"icon\"?"_s};
        QTest::newRow("unknown key far from any")
            << valid(R"J(, "completely_unrelated": 1)J")
            << QStringList{u"completely_unrelated: unknown key (valid keys: id, name,"_s};
        QTest::newRow("runtime key typo")
            << QByteArray(
                   R"J({"id":"a","name":"A","version":"1","runtime":{"pyhton":"/usr/bin/python3"},"app":{"source":"backend","module":"m"}})J")
            << QStringList{u"$.runtime.pyhton: unknown key; did you mean \"python\"?"_s};
        QTest::newRow("missing everything")
            << QByteArray("{}")
            << QStringList{u"id: missing"_s, u"name: missing"_s, u"version: missing"_s,
                           u"runtime: missing"_s, u"app: missing"_s};
        QTest::newRow("wrong types")
            << QByteArray(
                   R"J({"id": 5, "name": "A", "version": "1", "runtime": "python3", "app": []})J")
            << QStringList{u"$.id: expected a non-empty string, got number 5"_s,
                           u"runtime: expected {\"python\""_s, u"app: expected {\"source\""_s};
        QTest::newRow("bad id") << valid().replace("\"my-app\"", "\"My App!\"")
                                << QStringList{u"id: \"My App!\" is not a valid app id"_s};
        QTest::newRow("id with a trailing newline")
            << valid().replace("\"my-app\"", "\"my-app\\n\"")
            << QStringList{u"is not a valid app id"_s};
        QTest::newRow("sha256 with a trailing newline")
            << valid().replace(R"J("runtime": {"python": "/usr/bin/python3.11"})J",
                               QByteArray(R"J("runtime": {"archive": "requirements.txt", )J")
                                   .append(R"J("sha256": ")J")
                                   .append(QByteArray(64, 'a'))
                                   .append(R"J(\n"})J"))
            << QStringList{u"runtime.sha256: expected 64 hexadecimal digits"_s};
        QTest::newRow("both runtimes")
            << valid().replace(
                   R"J("runtime": {"python": "/usr/bin/python3.11"})J",
                   R"J("runtime": {"python": "/usr/bin/python3.11", "archive": "x.tar.gz"})J")
            << QStringList{u"runtime: give exactly one of \"python\""_s};
        QTest::newRow("archive without sha256")
            << valid().replace(R"J("runtime": {"python": "/usr/bin/python3.11"})J",
                               R"J("runtime": {"archive": "requirements.txt"})J")
            << QStringList{u"runtime.sha256: missing"_s};
        QTest::newRow("bad sha256")
            << valid().replace(R"J("runtime": {"python": "/usr/bin/python3.11"})J",
                               R"J("runtime": {"archive": "requirements.txt", "sha256": "abc"})J")
            << QStringList{u"runtime.sha256: expected 64 hexadecimal digits"_s};
        QTest::newRow("missing interpreter")
            << valid().replace("/usr/bin/python3.11", "/nonexistent/python")
            << QStringList{
                   u"runtime.python: /nonexistent/python is not an executable interpreter"_s};
        QTest::newRow("missing wheelhouse")
            << valid().replace("\"wheels\"", "\"nowhere\"")
            << QStringList{u"wheelhouse: "_s, u"/nowhere does not exist"_s};
        QTest::newRow("two entry points")
            << valid().replace(R"J("module": "my_app.server")J",
                               R"J("module": "m", "script": "main.py")J")
            << QStringList{u"app: give exactly one entry point"_s};
        QTest::newRow("script outside the app")
            << valid().replace(R"J("module": "my_app.server")J", R"J("script": "../evil.py")J")
            << QStringList{u"app.script: must be a path inside app.source"_s};
        QTest::newRow("bad module name")
            << valid().replace("my_app.server", "my-app")
            << QStringList{u"app.module: \"my-app\" is not a dotted module name"_s};
        QTest::newRow("two readiness probes")
            << valid().replace(R"J("http": "http:\/\/127.0.0.1:1/status")J",
                               R"J("http": "http:\/\/x", "tcp": 80)J")
            << QStringList{u"readiness: give exactly one of"_s};
        QTest::newRow("bad port")
            << valid().replace(R"J("http": "http:\/\/127.0.0.1:1/status")J", R"J("tcp": 70000)J")
            << QStringList{
                   u"$.readiness.tcp: expected an integer from 1 to 65535, got number 70000"_s};
        QTest::newRow("bad lockEnv") << valid().replace("MY_APP_CORE_LOCK_PATH", "MY-APP")
                                     << QStringList{u"lockEnv: not an environment variable name"_s};
        QTest::newRow("prune unknown") << valid(R"J(, "prune": ["tests", "everything"])J")
                                       << QStringList{u"prune: cannot prune \"everything\""_s};
        QTest::newRow("env name") << valid().replace(R"J("B": "2")J", R"J("B=C": "2")J")
                                  << QStringList{
                                         u"$.env[\"B=C\"]: not an environment variable name"_s};
        QTest::newRow("env value") << valid().replace(R"J("B": "2")J", R"J("B": 2)J")
                                   << QStringList{u"$.env.B: expected a string, got number 2"_s};
        QTest::newRow("duplicate key") << valid(R"J(, "id": "other")J")
                                       << QStringList{u"deskpack.json: $.id: duplicate key"_s};
        QTest::newRow("epoch 1e30") << valid(R"J(, "sourceDateEpoch": 1e30)J")
                                    << QStringList{u"$.sourceDateEpoch: expected an integer"_s};
        QTest::newRow("epoch 2^64") << valid(R"J(, "sourceDateEpoch": 18446744073709551615)J")
                                    << QStringList{u"$.sourceDateEpoch: expected an integer"_s};
        QTest::newRow("args element")
            << valid().replace(R"J("--port", "1")J", R"J("--port", 1)J")
            << QStringList{u"$.app.args[1]: expected a string, got number 1"_s};
        QTest::newRow("requirements number")
            << valid().replace(R"J("requirements.txt")J", "7")
            << QStringList{u"$.requirements: expected a requirements file or a list"_s};
        QTest::newRow("pip is a number")
            << valid(R"J(, "pip": 5)J")
            << QStringList{u"$.pip: expected a pip wheel path or {\"wheel\": PATH, \"sha256\": "
                           "HEX}, got number 5"_s};
        QTest::newRow("pip wheel is a list")
            << valid(R"J(, "pip": {"wheel": [], "sha256": 7})J")
            << QStringList{u"$.pip.wheel: expected a non-empty string, got a list"_s,
                           u"$.pip.sha256: expected a non-empty string, got number 7"_s};
        QTest::newRow("signing key with junk")
            << valid(
                   R"J(, "signing": {"publicKey": "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3 junk"})J")
            << QStringList{u"$.signing.publicKey: \"RWQf6"_s, u"is not a minisign public key"_s};
        QTest::newRow("signing key of another format")
            << valid(R"J(, "signing": {"publicKey": "untrusted comment: minisign public key"})J")
            << QStringList{u"is not a minisign public key"_s};
        QTest::newRow("signing secret key by mistake")
            << valid(R"J(, "signing": {"secretKey": "x"})J")
            << QStringList{u"$.signing.secretKey: unknown key"_s,
                           u"$.signing.publicKey: missing"_s};
        QTest::newRow("update feed not a url")
            << valid(R"J(, "update": {"feed": "example.org/feed"})J")
            << QStringList{u"$.update.feed: \"example.org/feed\" is not an update feed URL"_s};
        QTest::newRow("update channel upper case")
            << valid(R"J(, "update": {"feed": "https:\/\/x.org\/f", "channel": "Beta"})J")
            << QStringList{u"$.update.channel: \"Beta\" is not a channel name"_s};
        QTest::newRow("update with an unordered version")
            << valid(R"J(, "update": {"feed": "https:\/\/x.org\/f"})J")
                   .replace(R"J("version": "1.0")J", R"J("version": "1.0-beta")J")
            << QStringList{u"$.update.feed: updates need a version they can order, and "
                           "\"1.0-beta\" is not one"_s};
        QTest::newRow("update without feed")
            << valid(R"J(, "update": {"channel": "beta", "chanel": 1})J")
            << QStringList{u"$.update.feed: missing"_s,
                           u"$.update.chanel: unknown key; did you mean \"channel\"?"_s};
        QTest::newRow("requirements without wheelhouse")
            << valid().replace(R"J("wheelhouse": "wheels", )J", "")
            << QStringList{u"wheelhouse: missing: requirements are installed offline"_s};
    }

    void rejected()
    {
        QFETCH(QByteArray, json);
        QFETCH(QStringList, fragments);
        const QString path = write(json);
        Result<AppConfig> config = loadAppConfig(path);
        QVERIFY(!config.ok());
        QCOMPARE(config.error().kind, ErrorKind::Unreadable);
        for (const QString &fragment : fragments)
            QVERIFY2(config.error().message.contains(fragment), qPrintable(config.error().message));
        QVERIFY(config.error().message.contains(path));
    }

    // What is not a small regular file is refused whole, naming the file: a
    // fifo would block a plain open, a directory reads as nothing, and a huge
    // file used to be cut at 16 MiB and then misreported as broken JSON.
    void unreadableInputs_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("fifo") << u"fifo"_s << u"not a regular file"_s;
        QTest::newRow("directory") << u"directory"_s << u"not a regular file"_s;
        QTest::newRow("larger than 16 MiB") << u"huge"_s << u"is at most 16777216 bytes"_s;
        QTest::newRow("missing") << u"missing"_s << u"cannot read"_s;
    }

    void unreadableInputs()
    {
        QFETCH(QString, kind);
        QFETCH(QString, fragment);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"deskpack.json"_s);
        if (kind == u"fifo") {
            QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0644), 0);
        } else if (kind == u"directory") {
            QVERIFY(QDir().mkpath(path));
        } else if (kind == u"huge") {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray text = valid();
            text.append(QByteArray((16 << 20) + 1 - text.size(), ' '));
            QCOMPARE(f.write(text), text.size());
        }
        Result<AppConfig> config = loadAppConfig(path);
        QVERIFY(!config.ok());
        QCOMPARE(config.error().kind, ErrorKind::Unreadable);
        QVERIFY2(config.error().message.contains(path) && config.error().message.contains(fragment),
                 qPrintable(config.error().message));
    }

    // Every value of a valid deskpack.json replaced by each other JSON type,
    // each key deleted and duplicated: a clean answer every time, naming the
    // file and the JSON path when refused.
    void mutationCorpus()
    {
        const nlohmann::json doc = nlohmann::json::parse(valid().toStdString());
        auto corpus = test::typeMutations(doc);
        const auto broken = test::brokenTexts(doc);
        corpus.insert(corpus.end(), broken.begin(), broken.end());
        QVERIFY(corpus.size() > 400);
        int refused = 0;
        QStringList unnamed;
        for (const test::JsonMutation &mutation : corpus) {
            const QString path = write(mutation.text);
            Result<AppConfig> config = loadAppConfig(path);
            if (config.ok())
                continue;
            ++refused;
            QCOMPARE(config.error().kind, ErrorKind::Unreadable);
            const bool named = test::namesFileAndPath(config.error().message, path, mutation.paths);
            if (!named)
                unnamed.append(mutation.description + u" -> "_s + config.error().message);
        }
        qInfo("%d mutations, %d refused", int(corpus.size()), refused);
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(u'\n')));
        QVERIFY(refused > int(corpus.size()) / 2);
    }

    void closestKeyIsConservative()
    {
        const QStringList keys{u"wheelhouse"_s, u"requirements"_s, u"readiness"_s};
        QCOMPARE(closestKey(u"requirement"_s, keys), u"requirements"_s);
        QCOMPARE(closestKey(u"Readyness"_s, keys), u"readiness"_s);
        QCOMPARE(closestKey(u"zzz"_s, keys), QString());
    }
};

QTEST_GUILESS_MAIN(TestAppConfig)
#include "tst_appconfig.moc"
