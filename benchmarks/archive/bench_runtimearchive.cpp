// SPDX-License-Identifier: MIT
// Times, in one run on one machine: `deskpack runtime pack` of a host
// interpreter; extraction of that archive by deskpack's safe extractor and by
// GNU `tar -xzf` (alternating which goes first, fresh target directory each
// time, deletion untimed); and compares the runtime's size with the source.
// Prints a table (or --json) with medians and the extractor/tar ratio.
//
//   bench_runtimearchive [--python /usr/bin/python3.11] [--repeat 9] [--pack-repeat 3]
//                        [--work DIR] [--json]

#include "archive/extractor.h"
#include "runtime/pythoninfo.h"
#include "runtime/runtimearchive.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;

namespace {

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n == 0 ? 0.0 : (n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0);
}

struct TreeSize
{
    qint64 bytes = 0;
    qint64 files = 0;
};

// Regular-file content under `dir`, not following symlinks. With `carried`,
// only what a runtime copy takes: no __pycache__, site-/dist-packages or
// config-X.Y-* (static libpython for building extensions).
TreeSize treeSize(const QString &dir, bool carried = false)
{
    TreeSize size;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo entry(it.next());
        const QStringList parts = QDir(dir).relativeFilePath(entry.filePath()).split(u'/');
        const bool skipped = std::any_of(parts.cbegin(), parts.cend(), [](const QString &p) {
            return p == u"__pycache__" || p == u"dist-packages" || p == u"site-packages" ||
                   p.startsWith(u"config-");
        });
        if (carried && skipped)
            continue;
        if (entry.isFile() && !entry.isSymLink()) {
            size.bytes += entry.size();
            ++size.files;
        }
    }
    return size;
}

void say(const QString &text)
{
    std::fputs(text.toUtf8().constData(), stderr);
}

int fail(const QString &text)
{
    say(u"bench_runtimearchive: %1\n"_s.arg(text));
    return 3;
}

