// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "formats/bundlemanifest.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <optional>

namespace deskpack::bundle {

using Readiness = formats::Readiness;

// deskpack.json: what a release engineer writes to describe an app
// (docs/app-config.md). Relative paths are resolved against the file's
// directory when it is loaded, so every path here is absolute.
struct AppConfig
{
    QString configPath;
    QString id;
    QString name;
    QString version;

    // Exactly one of runtimePython / runtimeArchive is set.
    QString runtimePython;
    QString runtimeArchive;
    QString runtimeSha256;

    // "pip": a pip wheel for runtimes with neither their own pip nor an
    // ensurepip wheel (packager/bundle/pipselection.h); sha256 may be empty.
    QString pipWheel;
    QString pipSha256;

    QString wheelhouse;       // may be empty when there are no requirements
    QString requirementsFile; // a requirements file, or
    QStringList requirements; // inline requirement lines

    QString appSource;   // the backend's source directory
    QString entryModule; // python -m MODULE, or
    QString entryScript; // a script relative to appSource
    QStringList entryArgs;

    formats::Readiness readiness;
    QString lockEnv;                    // alias of DESKPACK_CORE_LOCK_PATH, may be empty
    QList<QPair<QString, QString>> env; // extra backend environment, sorted by name
    QString icon;
    QString signingPublicKey; // signing.publicKey: minisign "RW...", may be empty
    QString updateFeed;       // update.feed: the signed feed's URL, may be empty
    QString updateChannel;    // update.channel ("stable" when only the feed is given)

    QStringList prune; // stdlib parts to drop: tests, tkinter, idlelib, ensurepip
    bool byteCompile = false;
    std::optional<qint64> sourceDateEpoch;
};

// Reads and checks deskpack.json. Every problem is reported in one message
// (one line each) naming the file, the key and what was expected; unknown keys
// name the closest valid key. Errors are ErrorKind::Unreadable (exit 2).
Result<AppConfig> loadAppConfig(const QString &path);

// Levenshtein-closest of `candidates` to `key`, or empty if none is close.
QString closestKey(const QString &key, const QStringList &candidates);

} // namespace deskpack::bundle
