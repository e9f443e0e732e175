// SPDX-License-Identifier: MIT
// `deskpack release` end to end: the demo bundle built once (1.0.0), then
// 1.0.1 and 1.0.2 derived from it with a one-file change in app/ (what a
// rebuild with one edited source file gives, without the minutes of builds).
// Publishing, the delta's size, stock minisign, determinism, the wrong key,
// an older version, pruning.
#include "feed/channelfeed.h"
#include "formats/bundlemanifest.h"
#include "signing/signing.h"

#include "common/demobundle.h"
#include "common/feedserver.h"
#include "common/testutil.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr const char *Epoch = "1800000000";

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Every file of a tree, path -> bytes: to compare feeds and see that a
// refused release changed nothing.
QMap<QString, QByteArray> snapshot(const QString &root)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        files.insert(QDir(root).relativeFilePath(path), readAll(path));
    }
    return files;
}

// A copy of `from` as version `version` with app/demo_backend/__init__.py
// edited: files rescanned and bundle.json rewritten as `deskpack build` does.
QString deriveBundle(const QString &from, const QString &to, const QString &version,
                     const QString &publicKey = {})
{
    if (test::runProcess(u"cp"_s, {u"-a"_s, from, to}).exitCode != 0)
        return {};
    QFile source(to + u"/app/demo_backend/__init__.py"_s);
    if (!source.open(QIODevice::Append))
        return {};
    source.write(u"GREETING_VERSION = \"%1\"\n"_s.arg(version).toUtf8());
    source.close();
    Result<formats::BundleManifest> m = formats::readManifest(to);
    Result<formats::BundleTree> tree = formats::scanBundleFiles(to);
    if (!m || !tree)
        return {};
    m->version = version;
    if (!publicKey.isEmpty())
        m->signingPublicKey = publicKey;
    m->files = tree->files;
    m->dirs = tree->emptyDirs;
    QFile manifest(to + u"/bundle.json"_s);
    if (!manifest.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    manifest.write(formats::serializeManifest(*m));
    return to;
}

} // namespace

class TestRelease : public QObject
{
    Q_OBJECT

    QTemporaryDir m_work;
    QString m_bundle[3]; // 1.0.0, 1.0.1, 1.0.2
    QString m_secret, m_public, m_otherSecret;
    QString m_publicKey; // RW...

    test::ProcessResult release(const QString &bundle, const QString &feed,
                                const QStringList &extra = {}, const QString &key = {})
    {
        QElapsedTimer timer;
        timer.start();
        const auto r =
            test::runDeskpack(QStringList{u"release"_s, bundle, u"--feed"_s, feed, u"--channel"_s,
                                          u"stable"_s, u"-s"_s, key.isEmpty() ? m_secret : key} +
                              extra);
        qInfo("release %s: %lld ms", qPrintable(QFileInfo(bundle).fileName()), timer.elapsed());
        return r;
    }

    static feed::ChannelFeed channel(const QString &feed)
    {
        Result<feed::ChannelFeed> c =
            feed::parseChannel(readAll(feed + u"/channels/stable.json"_s), u"stable.json"_s);
        if (!c)
            qWarning("%s", qPrintable(c.error().message));
        return c ? *c : feed::ChannelFeed();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        qputenv("SOURCE_DATE_EPOCH", Epoch);
        m_secret = m_work.filePath(u"app.sec"_s);
        m_public = m_work.filePath(u"app.pub"_s);
        m_otherSecret = m_work.filePath(u"other.sec"_s);
        const signing::KeyGenOptions unencrypted{QByteArray(), signing::KdfCost::interactive(),
                                                 false};
        Result<signing::PublicKey> key = signing::generateKeyFiles(m_public, m_secret, unencrypted);
        QVERIFY(key);
        m_publicKey = key->toBase64();
        QVERIFY(
            signing::generateKeyFiles(m_work.filePath(u"other.pub"_s), m_otherSecret, unencrypted));
        QString error;
        const nlohmann::json patch = {
            {"signing", {{"publicKey", m_publicKey.toStdString()}}},
            {"update", {{"feed", "http://127.0.0.1:1/feed"}, {"channel", "stable"}}}};
        const QString built = test::buildDemoBundle(m_work.filePath(u"demo"_s), &error, patch);
        QVERIFY2(!built.isEmpty(), qPrintable(error));
        m_bundle[0] = built;
        m_bundle[1] = deriveBundle(built, m_work.filePath(u"demo-1.0.1"_s), u"1.0.1"_s);
        m_bundle[2] = deriveBundle(m_bundle[1], m_work.filePath(u"demo-1.0.2"_s), u"1.0.2"_s);
        QVERIFY(!m_bundle[1].isEmpty() && !m_bundle[2].isEmpty());
        QCOMPARE(test::runDeskpack({u"verify"_s, m_bundle[2]}).exitCode, 0);
    }

