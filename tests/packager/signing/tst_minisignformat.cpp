// SPDX-License-Identifier: MIT
// deskpack::signing in-process: minisign's formats byte for byte (vectors
// made by minisign 0.11), round trips, and every kind of bad input.
#include "minisignvectors.h"
#include "signing/signing.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace deskpack;
using namespace deskpack::signing;
namespace vectors = deskpack::test::vectors;

namespace {

PublicKey vectorKey()
{
    Result<PublicKey> key = parsePublicKey(QString::fromLatin1(vectors::publicKey), u"-P"_s);
    return key ? *key : PublicKey{};
}

SecretKey vectorSecretKey()
{
    Result<SecretKey> key = parseSecretKey(vectors::secretKeyFile, u"v.sec"_s, {});
    return key ? std::move(*key) : SecretKey();
}

QByteArray line(const QByteArray &text, int index)
{
    return text.split('\n').value(index);
}

QByteArray withLine(QByteArray text, int index, const QByteArray &replacement)
{
    QList<QByteArray> lines = text.split('\n');
    lines[index] = replacement;
    return lines.join('\n');
}

// Line 2 of a .minisig re-encoded with its first two bytes replaced.
QByteArray withAlgorithm(const QByteArray &text, const QByteArray &algorithm)
{
    QByteArray bytes = QByteArray::fromBase64(line(text, 1));
    bytes.replace(0, 2, algorithm);
    return withLine(text, 1, bytes.toBase64());
}

QByteArray writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
        qFatal("cannot write a test file");
    return data;
}

} // namespace

