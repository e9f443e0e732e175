// SPDX-License-Identifier: MIT
#include "pluginsoperations.h"
#include "base/wording.h"

#include "runner/plugins/pluginrequirements.h"

#include <QFileInfo>

#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {

using plugins::PluginBoundary;
using Outcome = PluginOperationOutcome;

QString joinOr(const QStringList &items, const QString &none)
{
    return items.isEmpty() ? none : items.join(u", "_s);
}

Outcome failed(const QString &message)
{
    return Outcome{message, false, false, std::nullopt, {}};
}

Outcome install(const PluginInstallRequest &request, PluginBoundary &b)
{
    Outcome out;
    Result<QList<plugins::RequirementLine>> requirements =
        plugins::readRequirementsFile(request.requirements);
    if (!requirements)
        return failed(requirements.error().message);
    plugins::PluginSources sources;
    if (!request.findLinks.isEmpty()) {
        sources.findLinks = {QFileInfo(request.findLinks).absoluteFilePath()};
        sources.noIndex = true;
    }
    Result<plugins::InstallResult> r = b.install(request.plugin, *requirements, sources);
    if (!r)
        return failed(r.error().message);
    if (!r->ok()) {
        QStringList why;
        for (const plugins::Clash &c : r->clashes)
            why << c.message();
        for (const plugins::Offense &o : r->offenses)
            why << o.message;
        out.message = u"Refused, nothing changed: %1"_s.arg(why.join(u"; "_s));
        out.ok = false;
        return out;
    }
    out.message = u"Installed plugin %1: %2."_s.arg(
        request.plugin, joinOr(r->installed, u"nothing new (the core has it all)"_s));
    out.restartRequired = r->restartRequired;
    return out;
}

} // namespace

PluginOperationOutcome runPluginOperation(const PluginBoundary::Options &options,
                                          const PluginOperation &operation)
{
    Outcome outcome;
    Result<PluginBoundary> boundary = PluginBoundary::open(options);
    if (!boundary)
        return failed(boundary.error().message);
    if (operation)
        outcome = operation(*boundary);
    Result<plugins::ListResult> listed = boundary->list();
    if (listed)
        outcome.listed = std::move(*listed);
    else
        outcome.listError = listed.error().message;
    return outcome;
}

PluginOperation installPluginOperation(const PluginInstallRequest &request)
{
    return [request](PluginBoundary &b) {
        return install(request, b);
    };
}

PluginOperation removePluginOperation(const QString &plugin)
{
    return [plugin](PluginBoundary &b) {
        Result<plugins::RemoveResult> r = b.remove(plugin);
        if (!r)
            return failed(r.error().message);
        QString message = u"Removed plugin %1: %2"_s.arg(plugin, joinOr(r->removed, u"—"_s));
        if (!r->kept.isEmpty())
            message += u"; kept %1"_s.arg(r->kept.join(u", "_s));
        return Outcome{message + u'.', true, r->restartRequired, std::nullopt, {}};
    };
}

PluginOperation auditPluginsOperation()
{
    return [](PluginBoundary &b) {
        Result<plugins::AuditResult> r = b.audit();
        if (!r)
            return failed(r.error().message);
        QString message = r->quarantined.isEmpty()
                              ? u"Audit: no offenders."_s
                              : u"Audit: quarantined %1."_s.arg(
                                    counted(r->quarantined.size(), u"offender"_s, u"offenders"_s));
        return Outcome{message, r->quarantined.isEmpty(), r->restartRequired(), std::nullopt, {}};
    };
}

PluginOperation restorePluginOperation(const QString &quarantineId)
{
    return [quarantineId](PluginBoundary &b) {
        Result<plugins::QuarantineEntry> r = b.restore(quarantineId);
        if (!r)
            return failed(r.error().message);
        return Outcome{u"Restored %1 into the plugin site-packages."_s.arg(quarantineId),
                       true,
                       true,
                       std::nullopt,
                       {}};
    };
}

} // namespace deskpack::launcher
