// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <vector>

namespace deskpack::lock {

// str.lower() as Python does it (ASCII fast path, full Unicode otherwise).
QString pythonLower(QStringView text);

// PEP 503 normalisation: runs of "-", "_" and "." become "-", lower-cased.
QString canonicalName(QStringView name);

// Orders strings by Unicode code point, as Python's sorted() does for str.
bool codePointLess(const QString &a, const QString &b);

// One entry of runtime-core-lock.json (schema 1). Unknown keys of the entry are
// kept in `extra` so a round trip never drops what another tool wrote.
struct Distribution
{
    QString name;
    QString version;
    QStringList topLevelModules;
    nlohmann::json extra = nlohmann::json::object();

    bool operator==(const Distribution &other) const = default;
};

// The whole lock. `extra` holds unknown top-level keys.
struct Lock
{
    static constexpr int SchemaVersion = 1;
    std::vector<Distribution> distributions;
    nlohmann::json extra = nlohmann::json::object();

    bool operator==(const Lock &other) const = default;
};

enum class Severity
{
    Error,
    Warning
};

// A finding about a lock. `where` names the file and the JSON path or
// site-packages entry; `code` is a stable identifier for scripts (--json).
struct Problem
{
    Severity severity = Severity::Error;
    QString code;
    QString where;
    QString message;

    QString toString() const;
};

int errorCount(const QList<Problem> &problems);

// A lock as read from a file: what could be read, plus every schema problem.
struct ParsedLock
{
    Lock lock;
    QList<Problem> problems;
};

// Locks larger than this are refused before parsing (a real one is ~100 KiB).
constexpr qint64 MaxLockFileSize = 64ll * 1024 * 1024;
// JSON nesting deeper than this is refused (schema 1 needs 3 levels).
constexpr int MaxJsonDepth = 128;

// Parses lock JSON. Data that is not JSON fails with ErrorKind::Unreadable and
// a message "FILE:LINE:COLUMN: ..."; JSON that breaks the schema parses and
// reports each violation in ParsedLock::problems.
Result<ParsedLock> parseLock(QByteArrayView data, const QString &fileName);
Result<ParsedLock> readLockFile(const QString &path);

// The order of DESIGN.md: name.lower(), then name, then version, by code point.
struct DistributionSortKey
{
    explicit DistributionSortKey(const Distribution &d);
    bool operator<(const DistributionSortKey &other) const;

    QString lowerName;
    const QString *name;
    const QString *version;
};
bool distributionLess(const Distribution &a, const Distribution &b);

// Puts distributions in the order of DESIGN.md: name.lower(), then name, then
// version; modules sorted and unique.
void normalizeLock(Lock &lock);

// Exactly what json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False)
// prints, plus a trailing newline.
QByteArray serializeLock(const Lock &lock);

// Writes atomically: the old file stays intact if anything fails.
Result<void> writeLockFile(const QString &path, const Lock &lock);

nlohmann::json problemToJson(const Problem &problem);

} // namespace deskpack::lock
