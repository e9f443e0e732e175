// SPDX-License-Identifier: MIT
#include "commandline.h"
#include "base/fileio.h"
#include "base/terminal.h"

#include <QRegularExpression>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::cli {

void printOut(const QString &text)
{
    printText(stdout, text);
}

void printErr(const QString &text)
{
    printText(stderr, text);
}

nlohmann::json jsonStrings(const QStringList &list)
{
    nlohmann::json out = nlohmann::json::array();
    for (const QString &s : list)
        out.push_back(s.toStdString());
    return out;
}

QString megabytes(qint64 bytes)
{
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 1) + u" MiB"_s;
}

QCommandLineOption jsonReportOption()
{
    return QCommandLineOption(u"json"_s, u"Machine-readable report on stdout."_s);
}

int usageError(const QString &command, const QString &message)
{
    printErr(u"%1: %2\nRun '%1 --help' for usage.\n"_s.arg(command, message));
    return ExitUsage;
}

int parseCommandLine(QCommandLineParser &parser, const QString &command,
                     const QStringList &arguments)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help = parser.addHelpOption();
    if (!parser.parse(QStringList{command} + arguments))
        return usageError(command, parser.errorText());
    if (parser.isSet(help)) {
        QString text = parser.helpText();
        // QCommandLineParser names the binary; name the subcommand instead.
        static const QRegularExpression binary(u"^Usage: \\S+"_s);
        text.replace(binary, u"Usage: "_s + command);
        printOut(text);
        return ExitOk;
    }
    return -1;
}

int fail(const Error &error)
{
    printErr(u"deskpack: %1\n"_s.arg(error.message));
    return exitCodeFor(error.kind);
}

} // namespace deskpack::cli
