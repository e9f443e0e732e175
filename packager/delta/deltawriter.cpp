// SPDX-License-Identifier: MIT
// Writing a delta: plan (which files are unchanged, moved, patched, new),
// compress in parallel batches in a fixed order (so the bytes never depend on
// scheduling), assemble beside the destination, prove it by applying it, and
// only then rename it into place.
#include "delta.h"

#include "deltaformat.h"
#include "zstdframes.h"

#include "base/fspath.h"
#include "base/parallel.h"
#include "formats/bundlemanifest.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSet>
#include <QTemporaryDir>
#include <QTemporaryFile>

#include <algorithm>
#include <filesystem>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::delta {

namespace {

Result<formats::BundleManifest> verifiedTree(const QString &dir)
{
    Result<formats::BundleManifest> manifest = formats::readManifest(dir);
    if (!manifest)
        return makeError(ErrorKind::Invalid, manifest.error().message);
    Result<formats::VerifyReport> report = formats::verifyBundleFiles(*manifest, dir);
    if (!report)
        return report.error();
    if (!report->ok()) {
        const QStringList problems =
            report->missing + report->changed + report->extra + report->unsafe;
        return makeError(ErrorKind::Invalid,
                         u"%1: does not match its bundle.json (%2 problems: %3)"_s.arg(dir)
                             .arg(problems.size())
                             .arg(problems.mid(0, 3).join(u"; "_s)));
    }
    return manifest;
}

// Which new file comes from where. Operations are ordered as the header's
// JSON object orders its keys (UTF-8 bytes), which is the frames' order.
DeltaHeader plan(const formats::BundleManifest &from, const formats::BundleManifest &to)
{
    QHash<QString, const formats::BundleFile *> oldByPath;
    QHash<QString, QString> oldPathBySha; // the first path in order with that content
    for (const formats::BundleFile &f : from.files) {
        oldByPath.insert(f.path, &f);
        if (f.linkTarget.isEmpty() && !oldPathBySha.contains(f.sha256))
            oldPathBySha.insert(f.sha256, f.path);
    }
    DeltaHeader header{to.id, from.version, to.version, {}, 0, {}, {}, {}};
    QSet<QString> newPaths;
    for (const formats::BundleFile &f : to.files) {
        newPaths.insert(f.path);
        if (!f.linkTarget.isEmpty())
            continue;
        const formats::BundleFile *old = oldByPath.value(f.path);
        const bool oldFile = old && old->linkTarget.isEmpty();
        if (oldFile && old->sha256 == f.sha256)
            continue;
        Operation op{Operation::Kind::Whole, f.path, {}, {}, {}, f.size, f.sha256};
        if (oldPathBySha.contains(f.sha256)) {
            op.kind = Operation::Kind::Same;
            op.from = oldPathBySha.value(f.sha256);
            op.fromSha256 = f.sha256;
        } else if (oldFile && old->size > 0) {
            op.kind = Operation::Kind::Patch;
            op.from = f.path;
            op.fromSha256 = old->sha256;
        }
        header.operations.push_back(std::move(op));
    }
    std::sort(
        header.operations.begin(), header.operations.end(),
        [](const Operation &a, const Operation &b) { return a.path.toUtf8() < b.path.toUtf8(); });
    for (const formats::BundleFile &f : from.files) {
        if (!newPaths.contains(f.path))
            header.removed.append(f.path);
    }
    return header;
}

Result<QByteArrayView> mapped(QFile &file)
{
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(file.fileName(), file.errorString()));
    const qint64 size = file.size();
    const uchar *data = size > 0 ? file.map(0, size) : nullptr;
    if (size > 0 && !data)
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(file.fileName(), file.errorString()));
    return QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size));
}

Result<QByteArray> frameOf(const Operation &op, const QString &fromDir, const QString &toDir,
                           int level)
{
    QFile newFile(toDir + u'/' + op.path), oldFile(fromDir + u'/' + op.from);
    Result<QByteArrayView> data = mapped(newFile);
    if (!data)
        return data.error();
    QByteArrayView prefix;
    if (op.kind == Operation::Kind::Patch) {
        Result<QByteArrayView> old = mapped(oldFile);
        if (!old)
            return old.error();
        prefix = *old;
    }
    return compressFrame(*data, prefix, level);
}

class PayloadWriter
{
public:
    explicit PayloadWriter(QFile &file)
        : m_file(file)
    {
    }
    Result<Frame> append(const QByteArray &frame)
    {
        if (m_file.write(frame) != frame.size())
            return makeError(ErrorKind::Environment, u"%1: cannot write: %2"_s.arg(
                                                         m_file.fileName(), m_file.errorString()));
        const Frame placed{m_offset, frame.size()};
        m_offset += frame.size();
        return placed;
    }

private:
    QFile &m_file;
    qint64 m_offset = 0;
};

// Compresses every patch and whole file, in batches of up to 64 files
// compressed in parallel, appending the frames in operation order.
Result<void> compressAll(DeltaHeader &header, const QString &fromDir, const QString &toDir,
                         int level, PayloadWriter &payload)
{
    std::vector<Operation *> stored;
    for (Operation &op : header.operations) {
        if (op.kind != Operation::Kind::Same)
            stored.push_back(&op);
    }
    for (std::size_t begin = 0; begin < stored.size(); begin += 64) {
        const std::size_t count = std::min<std::size_t>(64, stored.size() - begin);
        std::vector<Result<QByteArray>> frames(count, QByteArray());
        forEachInParallel(
            qsizetype(count),
            [&](qsizetype i) { frames[i] = frameOf(*stored[begin + i], fromDir, toDir, level); },
            1);
        for (std::size_t i = 0; i < count; ++i) {
            if (!frames[i])
                return frames[i].error();
            Result<Frame> placed = payload.append(*frames[i]);
            if (!placed)
                return placed.error();
            stored[begin + i]->frame = *placed;
        }
    }
    return {};
}

} // namespace

