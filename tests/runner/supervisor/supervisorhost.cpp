// SPDX-License-Identifier: MIT
// A stand-in launcher for tst_backendsupervisor: runs one BackendSupervisor on
// a fake backend and prints "ready PID" once it is up, then waits to be killed.
// Usage: supervisor_host BUNDLE DATA SCENARIO PORT
#include "fakebackend.h"

#include <QCoreApplication>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 5) {
        std::fprintf(stderr, "usage: supervisor_host BUNDLE DATA SCENARIO PORT\n");
        return 2;
    }
    if (!test::writeFakeBundle(args[1], u"http"_s))
        return 3;
    runner::BackendSupervisor supervisor(
        test::fakePlan(args[1], args[2], args[3], args[4].toInt()));
    QObject::connect(&supervisor, &runner::BackendSupervisor::stateChanged, &app,
                     [&](runner::BackendSupervisor::State state) {
                         if (state == runner::BackendSupervisor::State::Ready) {
                             std::printf("ready %lld\n", supervisor.processId());
                             std::fflush(stdout);
                         } else if (state == runner::BackendSupervisor::State::Failed) {
                             std::fprintf(stderr, "%s\n", qPrintable(supervisor.failureReason()));
                             app.exit(1);
                         }
                     });
    supervisor.start();
    return app.exec();
}
