// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "base/terminal.h"

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

namespace deskpack::cli {

// Output conventions shared by every command: results on stdout, human
// messages on stderr (base/terminal.h's printText), --json documents on
// stdout through base/terminal.h's printJson.
void printOut(const QString &text);
void printErr(const QString &text);
nlohmann::json jsonStrings(const QStringList &list);
// "12.3 MiB", for human messages.
QString megabytes(qint64 bytes);

// Parses `arguments` (the command's own, after "deskpack lock generate") with
// `parser`. On --help prints usage and returns ExitOk; on a usage error prints
// it with the usage and returns ExitUsage; otherwise returns -1 (go on).
int parseCommandLine(QCommandLineParser &parser, const QString &command,
                     const QStringList &arguments);

// --json: the machine-readable report on stdout that every reporting command takes.
QCommandLineOption jsonReportOption();

int usageError(const QString &command, const QString &message);

// Prints the error's message to stderr and returns its exit code.
int fail(const Error &error);

} // namespace deskpack::cli
