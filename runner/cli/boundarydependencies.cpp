// SPDX-License-Identifier: MIT
#include "boundarydependencies.h"

#include "lock/lockfile.h"
#include "runner/kernel/kernelsession.h"

#include <QRegularExpression>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::plugins {

namespace {

using runner::DepsOperation;
using runner::DepsResult;

// The canonical distribution name a vetted requirement line starts with.
QString requirementName(const QString &line)
{
    static const QRegularExpression re(u"^\\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)"_s);
    return lock::canonicalName(re.match(line).captured(1));
}

DepsResult failed(DepsResult result, const Error &error)
{
    result.status = DepsResult::Status::Failed;
    result.error = error;
    result.report = nullptr;
    return result;
}

DepsResult listed(DepsResult result, PluginBoundary &boundary)
{
    Result<ListResult> listed = boundary.list();
    if (!listed)
        return failed(result, listed.error());
    result.status = DepsResult::Status::Ok;
    result.report = listed->toJson();
    return result;
}

DepsResult removed(DepsResult result, PluginBoundary &boundary, const QString &plugin)
{
    Result<RemoveResult> removed = boundary.remove(plugin);
    if (!removed)
        return failed(result, removed.error());
    result.status = DepsResult::Status::Ok;
    result.changed = !removed->removed.isEmpty();
    result.report = removed->toJson();
    return result;
}

// Syncing to nothing: the plugin declares no requirement any more.
DepsResult syncedToNothing(DepsResult result, PluginBoundary &boundary, const QString &plugin)
{
    Result<ListResult> listed = boundary.list();
    if (!listed)
        return failed(result, listed.error());
    const bool known = std::any_of(listed->plugins.cbegin(), listed->plugins.cend(),
                                   [&](const ListResult::Plugin &p) { return p.name == plugin; });
    if (!known) {
        result.status = DepsResult::Status::Ok;
        result.report = RemoveResult{plugin, {}, {}, false}.toJson();
        return result;
    }
    return removed(std::move(result), boundary, plugin);
}

// Install adds to what the plugin declared before; a line naming the same
// distribution replaces the old one.
Result<QList<RequirementLine>> withDeclared(PluginBoundary &boundary, const QString &plugin,
                                            const QList<RequirementLine> &wanted)
{
    Result<ListResult> listed = boundary.list();
    if (!listed)
        return listed.error();
    QStringList declared;
    for (const ListResult::Plugin &p : listed->plugins) {
        if (p.name == plugin)
            declared = p.requirements;
    }
    if (declared.isEmpty())
        return wanted;
    Result<QList<RequirementLine>> old =
        parseRequirements(declared.join(u'\n').toUtf8(),
                          u"%1 (plugin %2)"_s.arg(QLatin1StringView(OwnersFileName), plugin));
    if (!old)
        return old.error();
    QSet<QString> replaced;
    for (const RequirementLine &line : wanted)
        replaced.insert(requirementName(line.text));
    QList<RequirementLine> merged;
    for (const RequirementLine &line : std::as_const(*old)) {
        if (!replaced.contains(requirementName(line.text)))
            merged.append(line);
    }
    return merged + wanted;
}

DepsResult installed(DepsResult result, PluginBoundary &boundary, const QString &plugin,
                     const QList<RequirementLine> &wanted, const PluginSources &sources)
{
    Result<InstallResult> installed = boundary.install(plugin, wanted, sources);
    if (!installed)
        return failed(result, installed.error());
    result.status = installed->ok() ? DepsResult::Status::Ok : DepsResult::Status::Refused;
    result.changed = !installed->installed.isEmpty() || !installed->removed.isEmpty();
    result.report = installed->toJson();
    return result;
}

} // namespace

BoundaryDependencies::BoundaryDependencies(QString bundleDir, QString dataDir, QString logFile)
    : m_bundleDir(std::move(bundleDir))
    , m_dataDir(std::move(dataDir))
    , m_logFile(std::move(logFile))
{
}

Result<PluginBoundary *> BoundaryDependencies::boundary()
{
    if (!m_boundary) {
        PluginBoundary::Options options;
        options.bundleDir = m_bundleDir;
        options.dataDir = m_dataDir;
        options.logFile = m_logFile;
        Result<PluginBoundary> opened = PluginBoundary::open(options);
        if (!opened)
            return opened.error();
        m_boundary.emplace(std::move(*opened));
    }
    return &*m_boundary;
}

Result<QList<RequirementLine>>
BoundaryDependencies::requestedLines(const runner::DepsRequest &request) const
{
    QList<RequirementLine> lines;
    if (!request.requirementsFile.isEmpty()) {
        Result<QList<RequirementLine>> read = readRequirementsFile(request.requirementsFile);
        if (!read)
            return read.error();
        lines = std::move(*read);
    }
    if (!request.requirements.isEmpty()) {
        Result<QList<RequirementLine>> parsed =
            parseRequirements(request.requirements.join(u'\n').toUtf8(), u"requirements"_s);
        if (!parsed)
            return parsed.error();
        lines += *parsed;
    }
    return lines;
}

DepsResult BoundaryDependencies::run(const runner::DepsRequest &request)
{
    DepsResult result;
    result.operation = request.operation;
    result.plugin = request.plugin;
    if (request.operation != DepsOperation::List && !isValidPluginName(request.plugin))
        return failed(
            result, makeError(ErrorKind::Usage,
                              u"'%1' is not a valid plugin name (1-64 letters, digits, '.', "
                              "'_', '-', starting with a letter or digit)"_s.arg(request.plugin)));
    Result<PluginBoundary *> opened = boundary();
    if (!opened)
        return failed(result, opened.error());
    PluginBoundary &b = **opened;
    PluginSources sources;
    sources.findLinks = request.findLinks;
    sources.indexUrl = request.indexUrl;
    sources.noIndex = request.noIndex;

    switch (request.operation) {
    case DepsOperation::List:
        return listed(result, b);
    case DepsOperation::Uninstall:
        return removed(result, b, request.plugin);
    case DepsOperation::Install:
    case DepsOperation::Sync:
        break;
    }

    Result<QList<RequirementLine>> lines = requestedLines(request);
    if (!lines)
        return failed(result, lines.error());
    if (request.operation == DepsOperation::Sync) {
        if (lines->isEmpty())
            return syncedToNothing(result, b, request.plugin);
        return installed(result, b, request.plugin, *lines, sources);
    }
    if (lines->isEmpty())
        return failed(result, makeError(ErrorKind::Usage,
                                        u"no requirements to install for plugin %1 (give a "
                                        "requirements file with -r)"_s.arg(request.plugin)));
    Result<QList<RequirementLine>> wanted = withDeclared(b, request.plugin, *lines);
    if (!wanted)
        return failed(result, wanted.error());
    return installed(result, b, request.plugin, *wanted, sources);
}

void attachBoundaryDependencies(runner::KernelSession &session, const QString &bundleDir,
                                const QString &dataDir, const QString &logFile)
{
    session.setDependencies(std::make_shared<BoundaryDependencies>(bundleDir, dataDir, logFile));
}

} // namespace deskpack::plugins
