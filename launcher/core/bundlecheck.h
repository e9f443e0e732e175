// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "formats/bundlemanifest.h"

#include <QString>
#include <QStringList>

namespace deskpack::launcher {

// The bundle directory: `requested` when given, else the directory holding the
// executable (the launcher ships in the bundle root, renamed to the app id).
// Fails (Environment) when there is no bundle.json there, naming the path.
Result<QString> locateBundle(const QString &requested, const QString &executableDir);

// What the start-up check found. `problems` are fatal ("FILE: what");
// `warnings` are not (files the manifest does not list).
struct IntegrityReport
{
    bool full = false; // SHA-256 of every file, or only sizes, modes and links
    qsizetype files = 0;
    QStringList problems;
    QStringList warnings;
    bool ok() const { return problems.isEmpty(); }
    QString summary() const;
};

// Sizes, executable bits and link targets of every file the manifest lists,
// compared with the disk (a few milliseconds for thousands of files). Missing,
// truncated or replaced files are problems naming the absolute path.
IntegrityReport quickIntegrityCheck(const formats::BundleManifest &manifest,
                                    const QString &bundleDir);

// Every file re-hashed against the manifest (formats::verifyBundleFiles).
Result<IntegrityReport> fullIntegrityCheck(const formats::BundleManifest &manifest,
                                           const QString &bundleDir);

// A full check is due after an update: when bundle.json differs from the one
// last verified in full on this machine. The stamp lives in `stampDir`
// (the user cache), keyed by the bundle's path.
bool fullCheckDue(const QString &bundleDir, const QString &stampDir);
void recordFullCheck(const QString &bundleDir, const QString &stampDir);
QString defaultStampDir();

} // namespace deskpack::launcher