double mib(qint64 bytes)
{
    return double(bytes) / (1024.0 * 1024.0);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption pythonOption(u"python"_s, u"Host interpreter."_s, u"EXE"_s,
                                          u"/usr/bin/python3.11"_s);
    const QCommandLineOption repeatOption(u"repeat"_s, u"Extractions per tool."_s, u"N"_s, u"9"_s);
    const QCommandLineOption packRepeatOption(u"pack-repeat"_s, u"Packs."_s, u"N"_s, u"3"_s);
    const QCommandLineOption workOption(u"work"_s, u"Scratch directory."_s, u"DIR"_s);
    const QCommandLineOption jsonOption(u"json"_s, u"JSON on stdout."_s);
    parser.addOptions({pythonOption, repeatOption, packRepeatOption, workOption, jsonOption});
    parser.process(app);
    const QString python = parser.value(pythonOption);
    const int repeat = std::max(1, parser.value(repeatOption).toInt());
    const int packRepeat = std::max(1, parser.value(packRepeatOption).toInt());

    QTemporaryDir scratch(parser.isSet(workOption)
                              ? parser.value(workOption) + u"/bench-XXXXXX"_s
                              : QDir::tempPath() + u"/bench-runtimearchive-XXXXXX"_s);
    if (!scratch.isValid())
        return fail(u"cannot create a scratch directory"_s);

    // Pack (each pack copies, patches, checks and compresses from scratch).
    QList<double> packTimes;
    runtime::PackedRuntime packed;
    for (int i = 0; i < packRepeat; ++i) {
        const QString archive = scratch.filePath(u"pack%1/python.tar.gz"_s.arg(i));
        QElapsedTimer timer;
        timer.start();
        Result<runtime::PackedRuntime> result = runtime::packHostRuntime(python, archive);
        packTimes.append(double(timer.nsecsElapsed()) / 1e6);
        if (!result)
            return fail(result.error().message);
        if (i > 0 && result->metadata.sha256 != packed.metadata.sha256)
            return fail(u"two packs differ; the archive is not reproducible"_s);
        packed = *result;
    }
    const QString archive = packed.archivePath;

    QList<double> ours;
    QList<double> tar;
    for (int i = 0; i < repeat + 1; ++i) { // round 0 warms the page cache, untimed
        for (int k = 0; k < 2; ++k) {
            const bool oursNow = (i + k) % 2 == 0;
            const QString target = scratch.filePath(u"x-%1-%2"_s.arg(i).arg(k));
            QElapsedTimer timer;
            if (oursNow) {
                timer.start();
                Result<archive::ExtractSummary> done = archive::extractArchive(archive, target);
                const double ms = double(timer.nsecsElapsed()) / 1e6;
                if (!done)
                    return fail(done.error().message);
                if (i > 0)
                    ours.append(ms);
            } else {
                QDir().mkpath(target);
                QProcess process;
                timer.start();
                process.start(u"tar"_s, {u"-xzf"_s, archive, u"-C"_s, target});
                if (!process.waitForFinished(-1) || process.exitCode() != 0)
                    return fail(u"tar failed: %1"_s.arg(
                        QString::fromLocal8Bit(process.readAllStandardError())));
                if (i > 0)
                    tar.append(double(timer.nsecsElapsed()) / 1e6);
            }
            QDir(target).removeRecursively();
        }
    }

    Result<runtime::PythonInfo> host = runtime::probePython(python);
    if (!host)
        return fail(host.error().message);
    const QString stdlib = host->stdlib;
    const TreeSize sourceAll = treeSize(stdlib);
    const TreeSize sourceCarried = treeSize(stdlib, true);
    const qint64 interpreterBytes = QFileInfo(QFileInfo(python).canonicalFilePath()).size();
    const double ratio = median(ours) / median(tar);
    const nlohmann::json doc = {
        {"python", python.toStdString()},
        {"python_version", packed.metadata.pythonVersion.toStdString()},
        {"repeat", repeat},
        {"pack_ms_median", median(packTimes)},
        {"extract_deskpack_ms_median", median(ours)},
        {"extract_tar_ms_median", median(tar)},
        {"extract_ratio", ratio},
        {"extract_deskpack_ms", std::vector<double>(ours.cbegin(), ours.cend())},
        {"extract_tar_ms", std::vector<double>(tar.cbegin(), tar.cend())},
        {"archive_bytes", packed.metadata.size},
        {"runtime_bytes", packed.runtimeBytes},
        {"runtime_entries", packed.entries},
        {"source_stdlib_bytes", sourceAll.bytes},
        {"source_stdlib_bytes_carried", sourceCarried.bytes},
        {"source_interpreter_bytes", interpreterBytes},
    };
    if (parser.isSet(jsonOption)) {
        std::puts(doc.dump(2).c_str());
        return 0;
    }
    std::printf("Python %s from %s, archive %.1f MiB (%lld entries)\n",
                packed.metadata.pythonVersion.toUtf8().constData(), python.toUtf8().constData(),
                mib(packed.metadata.size), static_cast<long long>(packed.entries));
    std::printf("pack (copy + patchelf + checks + tar.gz), median of %d: %8.0f ms\n", packRepeat,
                median(packTimes));
    std::printf("extract, deskpack (libarchive, checked), median of %d: %8.0f ms\n", repeat,
                median(ours));
    std::printf("extract, GNU tar -xzf,                   median of %d: %8.0f ms\n", repeat,
                median(tar));
    std::printf("ratio deskpack / tar: %.2f\n", ratio);
    std::printf("runtime files %.1f MiB; source: interpreter %.1f MiB + %s "
                "%.1f MiB (%.1f MiB without __pycache__, dist-packages, config-*)\n",
                mib(packed.runtimeBytes), mib(interpreterBytes), stdlib.toUtf8().constData(),
                mib(sourceAll.bytes), mib(sourceCarried.bytes));
    return 0;
}
