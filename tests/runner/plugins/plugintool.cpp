// SPDX-License-Identifier: MIT
// Test helper: runs one plugin boundary operation in its own process.
//   plugintool install BUNDLE DATA PLUGIN REQUIREMENTS FIND_LINKS [--pause-at PHASE]
//   plugintool remove BUNDLE DATA PLUGIN [--pause-at PHASE]
// Prints each phase on stdout; at PHASE (a prefix: "staged", "commit 1/") it
// prints "paused" and blocks forever, so the test can SIGKILL it right there.
// With --fill-at PHASE ("commit-last": after the last rename of the commit) it
// fills the data dir's file system (DATA/filler, written until ENOSPC) there
// and carries on, so the rest of the change meets a full disk (--leave BYTES
// frees that much again, so the next few writes still fit).
// Exit codes as DESIGN.md; a refused install exits 1.
#include "runner/plugins/pluginboundary.h"

#include <QCoreApplication>
#include <QFile>
#include <QThread>

#include <cstdio>

using namespace deskpack;
using namespace deskpack::plugins;
using namespace Qt::Literals::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    QString pauseAt, fillAt;
    if (const qsizetype i = args.indexOf(u"--pause-at"_s); i >= 0 && i + 1 < args.size()) {
        pauseAt = args[i + 1];
        args.remove(i, 2);
    }
    if (const qsizetype i = args.indexOf(u"--fill-at"_s); i >= 0 && i + 1 < args.size()) {
        fillAt = args[i + 1];
        args.remove(i, 2);
    }
    qint64 leave = 0; // bytes left free after filling
    if (const qsizetype i = args.indexOf(u"--leave"_s); i >= 0 && i + 1 < args.size()) {
        leave = args[i + 1].toLongLong();
        args.remove(i, 2);
    }
    if (args.size() < 4) {
        std::fprintf(stderr, "usage: plugintool install|remove BUNDLE DATA PLUGIN ...\n");
        return ExitUsage;
    }
    PluginBoundary::Options options;
    options.bundleDir = args[1];
    options.dataDir = args[2];
    options.onPhase = [&](const QString &phase) {
        std::printf("phase %s\n", qPrintable(phase));
        std::fflush(stdout);
        bool fill = !fillAt.isEmpty() && phase.startsWith(fillAt);
        if (fillAt == u"commit-last" && phase.startsWith(u"commit "_s)) {
            const QStringList counts = phase.mid(7).split(u'/');
            fill = counts.size() == 2 && counts[0] == counts[1];
        }
        if (fill) {
            QFile filler(args[2] + u"/filler"_s);
            if (filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) {
                const QByteArray block(64 * 1024, 'x');
                while (filler.write(block) == block.size() && filler.flush()) {
                }
                // Single bytes fill the last partial page.
                while (filler.write("x", 1) == 1 && filler.flush()) {
                }
                if (leave > 0)
                    filler.resize(qMax<qint64>(0, filler.size() - leave));
            }
            std::printf("filled %lld\n", static_cast<long long>(filler.size()));
            std::fflush(stdout);
        }
        if (!pauseAt.isEmpty() && phase.startsWith(pauseAt)) {
            std::printf("paused\n");
            std::fflush(stdout);
            for (;;)
                QThread::sleep(60);
        }
    };
    Result<PluginBoundary> boundary = PluginBoundary::open(options);
    if (!boundary) {
        std::fprintf(stderr, "%s\n", qPrintable(boundary.error().message));
        return exitCodeFor(boundary.error().kind);
    }
    if (args[0] == u"install" && args.size() == 6) {
        Result<QList<RequirementLine>> reqs = readRequirementsFile(args[4]);
        if (!reqs) {
            std::fprintf(stderr, "%s\n", qPrintable(reqs.error().message));
            return exitCodeFor(reqs.error().kind);
        }
        PluginSources sources;
        sources.noIndex = true;
        sources.findLinks = {args[5]};
        Result<InstallResult> r = boundary->install(args[3], *reqs, sources);
        if (!r) {
            std::fprintf(stderr, "%s\n", qPrintable(r.error().message));
            return exitCodeFor(r.error().kind);
        }
        std::printf("%s\n", r->toJson().dump().c_str());
        return r->ok() ? ExitOk : ExitProblems;
    }
    if (args[0] == u"remove") {
        Result<RemoveResult> r = boundary->remove(args[3]);
        if (!r) {
            std::fprintf(stderr, "%s\n", qPrintable(r.error().message));
            return exitCodeFor(r.error().kind);
        }
        std::printf("%s\n", r->toJson().dump().c_str());
        return ExitOk;
    }
    std::fprintf(stderr, "plugintool: bad arguments\n");
    return ExitUsage;
}
