// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"
#include "pluginaudit.h"
#include "pluginboundary.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace deskpack::plugins {

// A distribution pip's report would install.
struct ReportItem
{
    QString name;
    QString version;
    QString canonicalName;
    QString sha256; // empty when the report has none
};

// What one resolution found. `clashes` set means pip could not (or must not)
// resolve; then `items` and `closure` are empty.
struct ResolutionOutcome
{
    QList<Clash> clashes;
    QList<ReportItem> items;
    QList<ResolvedDistribution> closure;
};

struct ResolveRequest
{
    QString interpreter;
    QString coreSitePackages;
    QString pluginSitePackages; // may not exist
    QString plugin;
    QList<RequirementLine> requirements;
    PluginSources sources;
    QString scratch; // an empty directory for the config, pins and report
    QString logFile;
};

// Runs the bundle's pip through pluginresolve.py (see there).
Result<ResolutionOutcome> resolveWithPip(const CoreIndex &core, const ResolveRequest &request);

// pip's report (`install --dry-run --report`), read without trusting it:
// every key is type-checked; a report that is not what pip writes fails with
// ErrorKind::Environment naming the file and the JSON path.
Result<QList<ReportItem>> parseReport(QByteArrayView data, const QString &fileName);

// Clashes named in pip's ResolutionImpossible explanation ("The conflict is
// caused by: oldlib 1.0 depends on demo-greeting<1.0"), for requirements on a
// core distribution.
QList<Clash> clashesFromPipOutput(const CoreIndex &core, const QString &plugin,
                                  const QString &output);

// pip's source options for `sources`.
QStringList sourceArguments(const PluginSources &sources);

} // namespace deskpack::plugins
