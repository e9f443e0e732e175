// SPDX-License-Identifier: MIT
#pragma once

#include "base/jsonaccess.h"
#include "kerneltypes.h"

#include <QByteArray>
#include <QString>

#include <nlohmann/json.hpp>

#include <limits>

namespace deskpack::runner::protocol {

// Version of the NDJSON protocol the `ready` frame announces.
constexpr int Version = 1;

// One request line, '\n' included. `maxFrameBytes` tells the runner the
// longest frame line the host accepts (it truncates what would not fit).
QByteArray executeRequest(const QString &id, const QString &code, const ExecuteOptions &options,
                          qint64 maxFrameBytes = 0);
QByteArray exitRequest();

// Typed reads of one frame from the kernel, which is untrusted JSON, through
// base/jsonaccess.h: nothing here throws. A missing (or null) field yields the
// fallback; a field of the wrong type, or an integer out of range, yields the
// fallback too and is recorded as a problem naming the frame and the JSON path
// ("a done frame: $.status: expected a string, got number 7"), so the caller
// can fail the request the frame belongs to, and only that one.
class FrameReader
{
public:
    explicit FrameReader(const nlohmann::json &frame);
    FrameReader(const FrameReader &) = delete;
    FrameReader &operator=(const FrameReader &) = delete;

    // The frame's `type`; empty (and a problem) when missing or not a string.
    QString type() const { return m_type; }
    // The request id a frame is tagged with: a string or an integer; empty for
    // null or a missing id. hasValidId() is false for any other type.
    QString id() const { return m_id; }
    bool hasValidId() const { return m_idValid; }

    QString string(const char *key, const QString &fallback = {}) const;
    qint64 integer(const char *key, qint64 fallback = 0, qint64 min = 0,
                   qint64 max = std::numeric_limits<int>::max()) const;
    bool boolean(const char *key, bool fallback = false) const;
    // An object field; missing: an empty object.
    nlohmann::json object(const char *key) const;
    // A list of strings; missing: empty.
    QStringList stringList(const char *key) const;
    ExecuteError error() const;

    bool ok() const { return m_problems.isEmpty(); }
    // The first problem.
    QString problem() const { return m_problems.messages().value(0); }
    // Records a problem with the value of `key`.
    void fieldProblem(const char *key, const QString &message) const;

private:
    JsonProblems m_problems;
    JsonNode m_root;
    QString m_type;
    QString m_id;
    bool m_idValid = true;
};

// What the first bytes of an overflowed line say it was ("result", "7"); empty
// when they do not say.
struct FrameHead
{
    QString type;
    QString id;
};
FrameHead peekFrameHead(const QByteArray &head);

} // namespace deskpack::runner::protocol
