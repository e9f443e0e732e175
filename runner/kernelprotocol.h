// SPDX-License-Identifier: MIT
#pragma once

#include "kerneltypes.h"

#include <QByteArray>
#include <QString>

#include <nlohmann/json.hpp>

namespace deskpack::runner::protocol {

// Version of the NDJSON protocol the `ready` frame announces.
constexpr int Version = 1;

// One request line, '\n' included.
QByteArray executeRequest(const QString &id, const QString &code, const ExecuteOptions &options);
QByteArray exitRequest();

// Typed reads of a frame that never throw: a missing key or a value of the
// wrong type yields the fallback.
QString stringField(const nlohmann::json &frame, const char *key, const QString &fallback = {});
int intField(const nlohmann::json &frame, const char *key, int fallback = 0);
bool boolField(const nlohmann::json &frame, const char *key, bool fallback = false);
nlohmann::json objectField(const nlohmann::json &frame, const char *key);
// The request id a frame is tagged with; empty for null or a missing id.
QString frameId(const nlohmann::json &frame);

ExecuteError errorFromFrame(const nlohmann::json &frame);

} // namespace deskpack::runner::protocol
