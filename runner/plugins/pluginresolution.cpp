// SPDX-License-Identifier: MIT
#include "pluginresolution.h"
#include "base/fileio.h"

#include "lock/lockfile.h"
#include "pluginresolvescript.h"
#include "runner/python/pip.h"
#include "runner/python/pythonprocess.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

namespace deskpack::plugins {

namespace {

constexpr qint64 MaxReportSize = 256ll << 20;

QString str(const json &object, const char *key)
{
    if (!object.is_object() || !object.contains(key) || !object[key].is_string())
        return {};
    return QString::fromStdString(object[key].get<std::string>());
}

Result<void> writeFile(const QString &path, const QByteArray &data)
{
    return writeFileAtomically(path, data);
}

json readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return json(json::value_t::discarded);
    const QByteArray data = file.read(MaxReportSize);
    return json::parse(data.constData(), data.constData() + data.size(), nullptr, false);
}

QString requirementName(const QString &requirement)
{
    static const QRegularExpression name(u"^\\s*([A-Za-z0-9][A-Za-z0-9._-]*)"_s);
    return name.match(requirement).captured(1);
}

} // namespace

QStringList sourceArguments(const PluginSources &sources)
{
    QStringList args;
    if (sources.noIndex)
        args << u"--no-index"_s;
    if (!sources.indexUrl.isEmpty())
        args << u"--index-url"_s << sources.indexUrl;
    for (const QString &dir : sources.findLinks)
        args << u"--find-links"_s << dir;
    return args;
}

