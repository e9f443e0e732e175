// SPDX-License-Identifier: MIT
#include "deskpackrun.h"

#include <QCoreApplication>

using namespace Qt::Literals::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"deskpack-run"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(DESKPACK_VERSION));
    return deskpack::runner::cli::runDeskpackRun(app.arguments().mid(1));
}
