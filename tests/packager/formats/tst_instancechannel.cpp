// SPDX-License-Identifier: MIT
// The running-instance channel's names and lines: the lock and socket names
// launchers of every version derive from a data directory, and the request
// lines, hostile ones included.
#include "formats/instancechannel.h"

#include <QTest>

using namespace deskpack::formats;
using namespace Qt::Literals::StringLiterals;

class TestInstanceChannel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void names()
    {
        const QString data = u"/home/user/.local/share/deskpack-demo"_s;
        QCOMPARE(instanceLockPath(data), data + u"/launcher.lock"_s);
        // What launchers before the shared channel listened on: unchanged.
        QCOMPARE(instanceServerName(data), u"deskpack-launcher-e9e6d8740a65928cf950"_s);
        QCOMPARE(instanceServerName(data + u"/"_s), instanceServerName(data));
        QVERIFY(instanceServerName(u"/tmp/other"_s) != instanceServerName(data));
    }

    void requests_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("reason");
        using K = InstanceRequest::Kind;
        QTest::newRow("activate") << QByteArray("activate\n") << int(K::Activate) << QString();
        QTest::newRow("quit") << QByteArray("quit upgrade to 1.0.1\n") << int(K::Quit)
                              << u"upgrade to 1.0.1"_s;
        QTest::newRow("quit utf-8")
            << u"quit mise à jour\n"_s.toUtf8() << int(K::Quit) << u"mise à jour"_s;
        QTest::newRow("no newline") << QByteArray("activate") << int(K::Unknown) << QString();
        QTest::newRow("unknown") << QByteArray("reboot\n") << int(K::Unknown) << QString();
        QTest::newRow("quit without space") << QByteArray("quit\n") << int(K::Unknown) << QString();
        QTest::newRow("too long") << QByteArray("quit ") + QByteArray(2000, 'x') + '\n'
                                  << int(K::Unknown) << QString();
    }

    void requests()
    {
        QFETCH(QByteArray, line);
        QFETCH(int, kind);
        QFETCH(QString, reason);
        const InstanceRequest request = parseInstanceRequest(line);
        QCOMPARE(int(request.kind), kind);
        QCOMPARE(request.reason, reason);
    }

    void quitRequestRoundTrips()
    {
        QCOMPARE(instanceQuitRequest(u"uninstall"_s), QByteArray("quit uninstall\n"));
        QCOMPARE(instanceQuitRequest(u"two\nlines"_s), QByteArray("quit two lines\n"));
        const QByteArray longLine = instanceQuitRequest(QString(3000, u'é'));
        QVERIFY(longLine.size() <= InstanceMaxLine);
        const InstanceRequest parsed = parseInstanceRequest(longLine);
        QCOMPARE(parsed.kind, InstanceRequest::Kind::Quit);
        QVERIFY(parsed.reason.size() > 400);
        QVERIFY(!parsed.reason.contains(QChar::ReplacementCharacter));
    }
};

QTEST_GUILESS_MAIN(TestInstanceChannel)
#include "tst_instancechannel.moc"
