// SPDX-License-Identifier: MIT
#include "zstdframes.h"

#include <zstd.h>

#include <algorithm>
#include <memory>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::delta {

namespace {

struct CCtxFree
{
    void operator()(ZSTD_CCtx *c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree
{
    void operator()(ZSTD_DCtx *d) const { ZSTD_freeDCtx(d); }
};

// ZSTD_WINDOWLOG_MIN and _MAX, which zstd.h declares only for static linking.
constexpr int WindowLogMin = 10;
constexpr int WindowLogMax = sizeof(size_t) == 4 ? 30 : 31;

// The smallest window that reaches `bytes` back.
int windowLogFor(qint64 bytes)
{
    int log = WindowLogMin;
    while (log < WindowLogMax && (qint64(1) << log) < bytes)
        ++log;
    return log;
}

// Level 19 searches about 2^23 positions back; beyond that only the
// long-distance matcher finds the old file's copy of a block.
constexpr int LongDistanceFrom = 24;
// zstd's own default limit; a frame may ask more only when the file needs it.
constexpr int DefaultWindowLogMax = 27;

QString zstdWhy(size_t code)
{
    return QString::fromUtf8(ZSTD_getErrorName(code));
}

Result<void> setUp(ZSTD_CCtx *cctx, QByteArrayView data, QByteArrayView prefix, int level)
{
    size_t rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
    if (!ZSTD_isError(rc))
        rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    if (!prefix.isEmpty()) {
        const int windowLog = windowLogFor(prefix.size() + data.size());
        if (!ZSTD_isError(rc) && windowLog > 23)
            rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, windowLog);
        if (!ZSTD_isError(rc) && windowLog >= LongDistanceFrom)
            rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_enableLongDistanceMatching, 1);
        if (!ZSTD_isError(rc))
            rc = ZSTD_CCtx_refPrefix(cctx, prefix.data(), size_t(prefix.size()));
    }
    if (ZSTD_isError(rc))
        return makeError(ErrorKind::Environment, u"zstd: "_s + zstdWhy(rc));
    return {};
}

// Checks the frame's header against what the delta's header says.
Result<void> checkFrameHeader(QByteArrayView frame, qint64 expectedSize)
{
    const size_t compressed = ZSTD_findFrameCompressedSize(frame.data(), size_t(frame.size()));
    if (ZSTD_isError(compressed))
        return makeError(ErrorKind::Invalid, u"not a zstd frame ("_s + zstdWhy(compressed) + u')');
    if (compressed != size_t(frame.size()))
        return makeError(ErrorKind::Invalid,
                         u"the zstd frame is %1 bytes, its slot %2"_s.arg(qulonglong(compressed))
                             .arg(frame.size()));
    const unsigned long long content = ZSTD_getFrameContentSize(frame.data(), size_t(frame.size()));
    if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN)
        return makeError(ErrorKind::Invalid, u"the zstd frame declares no content size"_s);
    if (content != quint64(expectedSize))
        return makeError(
            ErrorKind::Invalid,
            u"the zstd frame holds %1 bytes, expected %2"_s.arg(content).arg(expectedSize));
    return {};
}

} // namespace

Result<QByteArray> compressFrame(QByteArrayView data, QByteArrayView prefix, int level)
{
    std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
    if (!cctx)
        return makeError(ErrorKind::Environment, u"zstd: out of memory"_s);
    if (Result<void> ready = setUp(cctx.get(), data, prefix, level); !ready)
        return ready.error();
    QByteArray out(qsizetype(ZSTD_compressBound(size_t(data.size()))), Qt::Uninitialized);
    const size_t n = ZSTD_compress2(cctx.get(), out.data(), size_t(out.size()), data.data(),
                                    size_t(data.size()));
    if (ZSTD_isError(n))
        return makeError(ErrorKind::Environment, u"zstd: "_s + zstdWhy(n));
    out.truncate(qsizetype(n));
    return out;
}

Result<void> decompressFrame(QByteArrayView frame, QByteArrayView prefix, qint64 expectedSize,
                             const std::function<Result<void>(QByteArrayView)> &sink)
{
    if (Result<void> header = checkFrameHeader(frame, expectedSize); !header)
        return header;
    std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
    if (!dctx)
        return makeError(ErrorKind::Environment, u"zstd: out of memory"_s);
    const int windowLogMax =
        std::max(DefaultWindowLogMax, windowLogFor(prefix.size() + expectedSize));
    size_t rc = ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, windowLogMax);
    if (!ZSTD_isError(rc) && !prefix.isEmpty())
        rc = ZSTD_DCtx_refPrefix(dctx.get(), prefix.data(), size_t(prefix.size()));
    if (ZSTD_isError(rc))
        return makeError(ErrorKind::Environment, u"zstd: "_s + zstdWhy(rc));
    QByteArray block(qsizetype(std::min<qint64>(std::max<qint64>(expectedSize, 1), 1 << 20)),
                     Qt::Uninitialized);
    ZSTD_inBuffer in{frame.data(), size_t(frame.size()), 0};
    qint64 produced = 0;
    size_t remaining = 1;
    while (remaining != 0) {
        ZSTD_outBuffer out{block.data(), size_t(block.size()), 0};
        remaining = ZSTD_decompressStream(dctx.get(), &out, &in);
        if (ZSTD_isError(remaining))
            return makeError(ErrorKind::Invalid,
                             u"damaged zstd data ("_s + zstdWhy(remaining) + u')');
        produced += qint64(out.pos);
        if (produced > expectedSize)
            return makeError(ErrorKind::Invalid,
                             u"the zstd frame holds more than %1 bytes"_s.arg(expectedSize));
        if (out.pos > 0) {
            if (Result<void> taken = sink(QByteArrayView(block.constData(), qsizetype(out.pos)));
                !taken)
                return taken;
        } else if (remaining != 0 && in.pos == in.size) {
            return makeError(ErrorKind::Invalid, u"the zstd frame is truncated"_s);
        }
    }
    if (produced != expectedSize)
        return makeError(
            ErrorKind::Invalid,
            u"the zstd frame holds %1 bytes, expected %2"_s.arg(produced).arg(expectedSize));
    return {};
}

} // namespace deskpack::delta
