// SPDX-License-Identifier: MIT
// How a child's end reads in messages: an exit code, or the signal that
// killed it by name, number and description.
#include "base/exitstatus.h"

#include <QTest>

#include <csignal>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;

class TestExitStatus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void describeExit_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<bool>("crashed");
        QTest::addColumn<QString>("text");
        QTest::newRow("0") << 0 << false << u"exited with code 0"_s;
        QTest::newRow("3") << 3 << false << u"exited with code 3"_s;
        QTest::newRow("SIGSEGV") << int(SIGSEGV) << true
                                 << u"was killed by SIGSEGV (signal 11, segmentation fault)"_s;
        QTest::newRow("SIGKILL") << int(SIGKILL) << true
                                 << u"was killed by SIGKILL (signal 9, killed)"_s;
        QTest::newRow("SIGTERM") << int(SIGTERM) << true
                                 << u"was killed by SIGTERM (signal 15, terminated)"_s;
        QTest::newRow("SIGABRT") << int(SIGABRT) << true
                                 << u"was killed by SIGABRT (signal 6, aborted)"_s;
        QTest::newRow("real-time")
            << SIGRTMIN + 3 << true << u"was killed by signal %1"_s.arg(SIGRTMIN + 3);
        QTest::newRow("unknown") << 0 << true << u"was killed by a signal"_s;
    }
    void describeExit()
    {
        QFETCH(int, code);
        QFETCH(bool, crashed);
        QFETCH(QString, text);
        QCOMPARE(deskpack::describeExit(code, crashed ? QProcess::CrashExit : QProcess::NormalExit),
                 text);
    }
};

QTEST_GUILESS_MAIN(TestExitStatus)
#include "tst_exitstatus.moc"
