// SPDX-License-Identifier: MIT
// A runtime archive's metadata file (FILE.tar.gz.json) is input Deskpack was
// handed: every type mutation of it is read or refused cleanly, naming the
// file and the JSON path.
#include "common/jsonmutations.h"
#include "runtime/runtimearchive.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace deskpack::runtime;
using namespace Qt::Literals::StringLiterals;

class TestRuntimeMetadata : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyMutationIsReadOrRefused()
    {
        RuntimeMetadata m;
        m.pythonVersion = u"3.11.2"_s;
        m.implementation = u"cpython"_s;
        m.abiTag = u"cp311"_s;
        m.platformTag = u"linux_x86_64"_s;
        m.interpreter = u"python/bin/python3.11"_s;
        m.archive = u"python-3.11.2.tar.gz"_s;
        m.sha256 = QString(64, u'a');
        m.size = 12345;
        const QByteArray text = serializeRuntimeMetadata(m);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"python-3.11.2.tar.gz.json"_s);
        auto write = [&](const QByteArray &data) {
            QFile f(path);
            return f.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
                   f.write(data) == data.size();
        };
        QVERIFY(write(text));
        Result<RuntimeMetadata> read = readRuntimeMetadata(path);
        QVERIFY(read.ok());
        QCOMPARE(read->size, 12345);
        QCOMPARE(read->sha256, m.sha256);

        const nlohmann::json doc = nlohmann::json::parse(text.toStdString());
        auto corpus = test::typeMutations(doc);
        const auto broken = test::brokenTexts(doc);
        corpus.insert(corpus.end(), broken.begin(), broken.end());
        int refused = 0;
        QStringList unnamed;
        for (const test::JsonMutation &mutation : corpus) {
            QVERIFY(write(mutation.text));
            Result<RuntimeMetadata> r = readRuntimeMetadata(path);
            if (r.ok())
                continue;
            ++refused;
            QCOMPARE(r.error().kind, ErrorKind::Unreadable);
            const bool named = test::namesFileAndPath(r.error().message, path, mutation.paths);
            if (!named)
                unnamed.append(mutation.description + u" -> "_s + r.error().message);
        }
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(u'\n')));
        QVERIFY(refused > 50);
        QVERIFY(write(QByteArray(text).replace("12345", "18446744073709551616")));
        QVERIFY(readRuntimeMetadata(path).error().message.contains(
            path + u": $.size: expected an integer from 0 to"_s));
    }
};

QTEST_GUILESS_MAIN(TestRuntimeMetadata)
#include "tst_runtimemetadata.moc"
