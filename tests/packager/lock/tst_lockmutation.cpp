// SPDX-License-Identifier: MIT
// The type-mutation corpus of a runtime core lock, through parseLock and the
// real `deskpack lock validate`: exit 0, 1 or 2 with a message naming the
// file, never a crash; the lock's own bytes round-trip unchanged.
#include "common/jsonmutations.h"
#include "common/testutil.h"
#include "lock/lockfile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

namespace {

// A lock as `lock generate` writes it, with an extra key another tool added.
const QByteArray lockText = R"({
  "distributions": [
    {
      "name": "Jinja2",
      "top_level_modules": [
        "jinja2"
      ],
      "version": "3.1.2"
    },
    {
      "name": "MarkupSafe",
      "origin": "core",
      "top_level_modules": [
        "markupsafe"
      ],
      "version": "2.1.2"
    },
    {
      "name": "typing_extensions",
      "top_level_modules": [],
      "version": "4.4.0"
    }
  ],
  "generator": "deskpack",
  "version": 1
}
)";

} // namespace

class TestLockMutation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unmutatedLockRoundTrips()
    {
        Result<lock::ParsedLock> parsed = lock::parseLock(lockText, u"lock.json"_s);
        QVERIFY(parsed.ok());
        QVERIFY(parsed->problems.isEmpty());
        QCOMPARE(lock::serializeLock(parsed->lock), lockText);
    }

    void everyMutationEndsCleanly()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"runtime-core-lock.json"_s);
        const json doc = json::parse(lockText.toStdString());
        auto corpus = test::typeMutations(doc);
        const auto broken = test::brokenTexts(doc);
        corpus.insert(corpus.end(), broken.begin(), broken.end());
        QVERIFY(corpus.size() > 300);
        QStringList bad;
        int refused = 0;
        for (const test::JsonMutation &mutation : corpus) {
            Result<lock::ParsedLock> parsed = lock::parseLock(mutation.text, path);
            const bool problems = !parsed.ok() || lock::errorCount(parsed->problems) > 0;
            if (parsed.ok()) {
                for (const lock::Problem &p : std::as_const(parsed->problems)) {
                    if (!p.where.startsWith(path + u": "_s))
                        bad.append(mutation.description + u": where "_s + p.where);
                }
            }
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(mutation.text);
            file.close();
            const auto r = test::runDeskpack({u"lock"_s, u"validate"_s, path});
            if (r.crashed || r.exitCode < 0 || r.exitCode > 2) {
                bad.append(
                    mutation.description +
                    u": exit %1 %2"_s.arg(r.exitCode).arg(QString::fromUtf8(r.err.left(200))));
                continue;
            }
            if (r.exitCode != 0) {
                ++refused;
                if (!r.err.contains(QFile::encodeName(path)))
                    bad.append(mutation.description + u": message does not name the file: "_s +
                               QString::fromUtf8(r.err.left(200)));
            }
            // The binary and the library agree on whether the lock is broken.
            if ((r.exitCode != 0) != problems)
                bad.append(mutation.description +
                           u": exit %1 but parseLock says %2"_s.arg(r.exitCode)
                               .arg(problems ? u"broken"_s : u"fine"_s));
        }
        qInfo("%d lock mutations, %d refused", int(corpus.size()), refused);
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join(u'\n')));
        QVERIFY(refused > int(corpus.size()) / 2);
    }
};

QTEST_GUILESS_MAIN(TestLockMutation)
#include "tst_lockmutation.moc"
