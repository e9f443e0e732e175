// SPDX-License-Identifier: MIT
#pragma once

#include "cellrunner.h"

#include <QString>
#include <QStringList>

namespace deskpack::runner::cli {

// The sources a deps request uses when it names none.
struct DefaultSources
{
    QStringList findLinks;
    QString indexUrl;
    bool noIndex = false;
};

// A --cells file: one {"code": "..."} or {"deps": ...} object per line; blank lines
// are skipped.
Result<QList<CellRunner::Step>> readSteps(const QString &path, const DefaultSources &defaults);

} // namespace deskpack::runner::cli
