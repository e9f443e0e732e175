// SPDX-License-Identifier: MIT
// The installer and a running launcher (formats/instancechannel.h), with a
// fake launcher on a thread of this process (the lock and the local socket,
// answering as told): uninstall asks it to quit and goes on once it has, a
// refusal or silence leaves every file where it was, a lock left by a dead
// process is no launcher.
#include "common/fakeinstance.h"
#include "common/testutil.h"

#include "base/fileio.h"
#include "core/installops.h"
#include "core/runninginstance.h"
#include "formats/bundlemanifest.h"
#include "formats/instancechannel.h"

#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace deskpack::installer;
using deskpack::test::FakeInstance;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString AppId = u"deskpack-demo"_s;

// An installed version: <root>/versions/1.0.0 with its bundle.json, current -> it.
InstallLayout installedLayout(const QString &home)
{
    InstallLayout l;
    l.appId = AppId;
    l.root = home + u"/.local/opt/"_s + AppId;
    l.binDir = home + u"/.local/bin"_s;
    l.xdgDataHome = home + u"/.local/share"_s;
    formats::BundleManifest m;
    m.id = AppId;
    m.name = u"Deskpack Demo"_s;
    m.version = u"1.0.0"_s;
    m.entryModule = u"demo"_s;
    m.python = u"runtime/bin/python3"_s;
    m.coreSitePackages = u"runtime/lib/python3/site-packages"_s;
    m.lock = u"app/runtime-core-lock.json"_s;
    m.launcher = AppId;
    const QString dir = l.versionDir(u"1.0.0"_s);
    if (!QDir().mkpath(dir) ||
        !writeFileAtomically(dir + u"/bundle.json"_s, formats::serializeManifest(m)) ||
        !replaceLink(l.currentLink(), versionLinkTarget(u"1.0.0"_s)) ||
        !QDir().mkpath(l.dataDir()) ||
        !writeFileAtomically(l.dataDir() + u"/notes.txt"_s, "the user's"))
        return {};
    return l;
}

} // namespace

class TestRunningInstance : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_n = 0;

    QString home() { return m_dir.filePath(u"home%1"_s.arg(++m_n)); }

private Q_SLOTS:
    void noInstanceGoesOn()
    {
        QVERIFY(closeRunningInstance(m_dir.filePath(u"none"_s), u"Demo"_s, u"the uninstall"_s));
        // A lock left by a process that is gone (a pid no process has).
        const QString data = m_dir.filePath(u"stale"_s);
        QVERIFY(QDir().mkpath(data));
        QVERIFY(writeFileAtomically(
            formats::instanceLockPath(data),
            u"999999999\ndeskpack-launcher\n%1\n"_s.arg(QSysInfo::machineHostName()).toUtf8()));
        QElapsedTimer clock;
        clock.start();
        Result<void> ok = closeRunningInstance(data, u"Demo"_s, u"the uninstall"_s);
        QVERIFY2(ok, ok ? "" : qPrintable(ok.error().message));
        QVERIFY(clock.elapsed() < 2000);
    }

    void uninstallAsksItToQuit()
    {
        const InstallLayout l = installedLayout(home());
        QVERIFY(!l.root.isEmpty());
        FakeInstance fake(l.dataDir(), FakeInstance::Answer::Ok);
        QVERIFY(fake.begin());
        Result<UninstallReport> r = uninstall(l, false);
        QVERIFY2(r, r ? "" : qPrintable(r.error().message));
        QCOMPARE(fake.request(), QByteArray("quit the uninstall\n"));
        QVERIFY(!QFileInfo::exists(l.versionsDir()));
        QVERIFY(QFileInfo::exists(l.dataDir() + u"/notes.txt"_s));
    }

    void refusedLeavesEverything()
    {
        const InstallLayout l = installedLayout(home());
        QVERIFY(!l.root.isEmpty());
        FakeInstance fake(l.dataDir(), FakeInstance::Answer::Refused);
        QVERIFY(fake.begin());
        Result<UninstallReport> r = uninstall(l, true);
        QVERIFY(!r);
        QCOMPARE(r.error().kind, ErrorKind::Environment);
        QVERIFY2(
            r.error().message.startsWith(
                u"Deskpack Demo is running (pid %1): close it and run the installer again"_s.arg(
                    QCoreApplication::applicationPid())),
            qPrintable(r.error().message));
        QCOMPARE(fake.request(), QByteArray("quit the uninstall\n"));
        QVERIFY(QFileInfo::exists(l.versionDir(u"1.0.0"_s) + u"/bundle.json"_s));
        QCOMPARE(readLinkTarget(l.currentLink()), u"versions/1.0.0"_s);
        QVERIFY(QFileInfo::exists(l.dataDir() + u"/notes.txt"_s));
    }

    void silenceIsARefusal()
    {
        const QString data = m_dir.filePath(u"silent"_s);
        FakeInstance fake(data, FakeInstance::Answer::Silent);
        QVERIFY(fake.begin());
        QElapsedTimer clock;
        clock.start();
        Result<void> r = closeRunningInstance(data, u"Demo"_s, u"the upgrade to 1.0.1"_s,
                                              {.answerTimeoutMs = 500, .releaseTimeoutMs = 500});
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(u"did not answer"_s), qPrintable(r.error().message));
        QVERIFY(clock.elapsed() < 5000);
        QCOMPARE(fake.request(), QByteArray("quit the upgrade to 1.0.1\n"));
    }
};

QTEST_GUILESS_MAIN(TestRunningInstance)
#include "tst_runninginstance.moc"
