// SPDX-License-Identifier: MIT
// Damaged and hostile delta files: every byte flipped, every length cut,
// hand-made headers with escaping paths, huge or overlapping frames, sizes
// that lie. Each is refused as ErrorKind::Invalid naming the delta, and no
// tree (or file outside it) is left.
#include "delta/delta.h"

#include "common/testutil.h"
#include "deltatrees.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <zstd.h>

using namespace deskpack;
using namespace deskpack::test;
using json = nlohmann::json;

class TestHostileDelta : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_from, m_to, m_delta;
    QByteArray m_bytes;
    int m_count = 0;

    // Applies `bytes` as a delta; returns the error, failing the test when
    // it applied or left anything.
    Error refused(const QByteArray &bytes)
    {
        const QString file = m_dir.filePath(u"hostile%1.delta"_s.arg(++m_count));
        const QString out = m_dir.filePath(u"out%1"_s.arg(m_count));
        if (!writeBytes(file, bytes))
            qFatal("cannot write");
        Result<delta::DeltaSummary> applied = delta::applyDelta(m_from, file, out);
        QFile::remove(file);
        if (applied.ok())
            return Error{ErrorKind::Usage, u"applied"_s};
        if (QFileInfo::exists(out))
            return Error{ErrorKind::Usage, u"left a tree"_s};
        return applied.error();
    }

    QByteArray withHeader(const std::function<void(json &)> &change) const
    {
        const DeltaParts parts = splitDelta(m_bytes);
        json header = json::parse(parts.header.toStdString());
        change(header);
        return joinDelta(QByteArray::fromStdString(header.dump(2)), parts.payload);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_from = m_dir.filePath(u"from"_s);
        m_to = m_dir.filePath(u"to"_s);
        TreeSpec from = baseSpec();
        from.files[u"runtime/lib/python3.11/site-packages/demo/big.py"_s] = lines(300, "big");
        TreeSpec to = from;
        to.version = u"1.0.1"_s;
        to.files[u"app/main.py"_s] += "# changed\n";
        to.files[u"app/added.txt"_s] = "a new file\n";
        to.files[u"app/moved.bin"_s] = to.files.take(u"app/data/table.bin"_s);
        QVERIFY(writeTree(m_from, from));
        QVERIFY(writeTree(m_to, to));
        m_delta = m_dir.filePath(u"good.delta"_s);
        Result<delta::DeltaSummary> written = delta::writeDelta(m_from, m_to, m_delta);
        QVERIFY2(written.ok(), qPrintable(written ? QString() : written.error().message));
        m_bytes = readBytes(m_delta);
        QVERIFY(m_bytes.size() > 200 && m_bytes.size() < 6000);
    }

    void everyByteFlipped()
    {
        for (qsizetype i = 0; i < m_bytes.size(); ++i) {
            QByteArray bytes = m_bytes;
            bytes[i] = char(bytes[i] ^ 0x21);
            const Error error = refused(bytes);
            QVERIFY2(error.kind == ErrorKind::Invalid,
                     qPrintable(u"byte %1: "_s.arg(i) + error.message));
        }
    }

    void everyLengthCut()
    {
        for (qsizetype n = 0; n < m_bytes.size(); ++n) {
            const Error error = refused(m_bytes.left(n));
            QVERIFY2(error.kind == ErrorKind::Invalid,
                     qPrintable(u"%1 bytes: "_s.arg(n) + error.message));
        }
        QCOMPARE(refused(m_bytes + "x").kind, ErrorKind::Invalid);
        QCOMPARE(refused(m_bytes + m_bytes).kind, ErrorKind::Invalid);
    }

    void hostileHeaders_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("why");
        const auto row = [this](const char *name, const std::function<void(json &)> &change,
                                const QString &why) {
            QTest::newRow(name) << withHeader(change) << why;
        };
        const auto renameOp = [](json &h, const std::string &to) {
            json &files = h["files"];
            files[to] = files["app/added.txt"];
            files.erase("app/added.txt");
        };
        row(
            "escaping path", [&](json &h) { renameOp(h, "../x"); }, u"inside the tree"_s);
        row(
            "absolute path", [&](json &h) { renameOp(h, "/tmp/x"); }, u"inside the tree"_s);
        row(
            "dotted path", [&](json &h) { renameOp(h, "app/./x"); }, u"inside the tree"_s);
        row(
            "bundle.json", [&](json &h) { renameOp(h, "bundle.json"); }, u"inside the tree"_s);
        row(
            "escaping source",
            [](json &h) { h["files"]["app/moved.bin"]["from"] = "../from/app/data/table.bin"; },
            u"inside the tree"_s);
        row(
            "absolute source", [](json &h) { h["files"]["app/main.py"]["from"] = "/etc/passwd"; },
            u"inside the tree"_s);
        row(
            "huge offset", [](json &h) { h["files"]["app/main.py"]["offset"] = 1LL << 60; },
            u"offset"_s);
        row(
            "length past the end", [](json &h) { h["files"]["app/main.py"]["length"] = 1LL << 40; },
            u"length"_s);
        row(
            "negative length", [](json &h) { h["files"]["app/main.py"]["length"] = -5; },
            u"length"_s);
        row(
            "overlapping frames", [](json &h) { h["files"]["app/main.py"]["offset"] = 0; },
            u"frames follow each other"_s);
        row(
            "size larger", [](json &h) { h["files"]["app/added.txt"]["size"] = 1LL << 40; },
            u"differs from the new bundle.json"_s);
        row(
            "unknown op", [](json &h) { h["files"]["app/added.txt"]["op"] = "exec"; },
            u"\"same\", \"patch\" or \"whole\""_s);
        row(
            "huge manifest", [](json &h) { h["manifest"]["size"] = 1LL << 50; }, u"size"_s);
        row(
            "manifest hash", [](json &h) { h["manifest"]["sha256"] = std::string(64, 'a'); },
            u"SHA-256"_s);
        row(
            "other schema", [](json &h) { h["schema"] = 2; }, u"schema"_s);
        row(
            "wrong version", [](json &h) { h["toVersion"] = "9.9"; }, u"the header says"_s);
        row(
            "op not in bundle.json", [&](json &h) { renameOp(h, "app/ghost.txt"); },
            u"not a file of the new bundle.json"_s);
        row(
            "removed escaping", [](json &h) { h["removed"] = {"../../x"}; }, u"inside the tree"_s);
        row(
            "deep nesting",
            [](json &h) { h["x"] = json::parse(std::string(50, '[') + std::string(50, ']')); },
            u"deep"_s);
        QTest::newRow("header length huge")
            << QByteArray(m_bytes).replace(10, 8, QByteArray("\xff\xff\xff\xff\xff\xff\xff\x7f", 8))
            << u"the header claims"_s;
        QTest::newRow("not a delta") << QByteArray("PK\x03\x04 and so on") << u"DPKDELTA1"_s;
        QTest::newRow("empty") << QByteArray() << u"DPKDELTA1"_s;
    }

    void hostileHeaders()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, why);
        const Error error = refused(bytes);
        QCOMPARE(error.kind, ErrorKind::Invalid);
        QVERIFY2(error.message.contains(why, Qt::CaseInsensitive), qPrintable(error.message));
        QVERIFY2(error.message.contains(u"hostile"_s), qPrintable(error.message));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(u"x"_s)));
        QVERIFY(!QFileInfo::exists(u"/tmp/x"_s) ||
                QFileInfo(u"/tmp/x"_s).lastModified().secsTo(QDateTime::currentDateTime()) > 60);
    }

    // Frames that lie about their size: more output than declared (a zip
    // bomb), no content size at all, a frame that is not zstd.
    void lyingFrames_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("why");
        const QByteArray zeros(50 << 20, '\0');
        QByteArray bomb(qsizetype(ZSTD_compressBound(size_t(zeros.size()))), Qt::Uninitialized);
        bomb.truncate(qsizetype(ZSTD_compress(bomb.data(), size_t(bomb.size()), zeros.constData(),
                                              size_t(zeros.size()), 3)));
        QTest::newRow("zip bomb") << bomb << u"holds 52428800 bytes, expected 11"_s;
        QByteArray stream(64, Qt::Uninitialized);
        ZSTD_CCtx *cctx = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
        ZSTD_inBuffer in{"a new file\n", 11, 0};
        ZSTD_outBuffer out{stream.data(), size_t(stream.size()), 0};
        ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_end);
        ZSTD_freeCCtx(cctx);
        stream.truncate(qsizetype(out.pos));
        QTest::newRow("no content size") << stream << u"no content size"_s;
        QTest::newRow("not zstd") << QByteArray("a new file\n") << u"not a zstd frame"_s;
    }

    // Replaces the frame of app/added.txt with `frame`, moving the later ones.
    void lyingFrames()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, why);
        const DeltaParts parts = splitDelta(m_bytes);
        json header = json::parse(parts.header.toStdString());
        json &op = header["files"]["app/added.txt"];
        QCOMPARE(op["op"], "whole");
        const qint64 offset = op["offset"].get<qint64>();
        const qint64 length = op["length"].get<qint64>();
        op["length"] = frame.size();
        for (auto &[path, entry] : header["files"].items()) {
            if (entry.contains("offset") && entry["offset"].get<qint64>() > offset)
                entry["offset"] = entry["offset"].get<qint64>() + frame.size() - length;
        }
        const QByteArray bytes =
            joinDelta(QByteArray::fromStdString(header.dump(2)),
                      parts.payload.left(offset) + frame + parts.payload.mid(offset + length));
        const Error error = refused(bytes);
        QCOMPARE(error.kind, ErrorKind::Invalid);
        QVERIFY2(error.message.contains(why), qPrintable(error.message));
    }
};

QTEST_GUILESS_MAIN(TestHostileDelta)
#include "tst_hostiledelta.moc"
