// SPDX-License-Identifier: MIT
// `deskpack keygen|sign|verify-signature` against Debian's minisign 0.11,
// both ways: each signs, the other verifies; a tampered file fails in both.
#include "signtestutil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace deskpack::test;

class TestMinisignInterop : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

    void checkBothVerify(const QString &file, const QString &pub, const QString &sig)
    {
        const ProcessResult ours =
            runDeskpack({u"verify-signature"_s, file, u"-p"_s, pub, u"-x"_s, sig});
        QVERIFY2(ours.exitCode == 0, ours.err.constData());
        QVERIFY(ours.out.contains("signature verified"));
        const ProcessResult theirs =
            runMinisign({u"-V"_s, u"-m"_s, file, u"-p"_s, pub, u"-x"_s, sig});
        QVERIFY2(theirs.exitCode == 0, theirs.err.constData());
        // A tampered copy fails in both.
        const QString tampered = path(u"tampered.bin"_s);
        QByteArray data = readAll(file);
        data[data.size() / 2] = char(data[data.size() / 2] ^ 1);
        writeAll(tampered, data);
        const ProcessResult oursBad =
            runDeskpack({u"verify-signature"_s, tampered, u"-p"_s, pub, u"-x"_s, sig});
        QCOMPARE(oursBad.exitCode, 1);
        QVERIFY2(oursBad.err.contains("the signature does not match"), oursBad.err.constData());
        const ProcessResult theirsBad =
            runMinisign({u"-V"_s, u"-m"_s, tampered, u"-p"_s, pub, u"-x"_s, sig});
        QVERIFY(theirsBad.exitCode != 0);
    }

private Q_SLOTS:
    void initTestCase()
    {
        REQUIRE_MINISIGN();
        QVERIFY(m_dir.isValid());
        QByteArray data(2 * 1024 * 1024 + 5, '\0');
        for (qsizetype i = 0; i < data.size(); ++i)
            data[i] = char((i * 131) ^ (i >> 7));
        writeAll(path(u"app.bin"_s), data);
    }

    // deskpack keygen (-W and encrypted) -> minisign -S with that key -> both verify.
    void deskpackKeysSignWithMinisign_data()
    {
        QTest::addColumn<QByteArray>("password");
        QTest::newRow("unencrypted") << QByteArray();
        QTest::newRow("encrypted") << QByteArray("s3cret pass");
    }

    void deskpackKeysSignWithMinisign()
    {
        QFETCH(QByteArray, password);
        const QString tag = password.isEmpty() ? u"w"_s : u"e"_s;
        const QString pub = path(tag + u".pub"_s), sec = path(tag + u".sec"_s);
        QStringList args{u"keygen"_s, u"-p"_s, pub, u"-s"_s, sec};
        if (password.isEmpty())
            args << u"-W"_s;
        const ProcessResult gen = runDeskpack(args, withPassword(password));
        QVERIFY2(gen.exitCode == 0, gen.err.constData());
        const QString sig = path(tag + u"-minisign.minisig"_s);
        const ProcessResult sign =
            runMinisign({u"-S"_s, u"-s"_s, sec, u"-m"_s, path(u"app.bin"_s), u"-x"_s, sig},
                        password.isEmpty() ? QByteArray() : password + '\n');
        QVERIFY2(sign.exitCode == 0, sign.err.constData());
        checkBothVerify(path(u"app.bin"_s), pub, sig);
    }

    // minisign keys: deskpack sign -> minisign -V; minisign -S (and -l) -> deskpack.
    void minisignKeyBothWays()
    {
        const QString pub = path(u"m.pub"_s), sec = path(u"m.sec"_s);
        const ProcessResult gen = runMinisign({u"-G"_s, u"-W"_s, u"-p"_s, pub, u"-s"_s, sec});
        QVERIFY2(gen.exitCode == 0, gen.err.constData());
        const ProcessResult ours =
            runDeskpack({u"sign"_s, path(u"app.bin"_s), u"-s"_s, sec}, withPassword({}));
        QVERIFY2(ours.exitCode == 0, ours.err.constData());
        checkBothVerify(path(u"app.bin"_s), pub, path(u"app.bin.minisig"_s));
        for (const QString &legacy : {QString(), u"-l"_s}) {
            const QString sig = path(u"m%1.minisig"_s.arg(legacy));
            QStringList args{u"-S"_s, u"-s"_s, sec, u"-m"_s, path(u"app.bin"_s), u"-x"_s, sig};
            if (!legacy.isEmpty())
                args << legacy;
            QVERIFY(runMinisign(args).exitCode == 0);
            const ProcessResult json = runDeskpack({u"verify-signature"_s, path(u"app.bin"_s),
                                                    u"-p"_s, pub, u"-x"_s, sig, u"--json"_s});
            QVERIFY2(json.exitCode == 0, json.err.constData());
            QVERIFY(json.out.contains(legacy.isEmpty() ? "\"legacy\": false" : "\"legacy\": true"));
            checkBothVerify(path(u"app.bin"_s), pub, sig);
        }
    }

    // minisign -G with a password (1 GiB scrypt: once) -> deskpack sign -> minisign -V.
    void minisignEncryptedKey()
    {
        const QString pub = path(u"me.pub"_s), sec = path(u"me.sec"_s);
        const ProcessResult gen =
            runMinisign({u"-G"_s, u"-p"_s, pub, u"-s"_s, sec}, "pass word\npass word\n");
        QVERIFY2(gen.exitCode == 0, gen.err.constData());
        const ProcessResult wrong =
            runDeskpack({u"sign"_s, path(u"app.bin"_s), u"-s"_s, sec}, withPassword("nope"));
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY(wrong.err.contains(QByteArray("wrong password for " + sec.toUtf8())));
        const QString copy = path(u"copy.bin"_s);
        writeAll(copy, readAll(path(u"app.bin"_s)));
        const ProcessResult sign =
            runDeskpack({u"sign"_s, copy, u"-s"_s, sec}, withPassword("pass word"));
        QVERIFY2(sign.exitCode == 0, sign.err.constData());
        checkBothVerify(copy, pub, copy + u".minisig"_s);
    }
};

QTEST_GUILESS_MAIN(TestMinisignInterop)
#include "tst_minisigninterop.moc"
