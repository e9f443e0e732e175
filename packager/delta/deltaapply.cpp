// SPDX-License-Identifier: MIT
// Applying a delta: the new tree is built beside nothing else in outDir, file
// by file in parallel batches, from sources whose hashes are checked first,
// then links, then bundle.json, then the whole tree is verified. Any failure
// removes outDir.
#include "delta.h"

#include "deltareader.h"
#include "treeoutput.h"
#include "zstdframes.h"

#include "base/fspath.h"
#include "base/parallel.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <cerrno>

#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::delta {

namespace {

// One file of the new tree and where it comes from (no operation: the old
// file of the same path, same hash).
struct Job
{
    const formats::BundleFile *file = nullptr;
    const Operation *op = nullptr;
};

// An old file mapped and proved to be what the delta expects.
struct Source
{
    QFile file;
    QByteArrayView bytes;
};

Result<void> mapSource(Source &source, const QString &path, const QString &sha256)
{
    const auto changed = [&path](const QString &why) {
        return makeError(ErrorKind::Invalid,
                         u"%1: changed since it was installed (%2)"_s.arg(path, why));
    };
    const QFileInfo info(path);
    if (info.isSymLink() || !info.isFile())
        return changed(info.exists() || info.isSymLink() ? u"not a file"_s : u"missing"_s);
    source.file.setFileName(path);
    if (!source.file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Environment,
                         u"%1: cannot read: %2"_s.arg(path, source.file.errorString()));
    const qint64 size = source.file.size();
    const uchar *mapped = size > 0 ? source.file.map(0, size) : nullptr;
    if (size > 0 && !mapped)
        return makeError(ErrorKind::Environment,
                         u"%1: cannot read: %2"_s.arg(path, source.file.errorString()));
    source.bytes = QByteArrayView(reinterpret_cast<const char *>(mapped), qsizetype(size));
    const QByteArray actual =
        QCryptographicHash::hash(source.bytes, QCryptographicHash::Sha256).toHex();
    if (QString::fromLatin1(actual) != sha256)
        return changed(
            u"sha256 %1, expected %2"_s.arg(QString::fromLatin1(actual.left(12)), sha256.left(12)));
    return {};
}

class Applier
{
public:
    Applier(const OpenedDelta &delta, const QString &fromDir, const QString &outDir,
            const ApplyOptions &options)
        : m_delta(delta)
        , m_from(fromDir)
        , m_out(outDir)
        , m_options(options)
    {
    }

    Result<void> run();

private:
    Result<void> checkFromTree() const;
    Result<void> makeDirectories() const;
    std::vector<Job> jobs() const;
    Result<void> writeFiles(const std::vector<Job> &jobs);
    Result<void> writeFile(const Job &job) const;
    Result<void> produce(const Job &job, const Source &source, OutputFile &out) const;
    Result<void> makeLinks() const;
    Result<void> finish() const;

