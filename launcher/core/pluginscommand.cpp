// SPDX-License-Identifier: MIT
#include "pluginscommand.h"
#include "base/terminal.h"

#include "bundlecheck.h"
#include "launchaudit.h"
#include "formats/appid.h"
#include "formats/bundlemanifest.h"
#include "runner/plugins/pluginboundary.h"

#include <QFileInfo>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

namespace {

using plugins::PluginBoundary;

const char *kindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Invalid:
        return "invalid";
    case ErrorKind::Usage:
        return "usage";
    case ErrorKind::Unreadable:
        return "unreadable";
    case ErrorKind::Environment:
        return "environment";
    }
    return "environment";
}

struct Reporter
{
    QString verb;
    bool json = false;

    int fail(const Error &error) const
    {
        printText(stderr, u"plugins %1: %2\n"_s.arg(verb, error.message));
        if (json)
            printJson(
                {{"error",
                  {{"kind", kindName(error.kind)}, {"message", error.message.toStdString()}}}});
        return exitCodeFor(error.kind);
    }
    void report(const nlohmann::json &document) const
    {
        if (json)
            printJson(document);
    }
};

QString verbOf(PluginsRequest::Action action)
{
    switch (action) {
    case PluginsRequest::Action::List:
        return u"list"_s;
    case PluginsRequest::Action::Check:
        return u"check"_s;
    case PluginsRequest::Action::Install:
        return u"install"_s;
    case PluginsRequest::Action::Remove:
        return u"remove"_s;
    case PluginsRequest::Action::Audit:
        return u"audit"_s;
    case PluginsRequest::Action::Restore:
        return u"restore"_s;
    }
    return {};
}

void printQuarantine(const QList<plugins::QuarantineEntry> &entries)
{
    for (const plugins::QuarantineEntry &q : entries)
        printText(stderr, describeQuarantineEntry(q) + u'\n');
}

int runList(PluginBoundary &boundary, const Reporter &out)
{
    Result<plugins::ListResult> listed = boundary.list();
    if (!listed)
        return out.fail(listed.error());
    out.report(listed->toJson());
    if (listed->plugins.isEmpty())
        printText(stderr, u"no plugins installed in %1\n"_s.arg(listed->sitePackages));
    for (const auto &p : std::as_const(listed->plugins)) {
        printText(stderr, u"%1: %2%3\n"_s.arg(
            p.name, p.distributions.join(u", "_s),
            p.missing.isEmpty() ? QString() : u" (missing: %1)"_s.arg(p.missing.join(u", "_s))));
    }
    for (const auto &d : std::as_const(listed->distributions)) {
        if (d.owners.isEmpty())
            printText(stderr, u"%1 %2: installed by hand (no plugin owns it)\n"_s.arg(d.name, d.version));
    }
    printQuarantine(listed->quarantine);
    return ExitOk;
}

int runCheckOrInstall(PluginBoundary &boundary, const PluginsRequest &request, const Reporter &out)
{
    Result<QList<plugins::RequirementLine>> requirements =
        plugins::readRequirementsFile(request.requirements);
    if (!requirements)
        return out.fail(requirements.error());
    plugins::PluginSources sources;
    for (const QString &dir : request.findLinks)
        sources.findLinks.append(QFileInfo(dir).absoluteFilePath());
    sources.indexUrl = request.indexUrl;
    sources.noIndex = request.noIndex;

    const bool install = request.action == PluginsRequest::Action::Install;
    plugins::CheckResult checked;
    plugins::InstallResult installed;
    if (install) {
        Result<plugins::InstallResult> r = boundary.install(request.name, *requirements, sources);
        if (!r)
            return out.fail(r.error());
        installed = *r;
        checked = installed;
        out.report(installed.toJson());
    } else {
        Result<plugins::CheckResult> r = boundary.check(request.name, *requirements, sources);
        if (!r)
            return out.fail(r.error());
        checked = *r;
        out.report(checked.toJson());
    }
    for (const plugins::Clash &clash : std::as_const(checked.clashes))
        printText(stderr, u"%1: %2\n"_s.arg(request.requirements, clash.message()));
    for (const plugins::Offense &offense : std::as_const(checked.offenses))
        printText(stderr, u"%1: %2\n"_s.arg(request.requirements, offense.message));
    if (!checked.ok()) {
        printText(stderr, u"plugins %1: plugin %2 refused; the plugin site-packages is unchanged\n"_s.arg(
            out.verb, request.name));
        return ExitProblems;
    }
    if (!install) {
        int added = 0;
        for (const plugins::ResolvedDistribution &d : std::as_const(checked.resolution))
            added += d.where == u"new" ? 1 : 0;
        printText(stderr, u"plugin %1 fits beside the core (%2 distributions to add, %3 resolved)\n"_s
                     .arg(request.name)
                     .arg(added)
                     .arg(checked.resolution.size()));
        return ExitOk;
    }
    printText(stderr, u"plugin %1 installed: %2%3%4\n"_s.arg(
        request.name,
        installed.installed.isEmpty() ? u"nothing new (the core or other plugins have it all)"_s
                                      : installed.installed.join(u", "_s),
        installed.removed.isEmpty() ? QString()
                                    : u"; removed %1"_s.arg(installed.removed.join(u", "_s)),
        installed.restartRequired ? u"; restart the app to load it"_s : QString()));
    return ExitOk;
}