class TestMinisignFormat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void publicKeyMatchesMinisign()
    {
        const PublicKey key = vectorKey();
        QCOMPARE(key.keyIdHex().toLatin1(), vectors::keyIdHex);
        QCOMPARE(key.toBase64().toLatin1(), vectors::publicKey);
        QCOMPARE(key.fileText(), vectors::publicKeyFile);
        Result<PublicKey> fromFile =
            parsePublicKey(QString::fromLatin1(vectors::publicKeyFile), u"v.pub"_s);
        QVERIFY2(fromFile, qPrintable(fromFile ? QString() : fromFile.error().message));
        QVERIFY(*fromFile == key);
    }

    void keyIdHexHasNoLeadingZeros()
    {
        PublicKey key{QByteArray("\x01\x02\x03\x04\x05\x06\x07\x00", 8), QByteArray(32, 'k')};
        QCOMPARE(key.keyIdHex(), u"7060504030201"_s); // minisign's PRIX64
    }

    void secretKeyFromMinisignSignsIdentically()
    {
        const SecretKey key = vectorSecretKey();
        QVERIFY(!key.isNull());
        QVERIFY(key.publicKey() == vectorKey());
        // Ed25519 is deterministic: the same key, data and comments give
        // minisign's exact bytes.
        Result<QByteArray> ed = signData(vectors::message, key, u"vector ED"_s,
                                         u"signature from minisign secret key"_s);
        QVERIFY(ed);
        QCOMPARE(*ed, vectors::prehashed);
        Result<QByteArray> legacy =
            signData(vectors::message, key, u"vector Ed"_s, u"signature from minisign secret key"_s,
                     SignatureAlgorithm::Legacy);
        QVERIFY(legacy);
        QCOMPARE(*legacy, vectors::legacy);
    }

    void verifiesMinisignSignatures()
    {
        Result<SignatureInfo> ed =
            verifySignature(vectors::message, vectors::prehashed, vectorKey(), u"ed.minisig"_s);
        QVERIFY2(ed, qPrintable(ed ? QString() : ed.error().message));
        QCOMPARE(ed->trustedComment, u"vector ED"_s);
        QCOMPARE(ed->untrustedComment, u"signature from minisign secret key"_s);
        QCOMPARE(ed->keyIdHex, u"544D0A6FEEE05E62"_s);
        QVERIFY(!ed->legacy);
        Result<SignatureInfo> legacy =
            verifySignature(vectors::message, vectors::legacy, vectorKey(), u"l.minisig"_s);
        QVERIFY(legacy);
        QVERIFY(legacy->legacy);
        // CRLF line ends (a file that went through a Windows checkout) still verify.
        QByteArray crlf = vectors::prehashed;
        crlf.replace("\n", "\r\n");
        QVERIFY(verifySignature(vectors::message, crlf, vectorKey(), u"crlf"_s));
    }

    void fileSignatureStreamsLikeData()
    {
        QTemporaryDir dir;
        const QByteArray data =
            writeFile(dir.filePath(u"big.bin"_s), QByteArray(3 * 1024 * 1024 + 17, 'x') + "tail");
        const SecretKey key = vectorSecretKey();
        Result<QByteArray> fromFile = signFile(dir.filePath(u"big.bin"_s), key, u"c"_s);
        Result<QByteArray> fromData = signData(data, key, u"c"_s);
        QVERIFY(fromFile && fromData);
        QCOMPARE(*fromFile, *fromData);
        QVERIFY(
            verifyFileSignature(dir.filePath(u"big.bin"_s), *fromFile, key.publicKey(), u"s"_s));
    }

    void secretKeyFileRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("password");
        QTest::newRow("encrypted") << QByteArray("correct horse");
        QTest::newRow("unencrypted") << QByteArray();
    }

    void secretKeyFileRoundTrip()
    {
        QFETCH(QByteArray, password);
        const SecretKey key = SecretKey::generate();
        Result<QByteArray> text = secretKeyFileText(key, password, KdfCost::interactive());
        QVERIFY(text);
        QCOMPARE(line(*text, 0).startsWith("untrusted comment: minisign "), true);
        const QByteArray raw = QByteArray::fromBase64(line(*text, 1));
        QCOMPARE(raw.size(), 158);
        QCOMPARE(raw.mid(0, 6), password.isEmpty() ? QByteArray("Ed\0\0B2", 6) : "EdScB2");
        int asked = 0;
        Result<SecretKey> back = parseSecretKey(*text, u"k.sec"_s, [&]() -> Result<QByteArray> {
            ++asked;
            return password;
        });
        QVERIFY2(back, qPrintable(back ? QString() : back.error().message));
        QCOMPARE(asked, password.isEmpty() ? 0 : 1);
        QVERIFY(back->publicKey() == key.publicKey());
    }

    void wrongPassword()
    {
        Result<QByteArray> text =
            secretKeyFileText(SecretKey::generate(), "right", KdfCost::interactive());
        QVERIFY(text);
        Result<SecretKey> back = parseSecretKey(
            *text, u"KEY.sec"_s, []() -> Result<QByteArray> { return QByteArray("wrong"); });
        QVERIFY(!back);
        QCOMPARE(back.error().message, u"wrong password for KEY.sec"_s);
        QCOMPARE(back.error().kind, ErrorKind::Unreadable);
    }

    void badSecretKey_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        const QByteArray good = vectors::secretKeyFile;
        const QByteArray raw = QByteArray::fromBase64(line(good, 1));
        const auto patched = [&](int at, const QByteArray &bytes) {
            QByteArray r = raw;
            r.replace(at, bytes.size(), bytes);
            return withLine(good, 1, r.toBase64());
        };
        QTest::newRow("other signature algorithm")
            << patched(0, "Xy") << u"unsupported signature algorithm \"Xy\""_s;
        QTest::newRow("other kdf") << patched(2, "Ar") << u"unsupported key derivation \"Ar\""_s;
        QTest::newRow("other checksum")
            << patched(4, "S2") << u"unsupported checksum algorithm \"S2\""_s;
        QTest::newRow("flipped secret byte") << patched(70, "\x55") << u"corrupt secret key"_s;
        QTest::newRow("truncated base64")
            << withLine(good, 1, line(good, 1).left(100))
            << u"line 2: secret key is 75 bytes, expected 158 (truncated)"_s;
        QTest::newRow("one line") << line(good, 0) << u"truncated"_s;
        QTest::newRow("junk after") << good + "more\n" << u"line 3: unexpected text"_s;
        QTest::newRow("not base64")
            << withLine(good, 1, "RW?!") << u"line 2: secret key is not base64"_s;
        QTest::newRow("a public key")
            << vectors::publicKeyFile << u"secret key is 42 bytes, expected 158"_s;
        QTest::newRow("encrypted, no password")
            << patched(2, "Sc") << u"is encrypted: a password is needed"_s;
        QTest::newRow("huge scrypt") << patched(2, "ScB2" + raw.mid(6, 40) + QByteArray(8, '\xff'))
                                     << u"refusing more than 4096 MiB"_s;
    }

    void badSecretKey()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        Result<SecretKey> key = parseSecretKey(text, u"KEY.sec"_s, {});
        QVERIFY(!key);
        QVERIFY2(key.error().message.contains(expected), qPrintable(key.error().message));
        QVERIFY(key.error().message.contains(u"KEY.sec"_s));
    }

    void badPublicKey_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        const QString good = QString::fromLatin1(vectors::publicKey);
        QTest::newRow("empty") << QString() << u"missing"_s;
        QTest::newRow("junk") << u"not a key"_s << u"not base64"_s;
        QTest::newRow("short") << good.left(40) << u"expected 42 (truncated)"_s;
        QTest::newRow("trailing base64") << good + u"AAAA"_s << u"45 bytes, expected 42"_s;
        QTest::newRow("trailing line") << QString::fromLatin1(vectors::publicKeyFile) + u"junk\n"_s
                                       << u"line 3: unexpected text"_s;
        QTest::newRow("no comment") << u"hello\nworld\n"_s << u"not a minisign public key"_s;
        const QByteArray other = "Xy" + QByteArray::fromBase64(vectors::publicKey).mid(2);
        QTest::newRow("other algorithm")
            << QString::fromLatin1(other.toBase64()) << u"unsupported signature algorithm \"Xy\""_s;
        QTest::newRow("secret key text")
            << QString::fromLatin1(vectors::secretKeyFile) << u"158 bytes, expected 42"_s;
    }

    void badPublicKey()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        Result<PublicKey> key = parsePublicKey(text, u"KEY.pub"_s);
        QVERIFY(!key);
        QVERIFY2(key.error().message.contains(expected), qPrintable(key.error().message));
        QVERIFY(key.error().message.startsWith(u"KEY.pub"_s));
        QCOMPARE(key.error().kind, ErrorKind::Unreadable);
    }

    void badSignature_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QByteArray>("minisig");
        QTest::addColumn<QString>("expected");
        const QByteArray m = vectors::message, good = vectors::prehashed;
        QTest::newRow("another file")
            << QByteArray("other\n") << good << u"the signature does not match the data"_s;
        QTest::newRow("comment altered") << m << withLine(good, 2, "trusted comment: vector EX")
                                         << u"trusted comment's signature does not verify"_s;
        QTest::newRow("empty") << m << QByteArray() << u"empty"_s;
        QTest::newRow("gpg")
            << m
            << QByteArray("-----BEGIN PGP SIGNATURE-----\n\niQEz\n-----END PGP SIGNATURE-----\n")
            << u"OpenPGP"_s;
        QTest::newRow("signify")
            << m
            << QByteArray(line(good, 0) + '\n' + withAlgorithm(good, "Ed").split('\n')[1] + '\n')
            << u"truncated after line 2: no trusted comment (a signify signature?"_s;
        QTest::newRow("three lines")
            << m << QByteArray(good.split('\n').mid(0, 3).join('\n') + '\n')
            << u"truncated after line 3"_s;
        QTest::newRow("truncated base64")
            << m << withLine(good, 1, line(good, 1).left(60))
            << u"line 2: the signature is 45 bytes, expected 74 (truncated)"_s;
        QTest::newRow("bad base64")
            << m << withLine(good, 1, "R*D") << u"line 2: the signature is not base64"_s;
        QTest::newRow("unpadded") << m << withLine(good, 1, line(good, 1).chopped(1))
                                  << u"not canonical base64"_s;
        QTest::newRow("unsupported algorithm")
            << m << withAlgorithm(good, "XX")
            << u"line 2: unsupported signature algorithm \"XX\""_s;
        QTest::newRow("binary algorithm") << m << withAlgorithm(good, QByteArray("\x01\x02", 2))
                                          << u"unsupported signature algorithm 0x0102"_s;
        QTest::newRow("no untrusted prefix") << m << withLine(good, 0, "comment: x")
                                             << u"line 1: expected \"untrusted comment: ...\""_s;
        QTest::newRow("no trusted prefix")
            << m << withLine(good, 2, "vector ED")
            << u"line 3: expected a line starting with \"trusted comment: \""_s;
        QTest::newRow("global truncated")
            << m << withLine(good, 3, line(good, 3).left(40))
            << u"line 4: the trusted comment's signature is 30 bytes, expected 64"_s;
        QTest::newRow("trailing text") << m << good + "extra\n" << u"line 5: unexpected text"_s;
        QTest::newRow("10 KB comment")
            << m << withLine(good, 0, "untrusted comment: " + QByteArray(10000, 'a'))
            << u"line 1: longer than 8192 bytes"_s;
        QTest::newRow("legacy as prehashed")
            << m << withAlgorithm(vectors::legacy, "ED") << u"does not match"_s;
    }

    void badSignature()
    {
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, minisig);
        QFETCH(QString, expected);
        Result<SignatureInfo> info = verifySignature(data, minisig, vectorKey(), u"F.minisig"_s);
        QVERIFY(!info);
        QVERIFY2(info.error().message.contains(expected), qPrintable(info.error().message));
        QVERIFY(info.error().message.startsWith(u"F.minisig"_s));
        QCOMPARE(info.error().kind, ErrorKind::Invalid);
    }

    void signatureByAnotherKey()
    {
        const SecretKey other = SecretKey::generate();
        Result<QByteArray> sig = signData(vectors::message, other, u"c"_s);
        QVERIFY(sig);
        Result<SignatureInfo> info = verifySignature(vectors::message, *sig, vectorKey(), u"F"_s);
        QVERIFY(!info);
        QCOMPARE(info.error().message, u"F: signed by key %1, expected key 544D0A6FEEE05E62"_s.arg(
                                           other.publicKey().keyIdHex()));
        Result<QString> id = signatureKeyIdHex(*sig, u"F"_s);
        QVERIFY(id);
        QCOMPARE(*id, other.publicKey().keyIdHex());
        QVERIFY(!signatureKeyIdHex("untrusted comment: x\n", u"F"_s));
    }

    void hugeCommentLineIsNotReadWhole()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"huge.minisig"_s);
        writeFile(path, "untrusted comment: " + QByteArray(10 * 1024 * 1024, 'a') + '\n');
        Result<QByteArray> text = readSignatureFile(path);
        QVERIFY(text);
        QVERIFY(text->size() < 64 * 1024);
        Result<SignatureInfo> info = verifySignature(vectors::message, *text, vectorKey(), path);
        QVERIFY(!info);
        QVERIFY2(info.error().message.contains(u"line 1: longer than 8192 bytes"_s),
                 qPrintable(info.error().message));
    }

    void commentsMinisignCanReadBack()
    {
        const SecretKey key = vectorSecretKey();
        QVERIFY(!signData("x", key, u"two\nlines"_s));
        QVERIFY(!signData("x", key, u"c"_s, u"two\rlines"_s));
        QVERIFY(signData("x", key, QString(MaxTrustedCommentBytes, u't')));
        QVERIFY(!signData("x", key, QString(MaxTrustedCommentBytes + 1, u't')));
        QVERIFY(signData("x", key, u"c"_s, QString(MaxUntrustedCommentBytes, u'u')));
        QVERIFY(!signData("x", key, u"c"_s, QString(MaxUntrustedCommentBytes + 1, u'u')));
    }

    void defaultTrustedCommentUsesSourceDateEpoch()
    {
        qputenv("SOURCE_DATE_EPOCH", "1700000000");
        QCOMPARE(defaultTrustedComment(u"app%1.zip"_s, 42),
                 u"timestamp:1700000000\tfile:app%1.zip\tsize:42"_s);
        qunsetenv("SOURCE_DATE_EPOCH");
    }

    void keyFiles()
    {
        QTemporaryDir dir;
        const QString pub = dir.filePath(u"k.pub"_s), sec = dir.filePath(u"k.sec"_s);
        KeyGenOptions options{"pw", KdfCost::interactive(), false};
        Result<PublicKey> key = generateKeyFiles(pub, sec, options);
        QVERIFY2(key, qPrintable(key ? QString() : key.error().message));
        QCOMPARE(QFile::permissions(sec) & 0x0077, QFileDevice::Permissions());
        Result<PublicKey> readBack = readPublicKeyFile(pub);
        QVERIFY(readBack && *readBack == *key);
        Result<SecretKey> secret =
            readSecretKeyFile(sec, []() -> Result<QByteArray> { return QByteArray("pw"); });
        QVERIFY(secret && secret->publicKey() == *key);
        Result<PublicKey> again = generateKeyFiles(pub, sec, options);
        QVERIFY(!again);
        QVERIFY(again.error().message.contains(u"already exists; pass --force"_s));
        Result<PublicKey> readAgain = readPublicKeyFile(pub);
        QVERIFY(readAgain && *readAgain == *key);
        options.force = true;
        Result<PublicKey> forced = generateKeyFiles(pub, sec, options);
        QVERIFY(forced && !(*forced == *key));
    }
};

QTEST_GUILESS_MAIN(TestMinisignFormat)
#include "tst_minisignformat.moc"