    void publishesAPackageAndASmallDelta()
    {
        const QString feed = m_work.filePath(u"feed"_s);
        test::ProcessResult r = release(m_bundle[0], feed);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(channel(feed).version, u"1.0.0"_s);
        QVERIFY(channel(feed).deltas.empty());
        // sameInputsSameBytes releases 1.0.1 again from here.
        QCOMPARE(
            test::runProcess(u"cp"_s, {u"-a"_s, feed, m_work.filePath(u"feed-again"_s)}).exitCode,
            0);

        r = release(m_bundle[1], feed, {u"--json"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const feed::ChannelFeed c = channel(feed);
        QCOMPARE(c.appId, u"deskpack-demo"_s);
        QCOMPARE(c.version, u"1.0.1"_s);
        QCOMPARE(c.issued, qint64(1800000000));
        QCOMPARE(c.expires, c.issued + 30 * 86400);
        QVERIFY2(c.package.path.startsWith(u"packages/deskpack-demo-1.0.1-linux-"_s),
                 qPrintable(c.package.path));
        QVERIFY(c.package.path.endsWith(u".tar.zst"_s));
        QCOMPARE(c.packageRoot, u"demo-1.0.1"_s);
        QCOMPARE(QFileInfo(feed + u'/' + c.package.path).size(), c.package.size);
        QCOMPARE(c.deltas.size(), 1u);
        const feed::FeedDelta &d = c.deltas.front();
        QCOMPARE(d.fromVersion, u"1.0.0"_s);
        QCOMPARE(d.file.path, u"deltas/deskpack-demo-1.0.0-to-1.0.1.delta"_s);
        QCOMPARE(c.minimumDeltaVersion, u"1.0.0"_s);
        QCOMPARE(QFileInfo(feed + u'/' + d.file.path).size(), d.file.size);
        qInfo("package %lld bytes, delta %lld bytes", c.package.size, d.file.size);
        QVERIFY2(d.file.size * 100 < c.package.size, "the delta is not under 1% of the package");

        const nlohmann::json report = nlohmann::json::parse(r.out.toStdString(), nullptr, false);
        QVERIFY(report.is_object());
        QCOMPARE(report.value("version", ""), std::string("1.0.1"));
        QCOMPARE(report["deltas"][0].value("size", 0), d.file.size);
        QCOMPARE(report["deltas"][0].value("from", ""), std::string("1.0.0"));
        QCOMPARE(report["deltas"][0].value("sha256", ""), d.file.sha256.toStdString());
        QCOMPARE(QString::fromStdString(report.value("channelFile", "")),
                 QFileInfo(feed + u"/channels/stable.json"_s).absoluteFilePath());

        // What the installed 1.0.0 accepts.
        feed::ClientView view;
        view.appId = u"deskpack-demo"_s;
        view.installedVersion = u"1.0.0"_s;
        view.trustedPublicKey = m_publicKey;
        view.now = c.issued + 1;
        Result<feed::FeedVerdict> verdict = feed::checkChannel(
            readAll(feed + u"/channels/stable.json"_s),
            readAll(feed + u"/channels/stable.json.minisig"_s), u"stable"_s, view, nullptr);
        QVERIFY2(verdict, verdict ? "" : qPrintable(verdict.error().message));
        QVERIFY(verdict->updateAvailable);
    }

    void stockMinisignVerifiesTheChannel()
    {
        const QString feed = m_work.filePath(u"feed"_s);
        if (QStandardPaths::findExecutable(u"minisign"_s).isEmpty())
            SKIP_OR_FAIL_IN_CI("minisign is not installed (apt install minisign)");
        const test::ProcessResult r = test::runProcess(
            u"minisign"_s, {u"-Vm"_s, feed + u"/channels/stable.json"_s, u"-P"_s, m_publicKey});
        QVERIFY2(r.exitCode == 0, QByteArray(r.out + r.err).constData());
        QVERIFY2(r.out.contains("channel:stable\tversion:1.0.1"), r.out.constData());
    }

    // feed-again is feed as it was after 1.0.0: releasing 1.0.1 there gives the same package,
    // delta, history, channel file and signature, byte for byte.
    void sameInputsSameBytes()
    {
        const QString a = m_work.filePath(u"feed"_s);
        const QString b = m_work.filePath(u"feed-again"_s);
        QCOMPARE(release(m_bundle[1], b).exitCode, 0);
        const auto left = snapshot(a), right = snapshot(b);
        QCOMPARE(left.keys(), right.keys());
        QVERIFY(left == right);
    }

    // Any static server serves a feed: tests/common/feedserver.py (the one
    // the client's fault tests use) gives back the channel file byte for byte,
    // and fails on cue.
    void theFeedIsServedAsStaticFiles()
    {
        const QString feed = m_work.filePath(u"feed"_s);
        test::FeedServer server;
        QVERIFY2(server.start(feed), qPrintable(server.error()));
        const QString fetch =
            u"import sys, urllib.request, urllib.error\n"
            "try:\n"
            "    sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())\n"
            "except urllib.error.HTTPError as e:\n"
            "    sys.exit(e.code - 400)\n"_s;
        const QString url = server.url() + u"/channels/stable.json"_s;
        test::ProcessResult r = test::runPythonScript(fetch, {url});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, readAll(feed + u"/channels/stable.json"_s));
        QVERIFY(server.setFaults(R"([{"path": "channels/stable.json", "mode": "404"}])"));
        QCOMPARE(test::runPythonScript(fetch, {url}).exitCode, 4);
        QCOMPARE(test::runPythonScript(fetch, {url}).exitCode, 0); // once only
    }

    // A bundle with a new key goes out on the old key's channel only with the
    // old key's endorsement, which copies trusting the old key accept.
    void rotationIsEndorsedByThePreviousKey()
    {
        const QString feed = m_work.filePath(u"feed-again"_s);
        Result<signing::PublicKey> next =
            signing::readPublicKeyFile(m_work.filePath(u"other.pub"_s));
        QVERIFY(next);
        const QString rotated = deriveBundle(m_bundle[1], m_work.filePath(u"demo-rotated"_s),
                                             u"1.0.2"_s, next->toBase64());
        QVERIFY(!rotated.isEmpty());
        test::ProcessResult r = release(rotated, feed, {u"--keep"_s, u"0"_s}, m_otherSecret);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("not signed by this key"), r.err.constData());

        const auto endorse = [&](const QString &secret) {
            Result<signing::SecretKey> key =
                signing::readSecretKeyFile(secret, [] { return Result<QByteArray>(QByteArray()); });
            Result<QByteArray> sig =
                key ? signing::signData(QByteArray(next->toBase64().toUtf8() + '\n'), *key,
                                        u"rotate"_s)
                    : Result<QByteArray>(key.error());
            const QString path = m_work.filePath(u"endorsement.minisig"_s);
            QFile f(path);
            if (sig && f.open(QIODevice::WriteOnly | QIODevice::Truncate))
                f.write(*sig);
            return path;
        };
        const QStringList rotation = {u"--keep"_s, u"0"_s, u"--rotate-from"_s, m_public,
                                      u"--endorsement"_s};
        r = release(rotated, feed, rotation + QStringList{endorse(m_otherSecret)}, m_otherSecret);
        QCOMPARE(r.exitCode, 2); // endorsed by itself
        QVERIFY2(r.err.contains("endorsement"), r.err.constData());
        r = release(rotated, feed, rotation + QStringList{endorse(m_secret)}, m_otherSecret);
        QVERIFY2(r.exitCode == 0, r.err.constData());

        feed::ClientView view;
        view.appId = u"deskpack-demo"_s;
        view.installedVersion = u"1.0.1"_s;
        view.trustedPublicKey = m_publicKey;
        view.now = 1800000001;
        Result<feed::FeedVerdict> verdict = feed::checkChannel(
            readAll(feed + u"/channels/stable.json"_s),
            readAll(feed + u"/channels/stable.json.minisig"_s), u"stable"_s, view, nullptr);
        QVERIFY2(verdict, verdict ? "" : qPrintable(verdict.error().message));
        QVERIFY(verdict->updateAvailable);
        QVERIFY(verdict->keyRotated);
        QCOMPARE(verdict->signedByKeyId, next->keyIdHex());
        // --keep 0: only the new package is left.
        QCOMPARE(QDir(feed + u"/packages"_s).entryList(QDir::Files).size(), 1);
        QVERIFY(QDir(feed + u"/deltas"_s).isEmpty());
    }

