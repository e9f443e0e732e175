// SPDX-License-Identifier: MIT
// base/sha256.h (libcrypto) against the FIPS 180-2 vectors and against Qt's
// implementation on streamed input of odd sizes; sha256OfFile over it.
#include "base/filehash.h"
#include "base/sha256.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

class TestSha256 : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void knownVectors_data();
    void knownVectors();
    void streamedMatchesQt();
    void fileHash();
};

void TestSha256::knownVectors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("hex");
    QTest::newRow("empty") << QByteArray()
                           << u"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"_s;
    QTest::newRow("abc") << QByteArray("abc")
                         << u"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"_s;
    QTest::newRow("two blocks")
        << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        << u"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"_s;
    QTest::newRow("a million a")
        << QByteArray(1000000, 'a')
        << u"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"_s;
}

void TestSha256::knownVectors()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, hex);
    QCOMPARE(deskpack::Sha256::hashHex(input), hex);
    QCOMPARE(deskpack::Sha256::hash(input).size(), 32);
}

void TestSha256::streamedMatchesQt()
{
    QByteArray data(3 * 1024 * 1024 + 17, Qt::Uninitialized);
    QRandomGenerator generator(17);
    for (char &c : data)
        c = char(generator.generate());
    for (qsizetype chunk : {1, 63, 64, 65, 4096, 1 << 20}) {
        deskpack::Sha256 sha;
        for (qsizetype at = 0; at < data.size(); at += chunk)
            sha.addData(QByteArrayView(data).sliced(at, qMin(chunk, data.size() - at)));
        QCOMPARE(sha.result(), QCryptographicHash::hash(data, QCryptographicHash::Sha256));
        if (chunk == 1)
            data.truncate(70000); // one byte at a time over 3 MiB would only cost time
    }
}

void TestSha256::fileHash()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"f"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    const QByteArray data(2 * 1024 * 1024 + 5, 'x');
    file.write(data);
    file.close();
    deskpack::Result<QString> hex = deskpack::sha256OfFile(path);
    QVERIFY(hex);
    QCOMPARE(*hex, QString::fromLatin1(
                       QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()));
    QVERIFY(!deskpack::sha256OfFile(dir.filePath(u"missing"_s)));
}

QTEST_GUILESS_MAIN(TestSha256)
#include "tst_sha256.moc"
