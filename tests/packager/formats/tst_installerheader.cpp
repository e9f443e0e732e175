// SPDX-License-Identifier: MIT
// The installer header: what an installer file says about the app it carries.
// Its id, version, launcher and icon name become paths on the user's machine
// (~/.local/opt/<id>/versions/<version>, ~/.local/bin/<id> -> current/<launcher>),
// so a hostile or damaged header is refused by name before anything is written.

#include "common/jsonmutations.h"
#include "formats/installerformat.h"

#include <QMap>
#include <QSet>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace deskpack;
using namespace deskpack::formats;
using namespace Qt::Literals::StringLiterals;

class TestInstallerHeader : public QObject
{
    Q_OBJECT

    static InstallerHeader valid()
    {
        InstallerHeader h;
        h.id = u"deskpack-demo"_s;
        h.name = u"Deskpack Demo"_s;
        h.version = u"1.0.0"_s;
        h.licence = u"MIT"_s;
        h.icon = QByteArray("\x89PNG", 4);
        h.iconName = u"icon.png"_s;
        h.launcher = u"deskpack-demo"_s;
        return h;
    }

    // The mutations a correct reader accepts, each with why: another valid
    // value, or an optional field left out.
    static QMap<QString, QString> harmlessMutations()
    {
        const QString optional = u"optional: no licence page, no icon"_s;
        const QString text = u"shown to people only; the desktop entry flattens newlines"_s;
        const QString iconBytes = u"the icon's bytes (base64 read leniently), never a path: at "
                                  "worst an icon that does not draw"_s;
        const QString valid = u"another valid value; install() still checks it against the "
                              "payload's bundle.json"_s;
        return {
            {u"$.licence = null"_s, optional},
            {u"$.licence = \"\""_s, optional},
            {u"$.licence deleted"_s, optional},
            {u"$.licence = \"x\""_s, text},
            {u"$.licence = \"../../etc/passwd\""_s, text},
            {u"$.name = \"x\""_s, text},
            {u"$.name = \"../../etc/passwd\""_s, text},
            {u"$.icon = null"_s, optional},
            {u"$.icon = \"\""_s, optional},
            {u"$.icon deleted"_s, optional},
            {u"$.icon = \"x\""_s, iconBytes},
            {u"$.icon = \"../../etc/passwd\""_s, iconBytes},
            {u"$.iconName = null"_s, optional},
            {u"$.iconName = \"\""_s, optional},
            {u"$.iconName deleted"_s, optional},
            {u"$.iconName = \"x\""_s, u"a plain file name"_s},
            {u"$.id = \"x\""_s, valid},
            {u"$.version = \"x\""_s, valid},
            {u"$.launcher = \"x\""_s, u"a plain file name inside the bundle"_s},
        };
    }

private Q_SLOTS:
    void roundTrip()
    {
        const InstallerHeader h = valid();
        Result<InstallerHeader> back = parseInstallerHeader(serializeInstallerHeader(h), u"h"_s);
        QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.error().message));
        QCOMPARE(back->id, h.id);
        QCOMPARE(back->version, h.version);
        QCOMPARE(back->launcher, h.launcher);
        QCOMPARE(back->icon, h.icon);
        QCOMPARE(serializeInstallerHeader(*back), serializeInstallerHeader(h));
    }

    void refused_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("id walks out")
            << u"id"_s << u"../../.ssh"_s << u"$.id: expected an app id"_s;
        QTest::newRow("id with a slash") << u"id"_s << u"a/b"_s << u"$.id: expected an app id"_s;
        QTest::newRow("id upper case") << u"id"_s << u"Demo"_s << u"$.id: expected an app id"_s;
        QTest::newRow("id with a newline")
            << u"id"_s << u"demo\n"_s << u"$.id: expected an app id"_s;
        QTest::newRow("id dot-dot inside") << u"id"_s << u"a..b"_s << u"$.id: expected an app id"_s;
        QTest::newRow("version walks out")
            << u"version"_s << u"../../x"_s << u"$.version: expected a version"_s;
        QTest::newRow("launcher walks out")
            << u"launcher"_s << u"../../../bin/sh"_s << u"$.launcher: expected a file name"_s;
        QTest::newRow("launcher hidden")
            << u"launcher"_s << u".x"_s << u"$.launcher: expected a file name"_s;
        QTest::newRow("icon name walks out")
            << u"iconName"_s << u"../../.bashrc"_s << u"$.iconName: expected a file name"_s;
        QTest::newRow("payload format") << u"payloadFormat"_s << u"rar"_s << u"$.payloadFormat"_s;
    }

    void refused()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, fragment);
        nlohmann::json doc = nlohmann::json::parse(serializeInstallerHeader(valid()).toStdString());
        doc[key.toStdString()] = value.toStdString();
        Result<InstallerHeader> h =
            parseInstallerHeader(QByteArray::fromStdString(doc.dump()), u"setup.run"_s);
        QVERIFY(!h.ok());
        QCOMPARE(h.error().kind, ErrorKind::Unreadable);
        QVERIFY2(h.error().message.contains(u"setup.run"_s) && h.error().message.contains(fragment),
                 qPrintable(h.error().message));
    }

    // Every value replaced by other JSON types and ranges, every key deleted
    // and duplicated, broken texts: never a throw or crash. Each mutation is
    // refused, naming the file and a JSON path, unless harmlessMutations()
    // lists it with the reason it is accepted.
    void mutationCorpus()
    {
        const nlohmann::json doc =
            nlohmann::json::parse(serializeInstallerHeader(valid()).toStdString());
        auto corpus = test::typeMutations(doc);
        const auto broken = test::brokenTexts(doc);
        corpus.insert(corpus.end(), broken.begin(), broken.end());
        QVERIFY(corpus.size() > 100);
        const QMap<QString, QString> harmless = harmlessMutations();
        QStringList accepted;    // hostile, yet accepted
        QStringList unnamed;     // refused without naming the file and a path
        QStringList notHarmless; // listed as harmless, yet refused
        QSet<QString> seen;
        for (const test::JsonMutation &mutation : corpus) {
            seen.insert(mutation.description);
            Result<InstallerHeader> h = parseInstallerHeader(mutation.text, u"setup.run"_s);
            if (h.ok()) {
                if (!harmless.contains(mutation.description))
                    accepted.append(mutation.description);
                continue;
            }
            if (harmless.contains(mutation.description))
                notHarmless.append(mutation.description + u" -> "_s + h.error().message);
            if (!test::namesFileAndPath(h.error().message, u"setup.run"_s, mutation.paths))
                unnamed.append(mutation.description + u" -> "_s + h.error().message);
        }
        QVERIFY2(accepted.isEmpty(),
                 qPrintable(u"hostile headers accepted:\n"_s + accepted.join(u'\n')));
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(u'\n')));
        QVERIFY2(notHarmless.isEmpty(),
                 qPrintable(u"listed as harmless but refused:\n"_s + notHarmless.join(u'\n')));
        QStringList stale;
        for (const QString &description : harmless.keys())
            if (!seen.contains(description))
                stale.append(description);
        QVERIFY2(stale.isEmpty(),
                 qPrintable(u"listed as harmless but not in the corpus:\n"_s + stale.join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(TestInstallerHeader)
#include "tst_installerheader.moc"