    // Re-running the current version with the same bytes rewrites the same files.
    void republishingTheSameBuildChangesNothing()
    {
        const QString feed = m_work.filePath(u"feed"_s);
        const auto before = snapshot(feed);
        QCOMPARE(release(m_bundle[1], feed).exitCode, 0);
        QVERIFY(snapshot(feed) == before);
    }

    void anotherKeyIsRefusedAndChangesNothing()
    {
        const QString feed = m_work.filePath(u"feed"_s);
        const auto before = snapshot(feed);
        const test::ProcessResult r = release(m_bundle[2], feed, {}, m_otherSecret);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("is not the key"), r.err.constData());
        QVERIFY(snapshot(feed) == before);
    }

    void anOlderVersionIsRefused()
    {
        const QString feed = m_work.filePath(u"feed"_s);
        const auto before = snapshot(feed);
        const test::ProcessResult r = release(m_bundle[0], feed);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("1.0.0 is older than 1.0.1"), r.err.constData());
        QVERIFY(snapshot(feed) == before);
    }

    void aChannelFileNotSignedByTheKeyIsNeverOverwritten()
    {
        const QString feed = m_work.filePath(u"feed-foreign"_s);
        QVERIFY(QDir().mkpath(feed + u"/channels"_s));
        QFile f(feed + u"/channels/stable.json"_s);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"schema\": 1}\n");
        f.close();
        const test::ProcessResult r = release(m_bundle[0], feed);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("channels/stable.json"), r.err.constData());
        QCOMPARE(readAll(feed + u"/channels/stable.json"_s), QByteArray("{\"schema\": 1}\n"));
        QVERIFY(QDir(feed + u"/packages"_s).isEmpty());
        // A feed path that is a file.
        QCOMPARE(release(m_bundle[0], m_public).exitCode, 2);
    }

    // Last: 1.0.2 on the feed of 1.0.0 and 1.0.1 keeps only the last two.
    void keepPrunesOldVersions()
    {
        const QString feed = m_work.filePath(u"feed"_s);
        QCOMPARE(release(m_bundle[2], feed, {u"--keep"_s, u"1"_s}).exitCode, 0);
        const feed::ChannelFeed c = channel(feed);
        QCOMPARE(c.version, u"1.0.2"_s);
        QCOMPARE(c.deltas.size(), 1u);
        QCOMPARE(c.deltas.front().fromVersion, u"1.0.1"_s);
        const QStringList packages = QDir(feed + u"/packages"_s).entryList(QDir::Files);
        QCOMPARE(packages.size(), 2);
        QVERIFY(!packages.join(u' ').contains(u"-1.0.0-"_s));
        QCOMPARE(QDir(feed + u"/deltas"_s).entryList(QDir::Files),
                 QStringList{u"deskpack-demo-1.0.1-to-1.0.2.delta"_s});
    }
};

QTEST_GUILESS_MAIN(TestRelease)
#include "tst_release.moc"
