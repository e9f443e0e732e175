// SPDX-License-Identifier: MIT
// Plugin boundary benchmark, in one run:
//  1. check: PluginBoundary::check() (requirement vetting, the bundle's pip
//     with every core distribution pinned and the plugin site-packages
//     visible, dependency closure) against a bare
//     `python -I -m pip install --dry-run --report` of the same requirements
//     with the same interpreter and sources, alternating, medians compared;
//  2. audit: PluginBoundary::audit() of a plugin site-packages holding N
//     generated distributions (a package, a module, RECORD, METADATA each),
//     none offending, so every RECORD is read and nothing moves.
// usage: bench_plugins --bundle B --find-links DIR -r REQUIREMENTS
//                      [--repeat 7] [--distributions 500] [--json]
#include "runner/python/pip.h"
#include "runner/plugins/pluginboundary.h"
#include "runner/python/pythonprocess.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <ctime>

using namespace deskpack;
using namespace deskpack::plugins;
using namespace Qt::Literals::StringLiterals;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

void writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(data);
}

// N distributions as pip --target leaves them.
void makePluginSitePackages(const QString &dir, int count)
{
    for (int i = 0; i < count; ++i) {
        const QByteArray name = "benchdist" + QByteArray::number(i);
        const QByteArray info = name + "-1.0.dist-info";
        const QByteArray base = dir.toUtf8() + '/';
        writeFile(QString::fromUtf8(base + name + "/__init__.py"), "X = 1\n");
        writeFile(QString::fromUtf8(base + name + "/core.py"), "Y = 2\n");
        writeFile(QString::fromUtf8(base + name + "_helper.py"), "Z = 3\n");
        writeFile(QString::fromUtf8(base + info + "/METADATA"),
                  "Metadata-Version: 2.1\nName: " + name + "\nVersion: 1.0\n\n");
        writeFile(QString::fromUtf8(base + info + "/top_level.txt"),
                  name + '\n' + name + "_helper\n");
        writeFile(QString::fromUtf8(base + info + "/RECORD"),
                  name + "/__init__.py,sha256=x,6\n" + name + "/core.py,sha256=y,6\n" + name +
                      "_helper.py,sha256=z,6\n" + info + "/METADATA,,\n" + info +
                      "/top_level.txt,,\n" + info + "/RECORD,,\n");
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption bundleOpt(u"bundle"_s, u"bundle"_s, u"DIR"_s);
    const QCommandLineOption linksOpt(u"find-links"_s, u"wheels"_s, u"DIR"_s);
    const QCommandLineOption reqOpt(u"r"_s, u"requirements"_s, u"FILE"_s);
    const QCommandLineOption repeatOpt(u"repeat"_s, u"rounds"_s, u"N"_s, u"7"_s);
    const QCommandLineOption distOpt(u"distributions"_s, u"audit size"_s, u"N"_s, u"500"_s);
    const QCommandLineOption jsonOpt(u"json"_s, u"JSON on stdout"_s);
    const QCommandLineOption auditOnlyOpt(u"audit-only"_s, u"skip the check comparison"_s);
    parser.addOptions({bundleOpt, linksOpt, reqOpt, repeatOpt, distOpt, jsonOpt, auditOnlyOpt});
    parser.process(app);
    const int repeat = std::max(1, parser.value(repeatOpt).toInt());
    const int distributions = std::max(1, parser.value(distOpt).toInt());

    QTemporaryDir data;
    PluginBoundary::Options options;
    options.bundleDir = parser.value(bundleOpt);
    options.dataDir = data.path();
    Result<PluginBoundary> boundary = PluginBoundary::open(options);
    if (!boundary) {
        std::fprintf(stderr, "%s\n", qPrintable(boundary.error().message));
        return 2;
    }
    Result<QList<RequirementLine>> reqs = readRequirementsFile(parser.value(reqOpt));
    if (!reqs) {
        std::fprintf(stderr, "%s\n", qPrintable(reqs.error().message));
        return 2;
    }
    PluginSources sources;
    sources.noIndex = true;
    sources.findLinks = {QFileInfo(parser.value(linksOpt)).absoluteFilePath()};

    // 1. check against a bare dry run, alternating, one warm-up each.
    std::vector<double> ours, bare;
    for (int round = 0; !parser.isSet(auditOnlyOpt) && round <= repeat; ++round) {
        for (int which = 0; which < 2; ++which) {
            const bool deskpackFirst = round % 2 == 0;
            const bool runOurs = (which == 0) == deskpackFirst;
            QElapsedTimer timer;
            timer.start();
            if (runOurs) {
                Result<CheckResult> r = boundary->check(u"bench"_s, *reqs, sources);
                if (!r || !r->ok())
                    qFatal("check failed: %s",
                           r ? r->toJson().dump().c_str() : qPrintable(r.error().message));
            } else {
                QTemporaryDir scratch;
                runner::PythonCommand py;
                py.interpreter = boundary->interpreter();
                py.environment = runner::pipEnvironment();
                py.arguments = {u"-I"_s,
                                u"-B"_s,
                                u"-m"_s,
                                u"pip"_s,
                                u"install"_s,
                                u"--isolated"_s,
                                u"--disable-pip-version-check"_s,
                                u"--no-input"_s,
                                u"--dry-run"_s,
                                u"--report"_s,
                                scratch.filePath(u"report.json"_s),
                                u"--no-index"_s,
                                u"--find-links"_s,
                                sources.findLinks[0],
                                u"-r"_s,
                                parser.value(reqOpt)};
                Result<runner::PythonOutput> r = runner::runPython(py);
                if (!r || r->exitCode != 0)
                    qFatal("bare pip failed");
            }
            if (round > 0)
                (runOurs ? ours : bare).push_back(double(timer.nsecsElapsed()) / 1e6);
        }
    }

    // 2. the audit of N plugin distributions.
    makePluginSitePackages(data.path() + u"/site-packages"_s, distributions);
    std::vector<double> audits, auditCpu;
    for (int round = 0; round <= repeat; ++round) {
        QElapsedTimer timer;
        timer.start();
        const std::clock_t cpu = std::clock();
        Result<AuditResult> r = boundary->audit();
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        if (round > 0)
            auditCpu.push_back(double(std::clock() - cpu) * 1000.0 / CLOCKS_PER_SEC);
        if (!r || !r->quarantined.isEmpty())
            qFatal("audit failed or quarantined something");
        if (round > 0)
            audits.push_back(ms);
    }

    const double o = median(ours), b = median(bare), a = median(audits), ac = median(auditCpu);
    if (parser.isSet(jsonOpt)) {
        std::printf(
            "{\"checkMs\": %.1f, \"bareDryRunMs\": %.1f, \"ratio\": %.2f, "
            "\"auditMs\": %.2f, \"auditCpuMs\": %.2f, \"distributions\": %d, \"repeat\": %d}\n",
            o, b, b > 0 ? o / b : 0.0, a, ac, distributions, repeat);
    } else {
        if (b > 0) {
            std::printf("plugin check (median of %d): %.1f ms\n", repeat, o);
            std::printf("bare pip install --dry-run (median of %d): %.1f ms\n", repeat, b);
            std::printf("ratio check/bare: %.2f\n", o / b);
        }
        std::printf("audit of %d plugin distributions (median of %d): %.2f ms wall, %.2f ms CPU\n",
                    distributions, repeat, a, ac);
    }
    return 0;
}
