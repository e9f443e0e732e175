// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace deskpack::launcher {

struct DoctorInput
{
    QString bundleDir; // may hold a broken or unreadable bundle.json: that is reported
    QString dataDir;
    QString output; // FILE.zip
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
};

struct DoctorResult
{
    QStringList entries; // the zip's entry names, in order
    bool bundleOk = false;
};

// Whether an environment variable's name looks like it holds a secret
// (TOKEN, SECRET, PASSWORD, KEY, AUTH, CREDENTIAL, COOKIE, ... in the name).
bool isSecretName(const QString &name);
// NAME=value lines, sorted; secret-looking values replaced by "<filtered>",
// and passwords inside URLs (scheme://user:password@host) masked.
QString filteredEnvironment(const QProcessEnvironment &environment);

// `<app-id> doctor -o FILE.zip`: what a user attaches to a bug report. Logs,
// bundle.json, the lock, the full verification, the lock check, versions and
// the filtered environment. Written beside FILE.zip and renamed into place,
// so a failure leaves no half-written zip.
Result<DoctorResult> writeDoctorZip(const DoctorInput &input);

} // namespace deskpack::launcher