    const OpenedDelta &m_delta;
    QString m_from, m_out;
    const ApplyOptions &m_options;
};

Result<void> Applier::checkFromTree() const
{
    Result<formats::BundleManifest> old = formats::readManifest(m_from);
    if (!old)
        return makeError(ErrorKind::Invalid, old.error().message);
    const DeltaHeader &h = m_delta.header;
    if (old->id != h.appId || old->version != h.fromVersion)
        return makeError(ErrorKind::Invalid, u"%1 holds %2 %3; the delta %4 applies to %5 %6"_s.arg(
                                                 m_from, old->id, old->version, m_delta.fileName,
                                                 h.appId, h.fromVersion));
    return {};
}

Result<void> Applier::makeDirectories() const
{
    QSet<QString> dirs(m_delta.manifest.dirs.cbegin(), m_delta.manifest.dirs.cend());
    for (const formats::BundleFile &f : m_delta.manifest.files) {
        if (const QString parent = parentOfRelative(f.path); !parent.isEmpty())
            dirs.insert(parent);
    }
    QStringList sorted(dirs.cbegin(), dirs.cend());
    sorted.sort();
    for (const QString &dir : std::as_const(sorted)) {
        const QString path = m_out + u'/' + dir;
        if (!QDir().mkpath(path))
            return writeError(path, QFileInfo(path).exists() ? EEXIST : EIO);
    }
    return {};
}

std::vector<Job> Applier::jobs() const
{
    QHash<QString, const Operation *> ops;
    for (const Operation &op : m_delta.header.operations)
        ops.insert(op.path, &op);
    std::vector<Job> jobs;
    for (const formats::BundleFile &f : m_delta.manifest.files) {
        if (f.linkTarget.isEmpty())
            jobs.push_back(Job{&f, ops.value(f.path)});
    }
    return jobs;
}

Result<void> Applier::produce(const Job &job, const Source &source, OutputFile &out) const
{
    const Operation *op = job.op;
    if (!op || op->kind == Operation::Kind::Same)
        return out.write(source.bytes);
    const auto sink = [&out](QByteArrayView block) {
        return out.write(block);
    };
    Result<void> unpacked = decompressFrame(m_delta.frame(op->frame), source.bytes, op->size, sink);
    if (!unpacked && unpacked.error().kind == ErrorKind::Invalid)
        return makeError(ErrorKind::Invalid,
                         u"%1: not a usable delta: %2: %3"_s.arg(m_delta.fileName, op->path,
                                                                 unpacked.error().message));
    return unpacked;
}

Result<void> Applier::writeFile(const Job &job) const
{
    const formats::BundleFile &f = *job.file;
    Source source;
    if (!job.op || job.op->kind != Operation::Kind::Whole) {
        const QString from = job.op ? job.op->from : f.path;
        const QString sha = job.op ? job.op->fromSha256 : f.sha256;
        if (Result<void> mapped = mapSource(source, m_from + u'/' + from, sha); !mapped)
            return mapped;
    }
    OutputFile out;
    const QString path = m_out + u'/' + f.path;
    if (Result<void> opened = out.open(path, f.executable); !opened)
        return opened;
    if (Result<void> produced = produce(job, source, out); !produced)
        return produced;
    Result<QString> sha = out.finish();
    if (!sha)
        return sha.error();
    if (*sha != f.sha256)
        return makeError(ErrorKind::Invalid,
                         u"%1: not a usable delta: %2 comes out with sha256 %3, expected %4"_s.arg(
                             m_delta.fileName, f.path, sha->left(12), f.sha256.left(12)));
    return {};
}

// Batches of about 64 MiB (or 256 files) in parallel; between batches the
// progress callback runs on the calling thread and may cancel.
Result<void> Applier::writeFiles(const std::vector<Job> &jobs)
{
    qint64 total = 0, done = 0;
    for (const Job &job : jobs)
        total += job.file->size;
    for (std::size_t begin = 0; begin < jobs.size();) {
        std::size_t end = begin;
        qint64 bytes = 0;
        while (end < jobs.size() && (end == begin || (bytes < (64 << 20) && end - begin < 256)))
            bytes += jobs[end++].file->size;
        std::vector<Result<void>> results(end - begin);
        forEachInParallel(
            qsizetype(end - begin), [&](qsizetype i) { results[i] = writeFile(jobs[begin + i]); },
            4);
        for (const Result<void> &result : results) {
            if (!result)
                return result;
        }
        done += bytes;
        begin = end;
        if (m_options.progress && !m_options.progress(total > 0 ? double(done) / total : 1.0))
            return makeError(ErrorKind::Environment, u"%1: cancelled"_s.arg(m_delta.fileName));
    }
    return {};
}

Result<void> Applier::makeLinks() const
{
    for (const formats::BundleFile &f : m_delta.manifest.files) {
        if (f.linkTarget.isEmpty())
            continue;
        const QString path = m_out + u'/' + f.path;
        if (::symlink(QFile::encodeName(f.linkTarget).constData(),
                      QFile::encodeName(path).constData()) != 0)
            return writeError(path, errno);
    }
    return {};
}

Result<void> Applier::finish() const
{
    const QString manifestPath = m_out + u"/bundle.json"_s;
    if (Result<void> written = writeNewFile(manifestPath, m_delta.manifestText, false); !written)
        return written;
    Result<formats::VerifyReport> report = formats::verifyBundleFiles(m_delta.manifest, m_out);
    if (!report)
        return makeError(ErrorKind::Environment, report.error().message);
    if (!report->ok()) {
        const QStringList problems =
            report->missing + report->changed + report->extra + report->unsafe;
        return makeError(ErrorKind::Invalid,
                         u"%1: not a usable delta: the tree it builds does not verify: %2"_s.arg(
                             m_delta.fileName, problems.mid(0, 5).join(u"; "_s)));
    }
    return {};
}

Result<void> Applier::run()
{
    if (Result<void> from = checkFromTree(); !from)
        return from;
    if (Result<void> dirs = makeDirectories(); !dirs)
        return dirs;
    if (Result<void> files = writeFiles(jobs()); !files)
        return files;
    if (Result<void> links = makeLinks(); !links)
        return links;
    return finish();
}

// Names the delta file in errors that name neither it nor a source file.
Error namingDelta(const Error &error, const QString &deltaFile, const QString &fromDir)
{
    if (error.message.contains(deltaFile) || error.message.startsWith(fromDir))
        return error;
    return makeError(error.kind, u"%1: %2"_s.arg(deltaFile, error.message));
}

} // namespace

Result<DeltaSummary> readDeltaHeader(const QString &deltaFile)
{
    Result<OpenedDelta> delta = openDelta(deltaFile);
    if (!delta)
        return delta.error();
    return summaryOf(*delta);
}

Result<DeltaSummary> applyDelta(const QString &fromDir, const QString &deltaFile,
                                const QString &outDir, const ApplyOptions &options)
{
    if (QFileInfo(outDir).exists() || QFileInfo(outDir).isSymLink())
        return makeError(ErrorKind::Usage, u"%1: already exists; a delta is applied into a new "
                                           u"directory"_s.arg(outDir));
    Result<OpenedDelta> delta = openDelta(deltaFile);
    if (!delta)
        return delta.error();
    if (!QDir().mkpath(outDir))
        return makeError(ErrorKind::Environment, u"%1: cannot create the directory"_s.arg(outDir));
    Applier applier(*delta, QDir::cleanPath(fromDir), QDir::cleanPath(outDir), options);
    if (Result<void> applied = applier.run(); !applied) {
        QDir(outDir).removeRecursively();
        return namingDelta(applied.error(), deltaFile, QDir::cleanPath(fromDir));
    }
    return summaryOf(*delta);
}

} // namespace deskpack::delta