Result<QList<ReportItem>> parseReport(QByteArrayView data, const QString &fileName)
{
    const json doc = json::parse(data.begin(), data.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return makeError(ErrorKind::Environment,
                         u"%1: pip's report is not a JSON object"_s.arg(fileName));
    if (!doc.contains("install") || !doc["install"].is_array())
        return makeError(ErrorKind::Environment,
                         u"%1: pip's report has no \"install\" array"_s.arg(fileName));
    QList<ReportItem> items;
    const json &install = doc["install"];
    for (size_t i = 0; i < install.size(); ++i) {
        const json &item = install[i];
        const QString where = u"%1: install[%2]"_s.arg(fileName).arg(i);
        if (!item.is_object() || !item.contains("metadata") || !item["metadata"].is_object())
            return makeError(ErrorKind::Environment, where + u".metadata is not an object"_s);
        ReportItem r;
        r.name = str(item["metadata"], "name");
        r.version = str(item["metadata"], "version");
        if (r.name.isEmpty() || r.version.isEmpty())
            return makeError(ErrorKind::Environment,
                             where + u".metadata lacks a string name or version"_s);
        r.canonicalName = lock::canonicalName(r.name);
        if (item.contains("download_info") && item["download_info"].is_object()) {
            const json &info = item["download_info"];
            if (info.contains("archive_info") && info["archive_info"].is_object()) {
                const QString hash = str(info["archive_info"], "hash");
                if (hash.startsWith(u"sha256="_s))
                    r.sha256 = hash.mid(7);
            }
        }
        items.append(r);
    }
    return items;
}

QList<Clash> clashesFromPipOutput(const CoreIndex &core, const QString &plugin,
                                  const QString &output)
{
    static const QRegularExpression dependsOn(u"^\\s+(\\S+) (\\S+) depends on (.+?)\\s*$"_s,
                                              QRegularExpression::MultilineOption);
    static const QRegularExpression requested(
        u"^\\s+The user requested (?!\\(constraint\\))(.+?)\\s*$"_s,
        QRegularExpression::MultilineOption);
    QList<Clash> out;
    QSet<QString> seen;
    auto add = [&](const QString &requirement, const QString &requiredBy) {
        const auto pin = core.pins.constFind(lock::canonicalName(requirementName(requirement)));
        if (pin == core.pins.cend() || seen.contains(requirement + requiredBy))
            return;
        seen.insert(requirement + requiredBy);
        out.append({plugin, requirement, requiredBy, pin->name, pin->version, {}});
    };
    for (auto it = dependsOn.globalMatch(output); it.hasNext();) {
        const auto m = it.next();
        add(m.captured(3), m.captured(1) + u' ' + m.captured(2));
    }
    for (auto it = requested.globalMatch(output); it.hasNext();)
        add(it.next().captured(1), {});
    return out;
}

namespace {

// The files of one resolution in its scratch dir.
struct ResolveFiles
{
    explicit ResolveFiles(const QDir &scratch)
        : pins(scratch.filePath(u"core-pins.txt"_s))
        , requirements(scratch.filePath(u"requirements.txt"_s))
        , report(scratch.filePath(u"report.json"_s))
        , out(scratch.filePath(u"resolution.json"_s))
        , config(scratch.filePath(u"resolve.json"_s))
    {
    }
    QString pins;
    QString requirements;
    QString report;
    QString out;
    QString config;
};

// The core's pins as a constraints file for pip; `pinMap` gets them as
// pluginresolve.py reads them.
QByteArray corePins(const CoreIndex &core, json &pinMap)
{
    QByteArray pins = "# The app's core, pinned: a plugin may add, never replace.\n";
    pinMap = json::object();
    QStringList pinKeys = core.pins.keys();
    pinKeys.sort();
    for (const QString &key : pinKeys) {
        const CoreIndex::Pin &pin = core.pins[key];
        if (pin.name.contains(u' ') || pin.version.contains(u' '))
            continue;
        pins += (pin.name + u"=="_s + pin.version + u'\n').toUtf8();
        pinMap[key.toStdString()] = {pin.name.toStdString(), pin.version.toStdString()};
    }
    return pins;
}

QStringList pipArguments(const ResolveFiles &files, const PluginSources &sources)
{
    QStringList pipArgs{u"install"_s,      u"--isolated"_s,     u"--disable-pip-version-check"_s,
                        u"--no-input"_s,   u"--progress-bar"_s, u"off"_s,
                        u"--dry-run"_s,    u"--report"_s,       files.report,
                        u"-c"_s,           files.pins,          u"-r"_s,
                        files.requirements};
    pipArgs << sourceArguments(sources);
    return pipArgs;
}

// Writes the pins, the requirements and pluginresolve.py's config.
Result<void> writeResolveInputs(const CoreIndex &core, const ResolveRequest &request,
                                const ResolveFiles &files, const QStringList &pipArgs)
{
    json pinMap;
    const QByteArray pins = corePins(core, pinMap);
    QByteArray requirements;
    json requirementList = json::array();
    for (const RequirementLine &r : request.requirements) {
        requirements += r.text.toUtf8() + '\n';
        requirementList.push_back(
            {{"text", r.text.toStdString()}, {"file", r.file.toStdString()}, {"line", r.line}});
    }
    json pipJson = json::array();
    for (const QString &a : pipArgs)
        pipJson.push_back(a.toStdString());
    json extraPaths = json::array();
    if (QFileInfo(request.pluginSitePackages).isDir())
        extraPaths.push_back(request.pluginSitePackages.toStdString());
    const json config = {{"extraPaths", extraPaths},
                         {"pins", pinMap},
                         {"requirements", requirementList},
                         {"pipArguments", pipJson},
                         {"report", files.report.toStdString()},
                         {"pluginSitePackages", request.pluginSitePackages.toStdString()},
                         {"coreSitePackages", request.coreSitePackages.toStdString()},
                         {"out", files.out.toStdString()}};
    for (const auto &[path, data] :
         {std::pair{files.pins, pins}, std::pair{files.requirements, requirements},
          std::pair{files.config, QByteArray::fromStdString(config.dump())}}) {
        if (auto w = writeFile(path, data); !w)
            return w.error();
    }
    return {};
}

// Runs pluginresolve.py with the bundle's interpreter; pip's command line
// and output go to the log file when there is one.
Result<runner::PythonOutput> runResolveScript(const ResolveRequest &request,
                                              const ResolveFiles &files, const QStringList &pipArgs)
{
    runner::PythonCommand python;
    python.interpreter = request.interpreter;
    python.environment = runner::pipEnvironment();
    python.timeoutMs = 15 * 60 * 1000;
    python.arguments = {u"-I"_s, u"-B"_s, u"-c"_s, QString::fromUtf8(PluginResolveScript),
                        files.config};
    Result<runner::PythonOutput> run = runner::runPython(python);
    if (!request.logFile.isEmpty()) {
        QFile log(request.logFile);
        if (log.open(QIODevice::Append)) {
            log.write("$ pip " + pipArgs.join(u' ').toUtf8() + '\n');
            if (run)
                log.write(run->standardOutput + run->standardError);
        }
    }
    return run;
}

Error invalidRequirement(const json &bad)
{
    return makeError(ErrorKind::Usage,
                     u"%1:%2: '%3' is not a valid requirement: %4"_s.arg(
                         str(bad, "file"),
                         QString::number(bad.contains("line") && bad["line"].is_number_integer()
                                             ? bad["line"].get<int>()
                                             : 0),
                         str(bad, "text"), str(bad, "message")));
}

// The clashes pluginresolve.py found before running pip.
QList<Clash> scriptClashes(const json &out, const QString &plugin)
{
    QList<Clash> clashes;
    if (out.contains("clashes") && out["clashes"].is_array()) {
        for (const json &c : out["clashes"])
            clashes.append({plugin,
                            str(c, "requirement"),
                            str(c, "requiredBy"),
                            str(c, "name"),
                            str(c, "coreVersion"),
                            {}});
    }
    return clashes;
}

// When pip failed: the clashes its explanation names, else its error.
Result<ResolutionOutcome> pipFailure(const CoreIndex &core, const ResolveRequest &request,
                                     const runner::PythonOutput &run)
{
    ResolutionOutcome outcome;
    const QString output =
        QString::fromUtf8(run.standardOutput) + u'\n' + QString::fromUtf8(run.standardError);
    outcome.clashes = clashesFromPipOutput(core, request.plugin, output);
    if (!outcome.clashes.isEmpty())
        return outcome;
    return makeError(ErrorKind::Environment,
                     u"pip could not resolve the requirements of plugin %1:\n%2"_s.arg(
                         request.plugin, runner::pipFailureSummary(run.standardError)));
}

Result<ResolutionOutcome> readOutcome(const CoreIndex &core, const ResolveRequest &request,
                                      const ResolveFiles &files, const runner::PythonOutput &run)
{
    const json out = readJson(files.out);
    if (run.exitCode != 0 || !out.is_object())
        return makeError(ErrorKind::Environment,
                         u"resolving with %1 failed (exit %2):\n%3"_s.arg(request.interpreter)
                             .arg(run.exitCode)
                             .arg(runner::pipFailureSummary(run.standardError)));
    if (out.contains("invalid") && out["invalid"].is_array() && !out["invalid"].empty())
        return invalidRequirement(out["invalid"][0]);
    ResolutionOutcome outcome;
    outcome.clashes = scriptClashes(out, request.plugin);
    if (!outcome.clashes.isEmpty())
        return outcome;
    const bool pipOk = out.contains("pipExit") && out["pipExit"].is_number_integer() &&
                       out["pipExit"].get<int>() == 0;
    if (!pipOk)
        return pipFailure(core, request, run);
    QFile report(files.report);
    if (!report.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Environment,
                         u"%1: pip wrote no report: %2"_s.arg(files.report, report.errorString()));
    Result<QList<ReportItem>> items = parseReport(report.read(MaxReportSize), files.report);
    if (!items)
        return items.error();
    outcome.items = *items;
    if (out.contains("closure") && out["closure"].is_array()) {
        for (const json &d : out["closure"])
            outcome.closure.append({str(d, "name"), str(d, "version"), str(d, "where")});
    }
    return outcome;
}

} // namespace

Result<ResolutionOutcome> resolveWithPip(const CoreIndex &core, const ResolveRequest &request)
{
    const ResolveFiles files{QDir(request.scratch)};
    const QStringList pipArgs = pipArguments(files, request.sources);
    if (auto written = writeResolveInputs(core, request, files, pipArgs); !written)
        return written.error();
    Result<runner::PythonOutput> run = runResolveScript(request, files, pipArgs);
    if (!run)
        return run.error();
    return readOutcome(core, request, files, *run);
}

} // namespace deskpack::plugins
