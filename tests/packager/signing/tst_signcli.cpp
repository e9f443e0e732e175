// SPDX-License-Identifier: MIT
// `deskpack keygen|sign|verify-signature` as a user meets them: exit codes,
// messages naming the file, nothing written on bad input, reproducible
// output, --json, and no secret in any output.
#include "signtestutil.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace deskpack::test;

class TestSignCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QByteArray m_allOutput; // every stdout and stderr of this suite
    const QByteArray m_password = "pw-Kx8Zq-never-printed";

    QString path(const QString &name) const { return m_dir.filePath(name); }
    ProcessResult run(const QStringList &args, const QByteArray &password = {},
                      const QString &epoch = {})
    {
        QProcessEnvironment env = withPassword(password);
        if (!epoch.isEmpty())
            env.insert(u"SOURCE_DATE_EPOCH"_s, epoch);
        ProcessResult r = runDeskpack(args, env);
        m_allOutput += r.out + r.err;
        return r;
    }
    QStringList entries() const { return QDir(m_dir.path()).entryList(QDir::Files, QDir::Name); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        writeAll(path(u"app.bin"_s), QByteArray(100000, 'a'));
        const ProcessResult gen =
            run({u"keygen"_s, u"-p"_s, path(u"k.pub"_s), u"-s"_s, path(u"k.sec"_s), u"--json"_s},
                m_password);
        QVERIFY2(gen.exitCode == 0, gen.err.constData());
        QVERIFY(gen.out.contains("\"publicKey\": \"RW"));
    }

    void keygenNeedsAPassword()
    {
        const ProcessResult r =
            run({u"keygen"_s, u"-p"_s, path(u"n.pub"_s), u"-s"_s, path(u"n.sec"_s)});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("set DESKPACK_KEY_PASSWORD, or pass -W"), r.err.constData());
        QVERIFY(!QFile::exists(path(u"n.sec"_s)) && !QFile::exists(path(u"n.pub"_s)));
    }

    void keygenRefusesToOverwrite()
    {
        const QByteArray before = readAll(path(u"k.sec"_s));
        const ProcessResult r =
            run({u"keygen"_s, u"-W"_s, u"-p"_s, path(u"k2.pub"_s), u"-s"_s, path(u"k.sec"_s)});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("already exists; pass --force"));
        QCOMPARE(readAll(path(u"k.sec"_s)), before);
        QVERIFY(!QFile::exists(path(u"k2.pub"_s)));
    }

    void signIsReproducible()
    {
        const QStringList args{u"sign"_s, path(u"app.bin"_s), u"-s"_s, path(u"k.sec"_s)};
        QCOMPARE(run(args, m_password, u"1700000000"_s).exitCode, 0);
        const QByteArray first = readAll(path(u"app.bin.minisig"_s));
        QVERIFY(
            first.contains("trusted comment: timestamp:1700000000\tfile:app.bin\tsize:100000\n"));
        QCOMPARE(run(args, m_password, u"1700000000"_s).exitCode, 0);
        QCOMPARE(readAll(path(u"app.bin.minisig"_s)), first);
        const ProcessResult v = run(
            {u"verify-signature"_s, path(u"app.bin"_s), u"-p"_s, path(u"k.pub"_s), u"--json"_s});
        QCOMPARE(v.exitCode, 0);
        QVERIFY(v.out.contains("\"ok\": true"));
        QVERIFY(v.out.contains("\"trustedComment\": \"timestamp:1700000000\\tfile:app.bin"));
    }

    void signBadInputWritesNothing_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("password");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("expected");
        const QString in = path(u"in.bin"_s);
        QTest::newRow("wrong password")
            << QStringList{in, u"-s"_s, path(u"k.sec"_s)} << QByteArray("wrong") << 2
            << QByteArray("wrong password for " + path(u"k.sec"_s).toUtf8());
        QTest::newRow("no password") << QStringList{in, u"-s"_s, path(u"k.sec"_s)} << QByteArray()
                                     << 2 << QByteArray("no terminal to ask it on");
        QTest::newRow("public key as secret")
            << QStringList{in, u"-s"_s, path(u"k.pub"_s)} << m_password << 2
            << QByteArray("expected 158 (truncated)");
        QTest::newRow("missing file")
            << QStringList{in, path(u"nope.bin"_s), u"-s"_s, path(u"k.sec"_s)} << m_password << 2
            << QByteArray("nope.bin: no such file");
        QTest::newRow("two-line comment")
            << QStringList{in, u"-s"_s, path(u"k.sec"_s), u"-t"_s, u"a\nb"_s} << m_password << 2
            << QByteArray("must be one line");
    }

    void signBadInputWritesNothing()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, password);
        QFETCH(int, exitCode);
        QFETCH(QByteArray, expected);
        writeAll(path(u"in.bin"_s), "input");
        const QStringList before = entries();
        const ProcessResult r = run(QStringList{u"sign"_s} + args, password);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(expected), r.err.constData());
        QCOMPARE(entries(), before);
    }

    void verifyFailures_data()
    {
        QTest::addColumn<QByteArray>("minisig");
        QTest::addColumn<QString>("key");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("signify-like")
            << QByteArray("untrusted comment: x\nRWQ=\n") << QString() << 1 << QByteArray("line 2");
        QTest::newRow("10 MB comment")
            << QByteArray("untrusted comment: " + QByteArray(10 << 20, 'c') + "\n") << QString()
            << 1 << QByteArray("line 1: longer than 8192 bytes");
        QTest::newRow("junk key") << QByteArray() << u"RWjunk"_s << 2 << QByteArray("-P, line 1");
        QTest::newRow("missing signature")
            << QByteArray() << QString() << 2 << QByteArray("cannot read");
    }

    void verifyFailures()
    {
        QFETCH(QByteArray, minisig);
        QFETCH(QString, key);
        QFETCH(int, exitCode);
        QFETCH(QByteArray, expected);
        const QString sig = path(u"v.minisig"_s);
        QFile::remove(sig);
        if (!minisig.isEmpty())
            writeAll(sig, minisig);
        QStringList args{u"verify-signature"_s, path(u"app.bin"_s), u"-x"_s, sig};
        args << (key.isEmpty() ? QStringList{u"-p"_s, path(u"k.pub"_s)}
                               : QStringList{u"-P"_s, key});
        const ProcessResult r = run(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(expected), r.err.constData());
        const ProcessResult json = run(args + QStringList{u"--json"_s});
        QCOMPARE(json.exitCode, exitCode);
        QVERIFY(json.out.contains("\"ok\": false"));
        QVERIFY(json.out.size() < 4096);
    }

    void verifyNamesTheOtherKey()
    {
        QCOMPARE(run({u"keygen"_s, u"-W"_s, u"-p"_s, path(u"o.pub"_s), u"-s"_s, path(u"o.sec"_s)})
                     .exitCode,
                 0);
        const ProcessResult r =
            run({u"verify-signature"_s, path(u"app.bin"_s), u"-p"_s, path(u"o.pub"_s)});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("signed by key ") && r.err.contains(", expected key "),
                 r.err.constData());
    }

    void noSecretInAnyOutput()
    {
        // Last: every output of this suite so far, and --help.
        m_allOutput += run({u"sign"_s, u"--help"_s}).out;
        QVERIFY(!m_allOutput.contains(m_password));
        for (const QString &sec : {path(u"k.sec"_s), path(u"o.sec"_s)}) {
            const QByteArray keyLine = readAll(sec).split('\n').value(1);
            QVERIFY(keyLine.size() > 100);
            QVERIFY(!m_allOutput.contains(keyLine));
            QVERIFY(!m_allOutput.contains(keyLine.mid(60, 40))); // not even a piece
        }
    }
};

QTEST_GUILESS_MAIN(TestSignCli)
#include "tst_signcli.moc"
