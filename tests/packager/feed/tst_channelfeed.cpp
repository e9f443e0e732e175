// SPDX-License-Identifier: MIT
// Channel files: round trip, the version order, every rule an installed app
// applies (signature, rotation, app id, expiry, replay, newer, bad versions),
// and hostile channel files refused naming the file and the field.
#include "feed/channelfeed.h"
#include "signing/signing.h"

#include "common/jsonmutations.h"

#include <QTest>

using namespace deskpack;
using namespace deskpack::feed;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 Issued = 1'800'000'000;
constexpr qint64 Day = 86400;

ChannelFeed sample()
{
    ChannelFeed f;
    f.appId = u"demo"_s;
    f.channel = u"stable"_s;
    f.version = u"1.0.1"_s;
    f.notes = u"Fixes the greeting.\nSecond line: \"quoted\"."_s;
    f.issued = Issued;
    f.expires = Issued + 30 * Day;
    f.package = {u"packages/demo-1.0.1-linux-x86_64.tar.zst"_s, 123456, QString(64, u'a')};
    f.packageRoot = u"Demo App"_s;
    f.deltas = {{u"0.9"_s, {u"deltas/demo-0.9-to-1.0.1.delta"_s, 300, QString(64, u'b')}},
                {u"1.0.0"_s, {u"deltas/demo-1.0.0-to-1.0.1.delta"_s, 200, QString(64, u'c')}}};
    f.minimumDeltaVersion = u"0.9"_s;
    return f;
}

QByteArray sign(const QByteArray &data, const signing::SecretKey &key)
{
    Result<QByteArray> sig = signing::signData(data, key, u"timestamp:1\tfile:stable.json"_s);
    return sig ? *sig : QByteArray();
}

} // namespace

class TestChannelFeed : public QObject
{
    Q_OBJECT

    signing::SecretKey m_key = signing::SecretKey::generate();
    signing::SecretKey m_other = signing::SecretKey::generate();

    ClientView view() const
    {
        ClientView v;
        v.appId = u"demo"_s;
        v.installedVersion = u"1.0.0"_s;
        v.trustedPublicKey = m_key.publicKey().toBase64();
        v.lastSeenIssued = Issued - Day;
        v.now = Issued + Day;
        return v;
    }

    Result<FeedVerdict> check(const ChannelFeed &f, const ClientView &v,
                              const signing::SecretKey *by = nullptr)
    {
        const QByteArray bytes = serializeChannel(f);
        return checkChannel(bytes, sign(bytes, by ? *by : m_key), u"stable"_s, v, nullptr);
    }

    static void expectRefusal(const Result<FeedVerdict> &r, const QString &fragment)
    {
        QVERIFY(!r);
        QCOMPARE(r.error().kind, ErrorKind::Invalid);
        QVERIFY2(r.error().message.startsWith(u"channels/stable.json"_s),
                 qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(fragment), qPrintable(r.error().message));
    }

private Q_SLOTS:
    void roundTrip()
    {
        ChannelFeed f = sample();
        const QByteArray text = serializeChannel(f);
        Result<ChannelFeed> read = parseChannel(text, u"stable.json"_s);
        QVERIFY2(read, read ? "" : qPrintable(read.error().message));
        QCOMPARE(*read, f);
        QCOMPARE(serializeChannel(*read), text);
        QVERIFY(text.endsWith("}\n"));
        QVERIFY(text.indexOf("\"appId\"") < text.indexOf("\"version\"")); // sorted keys

        // Deltas are written in version order whatever order they were given in.
        std::swap(f.deltas[0], f.deltas[1]);
        QCOMPARE(serializeChannel(f), text);

        f.rotation = KeyRotation{m_other.publicKey().toBase64(), u"untrusted comment: x\n"_s};
        f.minimumDeltaVersion.clear();
        f.deltas.clear();
        read = parseChannel(serializeChannel(f), u"stable.json"_s);
        QVERIFY2(read, read ? "" : qPrintable(read.error().message));
        QCOMPARE(*read, f);
    }