int runRemove(PluginBoundary &boundary, const PluginsRequest &request, const Reporter &out)
{
    Result<plugins::RemoveResult> removed = boundary.remove(request.name);
    if (!removed)
        return out.fail(removed.error());
    out.report(removed->toJson());
    printText(stderr, u"plugin %1 removed%2%3%4\n"_s.arg(
        request.name,
        removed->removed.isEmpty() ? QString() : u": %1"_s.arg(removed->removed.join(u", "_s)),
        removed->kept.isEmpty() ? QString() : u"; kept %1"_s.arg(removed->kept.join(u", "_s)),
        removed->restartRequired ? u"; restart the app to unload it"_s : QString()));
    return ExitOk;
}

int runAudit(PluginBoundary &boundary, const Reporter &out)
{
    Result<plugins::AuditResult> audit = boundary.audit();
    if (!audit)
        return out.fail(audit.error());
    out.report(audit->toJson());
    if (!audit->recovered.isEmpty())
        printText(stderr, u"recovered: %1\n"_s.arg(audit->recovered));
    printText(stderr, u"audit: %1 quarantined now, %2 in quarantine\n"_s.arg(audit->quarantined.size())
                 .arg(audit->quarantine.size()));
    printQuarantine(audit->quarantine);
    // Anything in quarantine is an offender nobody has settled yet.
    return audit->quarantine.isEmpty() ? ExitOk : ExitProblems;
}

int runRestore(PluginBoundary &boundary, const PluginsRequest &request, const Reporter &out)
{
    Result<plugins::QuarantineEntry> restored = boundary.restore(request.name);
    if (!restored)
        return out.fail(restored.error());
    out.report(restored->toJson());
    printText(stderr, u"restored %1 into the plugin site-packages; restart the app to load it\n"_s.arg(
        request.name));
    return ExitOk;
}

} // namespace

int reportPluginsUsageError(const QString &message, bool json)
{
    printText(stderr, u"launcher: %1 (see --help)\n"_s.arg(message));
    if (json)
        printJson({{"error", {{"kind", "usage"}, {"message", message.toStdString()}}}});
    return ExitUsage;
}

int runPluginsCommand(const LauncherOptions &launcherOptions, const QString &executableDir)
{
    const PluginsRequest &request = launcherOptions.plugins;
    const Reporter out{verbOf(request.action), launcherOptions.json};
    Result<QString> bundleDir = locateBundle(launcherOptions.bundleDir, executableDir);
    if (!bundleDir)
        return out.fail(bundleDir.error());
    Result<formats::BundleManifest> manifest = formats::readManifest(*bundleDir);
    if (!manifest)
        return out.fail(manifest.error());
    PluginBoundary::Options options;
    options.bundleDir = *bundleDir;
    options.dataDir = launcherOptions.dataDir.isEmpty()
                          ? defaultDataDir(manifest->id)
                          : QFileInfo(launcherOptions.dataDir).absoluteFilePath();
    Result<PluginBoundary> boundary = PluginBoundary::open(options);
    if (!boundary)
        return out.fail(boundary.error());
    switch (request.action) {
    case PluginsRequest::Action::List:
        return runList(*boundary, out);
    case PluginsRequest::Action::Check:
    case PluginsRequest::Action::Install:
        return runCheckOrInstall(*boundary, request, out);
    case PluginsRequest::Action::Remove:
        return runRemove(*boundary, request, out);
    case PluginsRequest::Action::Audit:
        return runAudit(*boundary, out);
    case PluginsRequest::Action::Restore:
        return runRestore(*boundary, request, out);
    }
    return ExitUsage;
}

} // namespace deskpack::launcher
