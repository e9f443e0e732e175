// SPDX-License-Identifier: MIT
// The installer as end users and scripts run it (`<installer> --silent`,
// --rollback, --uninstall [--purge]) in a private HOME: reproducible
// installers, install then start through ~/.local/bin/<app-id>, upgrade keeping
// the data and the previous version, rollback, pruning, uninstall and purge,
// an install SIGKILLed at every phase, corrupted and truncated payloads, a
// held lock, a running app (asked to quit: refusing, or the real headless
// launcher stopping), and a full disk (a private tmpfs in a mount namespace).
#include "common/fakeinstance.h"
#include "common/installertestutil.h"

#include <QFileInfo>
#include <QLockFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <algorithm>

#include <unistd.h>

using namespace deskpack;
using namespace deskpack::test;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString AppId = u"deskpack-demo"_s;

} // namespace

class TestInstaller : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_work;
    QString m_bundle;
    QMap<QString, QString> m_installers; // version -> installer

    ProcessResult runInstaller(const QString &version, const QString &home,
                               const QStringList &arguments, const QProcessEnvironment &extra = {})
    {
        QProcessEnvironment env = homeEnvironment(home);
        for (const QString &key : extra.keys())
            env.insert(key, extra.value(key));
        return runProcess(m_installers.value(version), arguments, {}, 120000, env);
    }

    ProcessResult startInstalledApp(const QString &home)
    {
        return runProcess(home + u"/.local/bin/"_s + AppId,
                          {u"--headless"_s, u"--exit-when-ready"_s}, {}, 120000,
                          homeEnvironment(home));
    }

    static QString root(const QString &home) { return home + u"/.local/opt/"_s + AppId; }
    static QString link(const QString &path) { return readLinkTarget(path); }
    static QString dataDir(const QString &home) { return home + u"/.local/share/"_s + AppId; }
    static QString icon(const QString &home)
    {
        return home + u"/.local/share/icons/hicolor/scalable/apps/"_s + AppId + u".svg"_s;
    }

    QString newHome()
    {
        static int n = 0;
        const QString home = m_work.filePath(u"home%1"_s.arg(++n));
        QDir().mkpath(home);
        return home;
    }

    void installOk(const QString &version, const QString &home)
    {
        const ProcessResult r = runInstaller(version, home, {u"--silent"_s});
        QVERIFY2(r.exitCode == 0 && !r.crashed, r.err.constData());
        QCOMPARE(link(root(home) + u"/current"_s), u"versions/"_s + version);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        QString error;
        m_bundle = buildDemoBundle(m_work.filePath(u"demo"_s), &error);
        QVERIFY2(!m_bundle.isEmpty(), qPrintable(error));
        for (const QString &version : {u"1.0.0"_s, u"2.0.0"_s, u"3.0.0"_s}) {
            const QString bundle =
                bundleAtVersion(m_bundle, m_work.filePath(u"bundle-"_s + version), version);
            QVERIFY(!bundle.isEmpty());
            const QString installer =
                packageInstaller(bundle, m_work.filePath(u"pkg-"_s + version), &error);
            QVERIFY2(!installer.isEmpty(), qPrintable(error));
            m_installers.insert(version, installer);
        }
    }

    void reproducible()
    {
        QString error;
        const QString again = packageInstaller(m_work.filePath(u"bundle-1.0.0"_s),
                                               m_work.filePath(u"pkg-again"_s), &error);
        QVERIFY2(!again.isEmpty(), qPrintable(error));
        QCOMPARE(QFileInfo(again).fileName(), u"deskpack-demo-1.0.0-linux-x86_64.run"_s);
        QVERIFY(QFileInfo(again).isExecutable());
        const QByteArray a = readAllOf(m_installers.value(u"1.0.0"_s));
        QVERIFY(a.size() > 1000000);
        QVERIFY2(a == readAllOf(again), "the same bundle gave different installer bytes");
        // The Qt-free stub is the installer's head, byte for byte.
        const QByteArray stub = readAllOf(binDir() + u"/deskpack-installer-stub"_s);
        QVERIFY(stub.size() > 1000);
        QVERIFY(a.startsWith(stub));
    }

    void missingTemplateRefused()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"DESKPACK_INSTALLER_TEMPLATE"_s, m_work.filePath(u"no-such-template"_s));
        const QString out = m_work.filePath(u"pkg-no-template"_s);
        const ProcessResult r = runDeskpack({u"package"_s, m_work.filePath(u"bundle-1.0.0"_s),
                                             u"--format"_s, u"installer"_s, u"--out"_s, out},
                                            env);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("the installer template is missing"), r.err.constData());
        QVERIFY(
            QDir(out).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty());
    }

    void silentInstallStartsTheApp()
    {
        const QString home = newHome();
        installOk(u"1.0.0"_s, home);
        QCOMPARE(link(home + u"/.local/bin/"_s + AppId), root(home) + u"/current/"_s + AppId);
        const QByteArray entry =
            readAllOf(home + u"/.local/share/applications/"_s + AppId + u".desktop"_s);
        const QByteArray exec =
            "\nExec=\"" + QFile::encodeName(root(home)) + "/current/" + AppId.toUtf8() + "\"\n";
        QVERIFY2(entry.contains(exec), entry.constData());
        QVERIFY(entry.contains("\nName=Deskpack Demo\n"));
        // The demo ships no icon: the generated one, under the name Icon= gives.
        QVERIFY(entry.contains("\nIcon=deskpack-demo\n"));
        QVERIFY(QFileInfo(icon(home)).isFile());
        QVERIFY(QFileInfo(root(home) + u"/versions/1.0.0/bundle.json"_s).isFile());
        QVERIFY(!QFileInfo::exists(root(home) + u"/previous"_s));
        // Nothing of a run is left beside versions/.
        QCOMPARE(
            QDir(root(home))
                .entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot),
            (QStringList{u"current"_s, u"versions"_s}));
        const ProcessResult run = startInstalledApp(home);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        // The data dir is the launcher's, outside the install root.
        QVERIFY(QFileInfo(dataDir(home)).isDir());
    }

    // --silent needs no display at all; the wizard without one says what to do.
    void silentNeedsNoDisplay()
    {
        const QString home = newHome();
        QProcessEnvironment env = homeEnvironment(home);
        env.remove(u"QT_QPA_PLATFORM"_s);
        env.remove(u"DISPLAY"_s);
        env.remove(u"WAYLAND_DISPLAY"_s);
        ProcessResult r = runProcess(m_installers.value(u"1.0.0"_s), {}, {}, 60000, env);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("use --silent"), r.err.constData());
        QVERIFY(listTree(home).isEmpty());
        r = runProcess(m_installers.value(u"1.0.0"_s), {u"--silent"_s}, {}, 120000, env);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(link(root(home) + u"/current"_s), u"versions/1.0.0"_s);
    }

    void prefixInstall()
    {
        const QString home = newHome();
        const QString prefix = m_work.filePath(u"custom prefix/demo"_s);
        const ProcessResult r =
            runInstaller(u"1.0.0"_s, home, {u"--silent"_s, u"--prefix"_s, prefix});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(link(prefix + u"/current"_s), u"versions/1.0.0"_s);
        QVERIFY(!QFileInfo::exists(root(home)));
        QCOMPARE(link(home + u"/.local/bin/"_s + AppId), prefix + u"/current/"_s + AppId);
        const ProcessResult run = startInstalledApp(home);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const ProcessResult rollback =
            runInstaller(u"1.0.0"_s, home, {u"--rollback"_s, u"--prefix"_s, prefix});
        QCOMPARE(rollback.exitCode, 1); // no previous version yet
        const ProcessResult removed =
            runInstaller(u"1.0.0"_s, home, {u"--uninstall"_s, u"--prefix"_s, prefix});
        QVERIFY2(removed.exitCode == 0, removed.err.constData());
        QVERIFY(!QFileInfo::exists(prefix));
        QVERIFY(QFileInfo(m_work.filePath(u"custom prefix"_s)).isDir());
    }

    void upgradeRollbackUninstall()
    {
        const QString home = newHome();
        installOk(u"1.0.0"_s, home);
        QVERIFY(QDir().mkpath(dataDir(home)));
        QFile keep(dataDir(home) + u"/keep.txt"_s);
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.write("user data\n");
        keep.close();

        installOk(u"2.0.0"_s, home);
        QCOMPARE(link(root(home) + u"/previous"_s), u"versions/1.0.0"_s);
        QCOMPARE(QDir(root(home) + u"/versions"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot),
                 (QStringList{u"1.0.0"_s, u"2.0.0"_s}));
        QCOMPARE(readAllOf(root(home) + u"/current/app/release.txt"_s), QByteArray("2.0.0\n"));
        QCOMPARE(readAllOf(dataDir(home) + u"/keep.txt"_s), QByteArray("user data\n"));
        ProcessResult run = startInstalledApp(home);
        QVERIFY2(run.exitCode == 0, run.err.constData());

        ProcessResult r = runInstaller(u"2.0.0"_s, home, {u"--rollback"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(link(root(home) + u"/current"_s), u"versions/1.0.0"_s);
        QCOMPARE(link(root(home) + u"/previous"_s), u"versions/2.0.0"_s);
        QCOMPARE(readAllOf(root(home) + u"/current/app/release.txt"_s), QByteArray("1.0.0\n"));
        QVERIFY(QFileInfo(icon(home)).isFile()); // rewritten from 1.0.0's bundle.json
        run = startInstalledApp(home);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(readAllOf(dataDir(home) + u"/keep.txt"_s), QByteArray("user data\n"));

        // Two upgrades on: only current and the one it replaced are kept.
        installOk(u"2.0.0"_s, home);
        installOk(u"3.0.0"_s, home);
        QCOMPARE(link(root(home) + u"/previous"_s), u"versions/2.0.0"_s);
        QCOMPARE(QDir(root(home) + u"/versions"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot),
                 (QStringList{u"2.0.0"_s, u"3.0.0"_s}));

        // Uninstall: everything but the data.
        r = runInstaller(u"3.0.0"_s, home, {u"--uninstall"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(!QFileInfo::exists(root(home)));
        QVERIFY(!QFileInfo(home + u"/.local/bin/"_s + AppId).isSymLink());
        QVERIFY(
            !QFileInfo::exists(home + u"/.local/share/applications/"_s + AppId + u".desktop"_s));
        QVERIFY(!QFileInfo::exists(icon(home)));
        QCOMPARE(readAllOf(dataDir(home) + u"/keep.txt"_s), QByteArray("user data\n"));
        // A second uninstall finds nothing to remove.
        QCOMPARE(runInstaller(u"3.0.0"_s, home, {u"--uninstall"_s}).exitCode, 1);

        // Purge removes the data too.
        installOk(u"1.0.0"_s, home);
        QVERIFY(QFileInfo(dataDir(home) + u"/keep.txt"_s).isFile());
        r = runInstaller(u"1.0.0"_s, home, {u"--uninstall"_s, u"--purge"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(!QFileInfo::exists(dataDir(home)));
        QVERIFY(!QFileInfo::exists(root(home)));
    }

    void runningAppAskedToClose()
    {
        const QString home = newHome();
        installOk(u"1.0.0"_s, home);
        {
            // The user keeps the app open: the upgrade and the uninstall change nothing.
            FakeInstance app(dataDir(home), FakeInstance::Answer::Refused);
            QVERIFY(app.begin());
            const QStringList before = listTree(root(home));
            const QByteArray message = "Deskpack Demo is running (pid " +
                                       QByteArray::number(QCoreApplication::applicationPid()) +
                                       "): close it and run the installer again";
            ProcessResult r = runInstaller(u"2.0.0"_s, home, {u"--silent"_s});
            QCOMPARE(r.exitCode, 3);
            QVERIFY2(r.err.contains(message), r.err.constData());
            QCOMPARE(app.request(), QByteArray("quit the upgrade to 2.0.0\n"));
            r = runInstaller(u"1.0.0"_s, home, {u"--uninstall"_s});
            QCOMPARE(r.exitCode, 3);
            QVERIFY2(r.err.contains(message), r.err.constData());
            QCOMPARE(app.request(), QByteArray("quit the uninstall\n"));
            QCOMPARE(listTree(root(home)), before);
            QCOMPARE(link(root(home) + u"/current"_s), u"versions/1.0.0"_s);
        }
        // The real launcher, headless: it stops its backend, exits 0, the upgrade goes on.
        QProcess app;
        app.setProcessEnvironment(homeEnvironment(home));
        app.setProcessChannelMode(QProcess::MergedChannels);
        app.start(home + u"/.local/bin/"_s + AppId, {u"--headless"_s});
        QByteArray output;
        QTRY_VERIFY_WITH_TIMEOUT((output += app.readAll()).contains("launcher: running"), 60000);
        installOk(u"2.0.0"_s, home);
        QVERIFY(app.state() == QProcess::NotRunning || app.waitForFinished(10000));
        output += app.readAll();
        QVERIFY2(output.contains("asked to quit for the upgrade to 2.0.0"), output.constData());
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 0);
    }

    void killedInstall_data()
    {
        QTest::addColumn<QString>("phase");
        QTest::addColumn<QString>("currentAfterKill");
        for (const char *phase : {"payload-checked", "locked", "staged-payload", "extracted",
                                  "verified", "moved", "previous"})
            QTest::newRow(phase) << QString::fromLatin1(phase) << u"1.0.0"_s;
        for (const char *phase : {"switched", "entries", "pruned"})
            QTest::newRow(phase) << QString::fromLatin1(phase) << u"2.0.0"_s;
    }

    void killedInstall()
    {
        QFETCH(QString, phase);
        QFETCH(QString, currentAfterKill);
        const QString home = newHome();
        installOk(u"1.0.0"_s, home);
        QProcessEnvironment seam;
        seam.insert(u"DESKPACK_INSTALLER_KILL_AT"_s, phase);
        const ProcessResult killed = runInstaller(u"2.0.0"_s, home, {u"--silent"_s}, seam);
        QVERIFY2(killed.crashed, killed.err.constData());
        QVERIFY(killed.err.contains(QByteArray("SIGKILL at phase " + phase.toLatin1())));
        // The version `current` names is complete and starts.
        QCOMPARE(link(root(home) + u"/current"_s), u"versions/"_s + currentAfterKill);
        const ProcessResult run = startInstalledApp(home);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        // The next install finishes the job and clears the leftovers.
        const ProcessResult again = runInstaller(u"2.0.0"_s, home, {u"--silent"_s});
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QCOMPARE(link(root(home) + u"/current"_s), u"versions/2.0.0"_s);
        QCOMPARE(link(root(home) + u"/previous"_s), u"versions/1.0.0"_s);
        QCOMPARE(
            QDir(root(home))
                .entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot),
            (QStringList{u"current"_s, u"previous"_s, u"versions"_s}));
    }

    void corruptedPayload_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("byte flipped in the payload")
            << u"flip-payload"_s << 1 << QByteArray("the payload is damaged");
        QTest::newRow("byte flipped in the header")
            << u"flip-header"_s << 1 << QByteArray("header is damaged");
        QTest::newRow("last 1000 bytes cut")
            << u"cut-tail"_s << 2 << QByteArray("not a complete Deskpack installer");
        QTest::newRow("cut in half")
            << u"cut-half"_s << 2 << QByteArray("not a complete Deskpack installer");
        QTest::newRow("payload shortened, trailer kept")
            << u"cut-payload"_s << 2 << QByteArray("not a complete Deskpack installer");
    }

    void corruptedPayload()
    {
        QFETCH(QString, damage);
        QFETCH(int, exitCode);
        QFETCH(QByteArray, message);
        QByteArray bytes = readAllOf(m_installers.value(u"1.0.0"_s));
        // The payload offset, from the trailer (installerformat.h).
        const qsizetype payloadStart =
            qsizetype(qFromLittleEndian<quint64>(bytes.constData() + bytes.size() - 120 + 24));
        QVERIFY(payloadStart > 0 && payloadStart < bytes.size() / 2);
        if (damage == u"flip-payload")
            bytes[payloadStart + (bytes.size() - payloadStart) / 2] ^= 0x01;
        else if (damage == u"flip-header")
            bytes[bytes.size() - 120 - 20] ^= 0x01;
        else if (damage == u"cut-tail")
            bytes.chop(1000);
        else if (damage == u"cut-half")
            bytes.truncate(bytes.size() / 2);
        else if (damage == u"cut-payload")
            bytes.remove(payloadStart + 4096, 4096);
        const QString damaged = m_work.filePath(u"damaged-"_s + damage + u".run"_s);
        QFile out(damaged);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes);
        out.close();
        QVERIFY(out.setPermissions(out.permissions() | QFile::ExeOwner));
        const QString home = newHome();
        const ProcessResult r =
            runProcess(damaged, {u"--silent"_s}, {}, 120000, homeEnvironment(home));
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message), r.err.constData());
        QVERIFY2(listTree(home).isEmpty(), qPrintable(listTree(home).join(u", "_s)));
    }

    // A prefix holding another app, or anything else, is neither written over nor deleted.
    void foreignPrefixRefused()
    {
        const QString home = newHome();
        const QString prefix = m_work.filePath(u"foreign"_s);
        QVERIFY(QDir().mkpath(prefix + u"/versions/photos"_s));
        QFile photo(prefix + u"/versions/photos/holiday.jpg"_s);
        QVERIFY(photo.open(QIODevice::WriteOnly));
        photo.write("jpeg");
        photo.close();
        ProcessResult r = runInstaller(u"1.0.0"_s, home, {u"--silent"_s, u"--prefix"_s, prefix});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("holds something other than deskpack-demo (versions/photos)"),
                 r.err.constData());
        r = runInstaller(u"1.0.0"_s, home, {u"--uninstall"_s, u"--prefix"_s, prefix});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("holds something other than"), r.err.constData());
        QCOMPARE(readAllOf(prefix + u"/versions/photos/holiday.jpg"_s), QByteArray("jpeg"));
        QCOMPARE(QDir(prefix).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{u"versions"_s});
    }

    void heldLockRefused()
    {
        const QString home = newHome();
        installOk(u"1.0.0"_s, home);
        QLockFile lock(root(home) + u"/.deskpack-install.lock"_s);
        QVERIFY(lock.tryLock(0));
        const ProcessResult r = runInstaller(u"2.0.0"_s, home, {u"--silent"_s});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("another installer"), r.err.constData());
        QCOMPARE(link(root(home) + u"/current"_s), u"versions/1.0.0"_s);
        lock.unlock();
        installOk(u"2.0.0"_s, home);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("rollback and silent") << QStringList{u"--rollback"_s, u"--silent"_s};
        QTest::newRow("purge alone") << QStringList{u"--purge"_s};
        QTest::newRow("unknown option") << QStringList{u"--frobnicate"_s};
        QTest::newRow("stray argument") << QStringList{u"--silent"_s, u"extra"_s};
        QTest::newRow("prefix is HOME") << QStringList{u"--silent"_s, u"--prefix"_s, u"HOME"_s};
    }

    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        const QString home = newHome();
        arguments.replaceInStrings(u"HOME"_s, home);
        const ProcessResult r = runInstaller(u"1.0.0"_s, home, arguments);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("deskpack-installer"));
        QVERIFY2(listTree(home).isEmpty(), qPrintable(listTree(home).join(u", "_s)));
    }

    // --help names the file the user ran and the real synopsis, writes nothing.
    void helpNamesTheInstallerFile()
    {
        const QString home = newHome();
        const ProcessResult r = runInstaller(u"1.0.0"_s, home, {u"--help"_s});
        QCOMPARE(r.exitCode, 0);
        const QString name = QFileInfo(m_installers.value(u"1.0.0"_s)).fileName();
        QVERIFY2(
            r.out.contains((u"Usage: "_s + name +
                            u" [--silent] [--prefix DIR] | --rollback | --uninstall [--purge]"_s)
                               .toUtf8()),
            r.out.constData());
        QVERIFY(!r.out.contains("<executable_name>"));
        QVERIFY(listTree(home).isEmpty());
    }

    void bareTemplateRefused()
    {
        const QString home = newHome();
        const ProcessResult r = runProcess(binDir() + u"/deskpack-installer"_s, {u"--silent"_s}, {},
                                           60000, homeEnvironment(home));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("the bare deskpack-installer template"), r.err.constData());
    }

    void fullDisk_data()
    {
        QTest::addColumn<int>("freeMiB");
        // Too little room for the payload copy; room for it but not the unpacked tree.
        QTest::newRow("full while copying the payload") << 20;
        QTest::newRow("full while extracting") << 90;
    }

    void fullDisk()
    {
        QFETCH(int, freeMiB);
        if (::geteuid() != 0 || QStandardPaths::findExecutable(u"unshare"_s).isEmpty())
            SKIP_OR_FAIL_IN_CI("the full-disk test needs root and unshare(1) for a private tmpfs");
        const QString home = newHome();
        const QString prefix = m_work.filePath(u"tmpfs-%1"_s.arg(freeMiB));
        QVERIFY(QDir().mkpath(prefix));
        const QString script = uR"sh(mount -t tmpfs -o size=600m tmpfs "$P" || exit 97
"$V1" --silent --prefix "$P/app" || exit 98
avail=$(df -k --output=avail "$P" | tail -n 1)
fallocate -l $(( avail - $FREE * 1024 ))k "$P/filler" || exit 99
"$V2" --silent --prefix "$P/app"; echo "v2=$?"
echo "current=$(readlink "$P/app/current")"
"$P/app/current/deskpack-demo" --headless --exit-when-ready >/dev/null 2>&1; echo "run=$?"
echo "root=$(ls -A "$P/app" | tr '\n' ' ')"
echo "versions=$(ls -A "$P/app/versions" | tr '\n' ' ')"
rm -f "$P/filler"
"$V2" --silent --prefix "$P/app"; echo "retry=$?"
echo "after=$(readlink "$P/app/current")"
)sh"_s;
        QProcessEnvironment env = homeEnvironment(home);
        env.insert(u"P"_s, prefix);
        env.insert(u"V1"_s, m_installers.value(u"1.0.0"_s));
        env.insert(u"V2"_s, m_installers.value(u"2.0.0"_s));
        env.insert(u"FREE"_s, QString::number(freeMiB));
        const ProcessResult r =
            runProcess(u"unshare"_s, {u"-m"_s, u"sh"_s, u"-c"_s, script}, {}, 300000, env);
        if (r.exitCode == 97)
            SKIP_OR_FAIL_IN_CI(u"cannot mount a private tmpfs: "_s + QString::fromUtf8(r.err));
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(r.exitCode == 0, qPrintable(out + QString::fromUtf8(r.err)));
        QVERIFY2(out.contains(u"v2=3\n"_s), qPrintable(out + QString::fromUtf8(r.err)));
        QVERIFY2(r.err.contains("is full:") && r.err.contains("MiB free"), r.err.constData());
        QVERIFY2(out.contains(u"current=versions/1.0.0\n"_s), qPrintable(out));
        QVERIFY2(out.contains(u"run=0\n"_s), qPrintable(out));
        QVERIFY2(out.contains(u"root=current versions \n"_s), qPrintable(out));
        QVERIFY2(out.contains(u"versions=1.0.0 \n"_s), qPrintable(out));
        QVERIFY2(out.contains(u"retry=0\n"_s), qPrintable(out));
        QVERIFY2(out.contains(u"after=versions/2.0.0\n"_s), qPrintable(out));
    }
};

QTEST_GUILESS_MAIN(TestInstaller)
#include "tst_installer.moc"