    void versions_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<int>("order");
        QTest::newRow("patch") << u"1.0.0"_s << u"1.0.1"_s << -1;
        QTest::newRow("numeric") << u"1.9"_s << u"1.10"_s << -1;
        QTest::newRow("trailing zeros") << u"1.0"_s << u"1.0.0"_s << 0;
        QTest::newRow("shorter") << u"1"_s << u"1.0.1"_s << -1;
        QTest::newRow("alpha < beta") << u"1.0.0a1"_s << u"1.0.0b1"_s << -1;
        QTest::newRow("beta < rc") << u"1.0.0b2"_s << u"1.0.0rc1"_s << -1;
        QTest::newRow("rc < final") << u"1.0.0rc1"_s << u"1.0.0"_s << -1;
        QTest::newRow("alpha numbers") << u"1.0a2"_s << u"1.0a10"_s << -1;
        QTest::newRow("final < post") << u"1.0"_s << u"1.0.post1"_s << -1;
        QTest::newRow("post < next") << u"1.0.post9"_s << u"1.0.1"_s << -1;
        QTest::newRow("dev < alpha") << u"1.0.dev1"_s << u"1.0a1"_s << -1;
        QTest::newRow("previous < dev") << u"0.9"_s << u"1.0.dev1"_s << -1;
        QTest::newRow("alpha dev < alpha") << u"1.0a1.dev1"_s << u"1.0a1"_s << -1;
        QTest::newRow("post dev < post") << u"1.0.post1.dev1"_s << u"1.0.post1"_s << -1;
        QTest::newRow("final < post dev") << u"1.0"_s << u"1.0.post1.dev1"_s << -1;
        QTest::newRow("equal") << u"2.3.4"_s << u"2.3.4"_s << 0;
        QTest::newRow("invalid first") << u"banana"_s << u"0.0.1"_s << -1;
        QTest::newRow("invalid text order") << u"apple"_s << u"banana"_s << -1;
    }

    void versions()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(int, order);
        const auto sign = [](int v) {
            return v < 0 ? -1 : v > 0 ? 1 : 0;
        };
        QCOMPARE(sign(compareVersions(a, b)), order);
        QCOMPARE(sign(compareVersions(b, a)), -order);
    }

    void validVersions_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<bool>("valid");
        for (const char *v : {"1", "1.0", "1.0.0", "23.2.1", "1.0a1", "1.0.0rc2", "1.0.post1",
                              "1.0.dev3", "1.0b1.post2.dev3", "0"})
            QTest::newRow(v) << QString::fromLatin1(v) << true;
        for (const char *v : {"", "v1.0", "1.0 ", "1..0", "1.0-beta", "1.0+local", "../1", "1.0/x",
                              "1.0.0.", "1234567890", "1.0c1", "1.0A1"})
            QTest::newRow(v[0] ? v : "empty") << QString::fromLatin1(v) << false;
        QTest::newRow("long") << (u"1"_s + u".0"_s.repeated(40)) << false;
    }

    void validVersions()
    {
        QFETCH(QString, version);
        QFETCH(bool, valid);
        QCOMPARE(isValidVersion(version), valid);
    }

    void acceptsANewerVersion()
    {
        ChannelFeed parsed;
        const QByteArray bytes = serializeChannel(sample());
        Result<FeedVerdict> r =
            checkChannel(bytes, sign(bytes, m_key), u"stable"_s, view(), &parsed);
        QVERIFY2(r, r ? "" : qPrintable(r.error().message));
        QVERIFY(r->updateAvailable);
        QCOMPARE(r->version, u"1.0.1"_s);
        QCOMPARE(r->signedByKeyId, m_key.publicKey().keyIdHex());
        QVERIFY(!r->keyRotated);
        QVERIFY(r->reason.isEmpty());
        QCOMPARE(parsed, sample());
    }

    void refusesAnotherKey()
    {
        expectRefusal(check(sample(), view(), &m_other),
                      u"signed by key %1; this app trusts key %2"_s.arg(
                          m_other.publicKey().keyIdHex(), m_key.publicKey().keyIdHex()));
    }

    void refusesAlteredBytes()
    {
        const QByteArray bytes = serializeChannel(sample());
        const QByteArray sig = sign(bytes, m_key);
        QByteArray altered = bytes;
        altered.replace("1.0.1", "9.0.1");
        Result<FeedVerdict> r = checkChannel(altered, sig, u"stable"_s, view(), nullptr);
        expectRefusal(r, u"the signature does not match"_s);
        r = checkChannel(bytes, "untrusted comment: x\nnot base64\n", u"stable"_s, view(), nullptr);
        expectRefusal(r, u"stable.json.minisig"_s);
        ClientView noKey = view();
        noKey.trustedPublicKey.clear();
        expectRefusal(check(sample(), noKey), u"this app declares no valid signing key"_s);
    }

    void acceptsAnEndorsedRotation()
    {
        ChannelFeed f = sample();
        const QString next = m_other.publicKey().toBase64();
        f.rotation = KeyRotation{next, QString::fromUtf8(sign(next.toUtf8() + '\n', m_key))};
        Result<FeedVerdict> r = check(f, view(), &m_other);
        QVERIFY2(r, r ? "" : qPrintable(r.error().message));
        QVERIFY(r->keyRotated);
        QCOMPARE(r->signedByKeyId, m_other.publicKey().keyIdHex());
        QVERIFY(r->updateAvailable);
    }

    void refusesAnUnendorsedRotation()
    {
        ChannelFeed f = sample();
        const QString next = m_other.publicKey().toBase64();
        // Endorsed by the new key itself, not by the trusted one.
        f.rotation = KeyRotation{next, QString::fromUtf8(sign(next.toUtf8() + '\n', m_other))};
        expectRefusal(check(f, view(), &m_other), u"a rotation this app's key"_s);
        // Endorsing another text than the key and a newline.
        f.rotation = KeyRotation{next, QString::fromUtf8(sign(next.toUtf8(), m_key))};
        expectRefusal(check(f, view(), &m_other), u"did not endorse"_s);
        // A third key signs while the rotation names the second.
        const signing::SecretKey third = signing::SecretKey::generate();
        f.rotation = KeyRotation{next, QString::fromUtf8(sign(next.toUtf8() + '\n', m_key))};
        expectRefusal(check(f, view(), &third), u"this app trusts key"_s);
    }

    void refusesAnotherApp()
    {
        ChannelFeed f = sample();
        f.appId = u"other"_s;
        expectRefusal(check(f, view()), u"a feed for app \"other\", not \"demo\""_s);
    }

    void refusesAnotherChannel()
    {
        ChannelFeed f = sample();
        f.channel = u"beta"_s;
        expectRefusal(check(f, view()), u"a feed for channel \"beta\", not \"stable\""_s);
    }

    void refusesAnExpiredFeed()
    {
        ClientView v = view();
        v.now = sample().expires;
        expectRefusal(check(sample(), v),
                      u"expired on 2027-02-14 08:00:00 UTC: the publisher has not renewed it; "
                      "refusing a frozen feed"_s);
    }

    void refusesAReplayedFeed()
    {
        ClientView v = view();
        v.lastSeenIssued = Issued + 1;
        expectRefusal(check(sample(), v),
                      u"older than a feed already seen here (issued 2027-01-15 08:00:00 UTC < "
                      "2027-01-15 08:00:01 UTC): refusing a replayed feed"_s);
        v.lastSeenIssued = Issued; // the same feed again is fine
        QVERIFY(check(sample(), v));
    }

    void noUpdateWithAReason_data()
    {
        QTest::addColumn<QString>("installed");
        QTest::addColumn<QStringList>("bad");
        QTest::addColumn<QString>("reason");
        QTest::newRow("same") << u"1.0.1"_s << QStringList() << u"1.0.1 is installed: up to date"_s;
        QTest::newRow("older") << u"1.2"_s << QStringList()
                               << u"the channel offers 1.0.1, older than the installed 1.2"_s;
        QTest::newRow("bad") << u"1.0.0"_s << QStringList{u"1.0.1"_s}
                             << u"1.0.1 failed to start here before: waiting for a newer"_s;
    }

    void noUpdateWithAReason()
    {
        QFETCH(QString, installed);
        QFETCH(QStringList, bad);
        QFETCH(QString, reason);
        ClientView v = view();
        v.installedVersion = installed;
        v.badVersions = bad;
        Result<FeedVerdict> r = check(sample(), v);
        QVERIFY2(r, r ? "" : qPrintable(r.error().message));
        QVERIFY(!r->updateAvailable);
        QVERIFY2(r->reason.startsWith(reason), qPrintable(r->reason));
    }

    void anExplicitRequestSkipsNewerAndSeen()
    {
        ClientView v = view();
        v.installedVersion = u"1.2"_s;
        v.lastSeenIssued = Issued + Day;
        v.requestedVersion = u"1.0.1"_s;
        Result<FeedVerdict> r = check(sample(), v);
        QVERIFY2(r, r ? "" : qPrintable(r.error().message));
        QVERIFY(r->updateAvailable);
        v.requestedVersion = u"1.0.2"_s;
        r = check(sample(), v);
        QVERIFY(r);
        QVERIFY(!r->updateAvailable);
        QVERIFY2(r->reason.contains(u"not the requested 1.0.2"_s), qPrintable(r->reason));
        // Never past the signature or the expiry.
        v.requestedVersion = u"1.0.1"_s;
        expectRefusal(check(sample(), v, &m_other), u"signed by key"_s);
        v.now = sample().expires + 1;
        expectRefusal(check(sample(), v), u"expired on"_s);
    }

    void hostileChannelFiles_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("fragment");
        const QByteArray base = serializeChannel(sample());
        const auto with = [&](const char *from, const char *to) {
            QByteArray b = base;
            if (!b.contains(from))
                qFatal("no %s in the sample", from);
            return b.replace(from, to);
        };
        QTest::newRow("package outside") << with("packages/demo-1.0.1", "packages/../../demo-1.0.1")
                                         << u"$.package.path: expected a file name in packages/"_s;
        QTest::newRow("package absolute") << with("packages/demo-1.0.1", "/etc/demo-1.0.1")
                                          << u"$.package.path: expected a file name"_s;
        QTest::newRow("package in deltas")
            << with("packages/demo-1.0.1", "deltas/demo-1.0.1") << u"$.package.path"_s;
        QTest::newRow("delta hidden")
            << with("deltas/demo-1.0.0", "deltas/.demo-1.0.0") << u"$.deltas[1].path"_s;
        QTest::newRow("delta backslash")
            << with("deltas/demo-1.0.0", "deltas/..\\\\demo-1.0.0") << u"$.deltas[1].path"_s;
        QTest::newRow("bad version") << with("\"version\": \"1.0.1\"", "\"version\": \"1.0.1/..\"")
                                     << u"$.version: expected a version"_s;
        QTest::newRow("two deltas from one version")
            << with("\"from\": \"0.9\"", "\"from\": \"1.0.0\"")
            << u"$.deltas[1].from: a second delta from 1.0.0"_s;
        QTest::newRow("expires before issued")
            << with("\"expires\": 1802592000", "\"expires\": 1700000000")
            << u"$.expires: not after \"issued\""_s;
        QTest::newRow("root with slash")
            << with("\"Demo App\"", "\"a/b\"") << u"$.packageRoot: expected one directory name"_s;
        QTest::newRow("root dotdot")
            << with("\"Demo App\"", "\"..\"") << u"$.packageRoot: expected one directory name"_s;
        QTest::newRow("app id") << with("\"appId\": \"demo\"", "\"appId\": \"../demo\"")
                                << u"$.appId: expected an app id"_s;
        QTest::newRow("schema 2") << with("\"schema\": 1", "\"schema\": 2")
                                  << u"unsupported schema 2"_s;
        QTest::newRow("size negative")
            << with("\"size\": 123456", "\"size\": -1") << u"$.package.size: expected an integer"_s;
        QTest::newRow("rotation key")
            << with("\"rotation\": null", "\"rotation\": {\"publicKey\": \"RW\", "
                                          "\"endorsement\": \"x\"}")
            << u"$.rotation.publicKey: expected a minisign public key"_s;
        QTest::newRow("huge") << QByteArray(MaxChannelBytes + 1, ' ') << u"larger than"_s;
    }

    void hostileChannelFiles()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, fragment);
        Result<ChannelFeed> r = parseChannel(json, u"feed/channels/stable.json"_s);
        QVERIFY(!r);
        QCOMPARE(r.error().kind, ErrorKind::Unreadable);
        QVERIFY2(r.error().message.startsWith(u"feed/channels/stable.json"_s),
                 qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(fragment), qPrintable(r.error().message));
    }

    // Every value replaced by every other type, every key dropped or doubled:
    // each either parses or is refused naming the file and the field.
    void everyMutationEndsCleanly()
    {
        ChannelFeed f = sample();
        f.rotation = KeyRotation{m_other.publicKey().toBase64(), u"x"_s};
        const auto doc = nlohmann::json::parse(serializeChannel(f).toStdString());
        auto corpus = test::typeMutations(doc);
        const auto broken = test::brokenTexts(doc);
        corpus.insert(corpus.end(), broken.begin(), broken.end());
        QVERIFY(corpus.size() > 200);
        const QString file = u"channels/stable.json"_s;
        QStringList bad;
        int refused = 0;
        for (const test::JsonMutation &mutation : corpus) {
            Result<ChannelFeed> r = parseChannel(mutation.text, file);
            if (r)
                continue;
            ++refused;
            if (!test::namesFileAndPath(r.error().message, file, mutation.paths) &&
                !(mutation.paths.isEmpty() && r.error().message.startsWith(file)))
                bad.append(mutation.description + u": "_s + r.error().message.left(300));
        }
        qInfo("%d channel mutations, %d refused", int(corpus.size()), refused);
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join(u'\n')));
        QVERIFY(refused > int(corpus.size()) / 2);
    }
};

QTEST_GUILESS_MAIN(TestChannelFeed)
#include "tst_channelfeed.moc"