namespace {

Result<void> assemble(const DeltaHeader &header, QFile &payload, QFile &out)
{
    const QByteArray text = serializeHeader(header);
    const auto failed = [&out] {
        return makeError(ErrorKind::Environment,
                         u"%1: cannot write: %2"_s.arg(out.fileName(), out.errorString()));
    };
    if (out.write(encodePrefix(text) + text) != PrefixSize + text.size())
        return failed();
    if (!payload.flush() || !payload.seek(0))
        return makeError(ErrorKind::Environment, u"%1: cannot read back: %2"_s.arg(
                                                     payload.fileName(), payload.errorString()));
    while (!payload.atEnd()) {
        const QByteArray block = payload.read(1 << 20);
        if (block.isEmpty() || out.write(block) != block.size())
            return failed();
    }
    if (!out.flush())
        return failed();
    return {};
}

// Applies `candidate` to fromDir in a scratch directory beside the delta; the
// result must verify (applyDelta checks every file against the bundle.json it
// carries) and that bundle.json must be toDir's, byte for byte.
Result<DeltaSummary> checkReproduces(const QString &fromDir, const QString &toDir,
                                     const QString &candidate, const QString &deltaDir)
{
    QTemporaryDir scratch(deltaDir + u"/.deskpack-delta-check-XXXXXX"_s);
    if (!scratch.isValid())
        return makeError(ErrorKind::Environment, u"%1: cannot create a scratch directory: %2"_s.arg(
                                                     deltaDir, scratch.errorString()));
    const QString out = scratch.filePath(u"tree"_s);
    Result<DeltaSummary> applied = applyDelta(fromDir, candidate, out);
    if (!applied)
        return makeError(applied.error().kind, u"the delta written does not reproduce %1: %2"_s.arg(
                                                   toDir, applied.error().message));
    QFile built(out + u"/bundle.json"_s), wanted(toDir + u"/bundle.json"_s);
    if (!built.open(QIODevice::ReadOnly) || !wanted.open(QIODevice::ReadOnly) ||
        built.readAll() != wanted.readAll())
        return makeError(
            ErrorKind::Invalid,
            u"the delta written does not reproduce %1: bundle.json differs"_s.arg(toDir));
    return applied;
}

// The new bundle.json as the first frame.
Result<void> storeManifest(DeltaHeader &header, const QString &toDir, int level,
                           PayloadWriter &payload)
{
    QFile file(toDir + u"/bundle.json"_s);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorKind::Unreadable,
                         u"%1: cannot read: %2"_s.arg(file.fileName(), file.errorString()));
    const QByteArray text = file.readAll();
    Result<QByteArray> frame = compressFrame(text, {}, level);
    if (!frame)
        return frame.error();
    Result<Frame> placed = payload.append(*frame);
    if (!placed)
        return placed.error();
    header.manifest = *placed;
    header.manifestSize = text.size();
    header.manifestSha256 =
        QString::fromLatin1(QCryptographicHash::hash(text, QCryptographicHash::Sha256).toHex());
    return {};
}

Result<QString> writeCandidate(DeltaHeader &header, const QString &fromDir, const QString &toDir,
                               const QString &deltaFile, int level, QTemporaryFile &candidate)
{
    QTemporaryFile payloadFile(deltaFile + u".payload-XXXXXX"_s);
    if (!payloadFile.open() || !candidate.open())
        return makeError(ErrorKind::Environment,
                         u"%1: cannot create a temporary file beside it"_s.arg(deltaFile));
    PayloadWriter payload(payloadFile);
    Result<void> done = storeManifest(header, toDir, level, payload);
    if (done)
        done = compressAll(header, fromDir, toDir, level, payload);
    if (done)
        done = assemble(header, payloadFile, candidate);
    if (!done)
        return done.error();
    candidate.close();
    candidate.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                             QFileDevice::ReadGroup | QFileDevice::ReadOther);
    return candidate.fileName();
}

} // namespace

Result<DeltaSummary> writeDelta(const QString &fromDir, const QString &toDir,
                                const QString &deltaFile, const DeltaOptions &options)
{
    Result<formats::BundleManifest> from = verifiedTree(fromDir);
    if (!from)
        return from.error();
    Result<formats::BundleManifest> to = verifiedTree(toDir);
    if (!to)
        return to.error();
    if (from->id != to->id)
        return makeError(ErrorKind::Invalid,
                         u"%1 holds %2 and %3 holds %4: a delta joins two "
                         u"versions of one app"_s.arg(fromDir, from->id, toDir, to->id));
    DeltaHeader header = plan(*from, *to);
    QTemporaryFile candidate(deltaFile + u".XXXXXX"_s);
    Result<QString> written =
        writeCandidate(header, fromDir, toDir, deltaFile, options.level, candidate);
    if (!written)
        return written.error();
    Result<DeltaSummary> summary =
        checkReproduces(fromDir, toDir, *written, QFileInfo(deltaFile).absolutePath());
    if (!summary)
        return summary.error();
    std::error_code error;
    std::filesystem::rename(toFsPath(*written), toFsPath(deltaFile), error);
    if (error)
        return makeError(ErrorKind::Environment,
                         u"%1: cannot rename into place: %2"_s.arg(
                             deltaFile, QString::fromLocal8Bit(error.message())));
    candidate.setAutoRemove(false);
    return summary;
}

} // namespace deskpack::delta
