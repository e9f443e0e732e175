// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>

#include <nlohmann/json.hpp>

#include <cstdio>

namespace deskpack {

// How every Deskpack program and file writes a JSON document: two-space
// indentation, a trailing newline, and invalid UTF-8 in a string replaced
// (U+FFFD) rather than thrown on, so a hostile file name or METADATA never
// aborts a report. Reports on stdout, reason.json, owner records and runtime
// metadata all go through it.
QByteArray jsonDocumentText(const nlohmann::json &document);

// UTF-8 text to a C stream, flushed: how every command line tool prints, so
// its output interleaves correctly with child processes writing to the same
// terminal.
void printText(std::FILE *stream, const QString &text);

// jsonDocumentText() to a C stream (stdout unless told), flushed.
void printJson(const nlohmann::json &document, std::FILE *stream = stdout);

} // namespace deskpack
