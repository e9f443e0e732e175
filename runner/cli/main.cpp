// SPDX-License-Identifier: MIT
#include "cli/deskpackrun.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("deskpack-run"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DESKPACK_VERSION));
    return deskpack::runner::cli::runDeskpackRun(app.arguments().mid(1));
}
