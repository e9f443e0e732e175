// SPDX-License-Identifier: MIT
// `doctor -o FILE.zip`: the entries a bug report needs, read back with QuaZip;
// secret-looking environment values filtered; nothing half-written on failure.
#include "launcher/core/doctor.h"
#include "launchertestutil.h"

#include <QTemporaryDir>
#include <QTest>

#include <quazip/quazip.h>
#include <quazip/quazipfile.h>

using namespace deskpack;
using namespace deskpack::launcher;
using namespace Qt::Literals::StringLiterals;

namespace {

QMap<QString, QByteArray> readZip(const QString &path)
{
    QMap<QString, QByteArray> out;
    QuaZip zip(path);
    if (!zip.open(QuaZip::mdUnzip))
        return out;
    for (bool more = zip.goToFirstFile(); more; more = zip.goToNextFile()) {
        QuaZipFile file(&zip);
        if (file.open(QIODevice::ReadOnly))
            out.insert(zip.getCurrentFileName(), file.readAll());
    }
    return out;
}

} // namespace

class TestDoctor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void secretNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("secret");
        for (const char *n :
             {"GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "api_key",
              "HTTP_AUTHORIZATION", "MY_CREDENTIALS", "SESSION_COOKIE", "SSH_PRIVATE", "PGPASS"})
            QTest::newRow(n) << QString::fromLatin1(n) << true;
        for (const char *n : {"PATH", "HOME", "LANG", "DESKPACK_DATA_DIR", "PYTHONUTF8"})
            QTest::newRow(n) << QString::fromLatin1(n) << false;
    }
    void secretNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, secret);
        QCOMPARE(isSecretName(name), secret);
    }

    void zipHoldsWhatABugReportNeeds()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString bundle = test::writeMiniBundle(tmp.path());
        QVERIFY(!bundle.isEmpty());
        const QString data = tmp.filePath(u"data"_s);
        QVERIFY(test::writeFile(data + u"/logs/backend.log"_s, "backend says hello\n"));
        QVERIFY(test::writeFile(data + u"/logs/backend.log.1"_s, "older\n"));
        QVERIFY(test::writeFile(data + u"/logs/launcher.log"_s, "launcher line\n"));
        QProcessEnvironment env;
        env.insert(u"PATH"_s, u"/usr/bin"_s);
        env.insert(u"GITHUB_TOKEN"_s, u"ghp_very_secret_value"_s);
        env.insert(u"MY_PASSWORD"_s, u"hunter2"_s);
        env.insert(u"PROXY_URL"_s, u"http://me:topsecret@proxy:3128"_s);

        DoctorInput input;
        input.bundleDir = bundle;
        input.dataDir = data;
        input.output = tmp.filePath(u"report.zip"_s);
        input.environment = env;
        Result<DoctorResult> r = writeDoctorZip(input);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
        QVERIFY(r->bundleOk);

        const QMap<QString, QByteArray> zip = readZip(input.output);
        for (const QString &name :
             {u"versions.txt"_s, u"bundle.json"_s, u"runtime-core-lock.json"_s, u"verify.txt"_s,
              u"environment.txt"_s, u"backend-environment.txt"_s, u"logs/backend.log"_s,
              u"logs/backend.log.1"_s, u"logs/launcher.log"_s})
            QVERIFY2(zip.contains(name), qPrintable(name + u" missing from "_s +
                                                    QStringList(zip.keys()).join(u", "_s)));
        QCOMPARE(QStringList(zip.keys()).size(), r->entries.size());
        QCOMPARE(zip.value(u"logs/backend.log"_s), QByteArray("backend says hello\n"));
        QVERIFY(zip.value(u"versions.txt"_s).contains("qt: " QT_VERSION_STR));
        QVERIFY(zip.value(u"versions.txt"_s).contains("python: 3.11.2"));
        QVERIFY(zip.value(u"verify.txt"_s).contains("files verified"));
        QVERIFY(zip.value(u"verify.txt"_s).contains("lock: "));

        for (const QString &entry : {u"environment.txt"_s, u"backend-environment.txt"_s}) {
            const QByteArray text = zip.value(entry);
            QVERIFY2(text.contains("PATH=/usr/bin\n"), text.constData());
            QVERIFY2(text.contains("GITHUB_TOKEN=<filtered>\n"), text.constData());
            QVERIFY2(!text.contains("ghp_very_secret_value"), qPrintable(entry));
            QVERIFY2(!text.contains("hunter2"), qPrintable(entry));
            QVERIFY2(!text.contains("topsecret"), qPrintable(entry));
            QVERIFY2(text.contains("PROXY_URL=http://me:<filtered>@proxy:3128"), text.constData());
        }
        // The backend's environment as the launcher builds it.
        QVERIFY(zip.value(u"backend-environment.txt"_s).contains("DESKPACK_DATA_DIR="));
        QVERIFY(QDir(tmp.path()).entryList({u"*.partial-*"_s}, QDir::Files).isEmpty());
    }

    void brokenBundleIsReportedNotFatal()
    {
        QTemporaryDir tmp;
        const QString bundle = test::writeMiniBundle(tmp.path());
        QVERIFY(test::writeFile(bundle + u"/bundle.json"_s, "{\"schema\": 1, \"id\": 42}"));
        DoctorInput input;
        input.bundleDir = bundle;
        input.dataDir = tmp.filePath(u"data"_s);
        input.output = tmp.filePath(u"report.zip"_s);
        Result<DoctorResult> r = writeDoctorZip(input);
        QVERIFY(r);
        QVERIFY(!r->bundleOk);
        const QMap<QString, QByteArray> zip = readZip(input.output);
        QCOMPARE(zip.value(u"bundle.json"_s), QByteArray("{\"schema\": 1, \"id\": 42}"));
        QVERIFY2(zip.value(u"verify.txt"_s).contains("bundle.json"),
                 zip.value(u"verify.txt"_s).constData());
    }

    void unwritableTargetLeavesNothing()
    {
        QTemporaryDir tmp;
        const QString bundle = test::writeMiniBundle(tmp.path());
        DoctorInput input;
        input.bundleDir = bundle;
        input.dataDir = tmp.filePath(u"data"_s);
        input.output = tmp.filePath(u"no/such/dir/report.zip"_s);
        Result<DoctorResult> r = writeDoctorZip(input);
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(tmp.filePath(u"no/such/dir"_s)),
                 qPrintable(r.error().message));
        QVERIFY(!QFileInfo::exists(input.output));
    }
};

QTEST_GUILESS_MAIN(TestDoctor)
#include "tst_doctor.moc"
