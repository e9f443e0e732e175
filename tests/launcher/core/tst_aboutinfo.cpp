// SPDX-License-Identifier: MIT
// The About dialog's data without a window: the signing state texts for a
// declared, absent and malformed key, the licence rows of a hand-made bundle
// (packager/sbom's synthetic one), and the licence texts read per row, capped.
#include "launcher/core/aboutinfo.h"
#include "packager/sbom/sbomtestutil.h"
#include "signing/signing.h"

#include <QTemporaryDir>
#include <QTest>

using namespace deskpack;
using namespace deskpack::launcher;
using namespace Qt::Literals::StringLiterals;

namespace {

const LicenceRow *findRow(const QList<LicenceRow> &rows, const QString &name)
{
    for (const LicenceRow &r : rows)
        if (r.name == name)
            return &r;
    return nullptr;
}

} // namespace

class TestAboutInfo : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_bundle;
    sbom::Inventory m_inventory;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_bundle = m_dir.filePath(u"bundle"_s);
        QCOMPARE(test::makeSyntheticBundle(m_bundle), QString());
        Result<sbom::Inventory> inventory = sbom::collectInventory(m_bundle);
        QVERIFY2(bool(inventory), qPrintable(inventory ? QString() : inventory.error().message));
        m_inventory = *inventory;
    }

    void signingDeclared()
    {
        const signing::PublicKey key = signing::SecretKey::generate().publicKey();
        // minisign prints the 8 stored bytes as a little-endian u64 in upper-case hex.
        quint64 id = 0;
        for (int i = 7; i >= 0; --i)
            id = (id << 8) | quint8(key.keyId.at(i));
        const QString hex = QString::number(id, 16).toUpper();
        const SigningState s = signingState(key.toBase64());
        QCOMPARE(s.text, u"Updates are signed with key %1"_s.arg(hex));
        QCOMPARE(s.keyId, hex);
        QVERIFY(!s.malformed);
        // The whole .pub file text is accepted too (parsePublicKey takes both).
        QCOMPARE(signingState(QString::fromLatin1(key.fileText())).keyId, hex);
    }

    void signingAbsentOrMalformed()
    {
        QCOMPARE(signingState(QString()).text, u"This app declares no signing key"_s);
        QCOMPARE(signingState(u"  "_s).text, u"This app declares no signing key"_s);
        for (const QString &bad :
             QStringList{u"RWjunk"_s, u"not a key at all"_s,
                         signing::SecretKey::generate().publicKey().toBase64() + u"AA"_s}) {
            const SigningState s = signingState(bad);
            QCOMPARE(s.text, u"signing key in bundle.json is malformed"_s);
            QVERIFY(s.malformed);
            QVERIFY(s.keyId.isEmpty());
        }
    }

    void rows()
    {
        const QList<LicenceRow> rows = licenceRows(m_inventory);
        QCOMPARE(rows.size(), m_inventory.components.size());
        for (qsizetype i = 1; i < rows.size(); ++i)
            QVERIFY(rows[i - 1].name.compare(rows[i].name, Qt::CaseInsensitive) <= 0);
        const LicenceRow *alpha = findRow(rows, u"Alpha"_s);
        QVERIFY(alpha);
        QCOMPARE(alpha->version, u"1.0"_s);
        QCOMPARE(alpha->licence, u"MIT OR Apache-2.0"_s);
        QCOMPARE(alpha->kind, u"Python package"_s);
        QCOMPARE(alpha->licenseFiles.size(), 1);
        const LicenceRow *gamma = findRow(rows, u"gamma"_s);
        QVERIFY(gamma);
        QVERIFY2(gamma->licence.startsWith(u"Copyright (c) Gamma Corp."_s),
                 qPrintable(gamma->licence));
        QVERIFY(gamma->licenseFiles.isEmpty());
        const LicenceRow *python = findRow(rows, u"CPython"_s);
        QVERIFY(python);
        QCOMPARE(python->kind, u"Runtime"_s);
        bool native = false;
        for (const LicenceRow &r : rows)
            native = native || r.kind == u"Native library"_s;
        QVERIFY(native);

        LicenceModel model;
        model.setRows(rows);
        QCOMPARE(model.rowCount(), int(rows.size()));
        QCOMPARE(model.columnCount(), 4);
        QCOMPARE(model.headerData(LicenceModel::LicenceColumn, Qt::Horizontal).toString(),
                 u"Licence"_s);
        const int a = int(alpha - rows.constData());
        QCOMPARE(model.data(model.index(a, LicenceModel::NameColumn)).toString(), u"Alpha"_s);
        QCOMPARE(model.data(model.index(a, LicenceModel::KindColumn)).toString(),
                 u"Python package"_s);
    }

    void texts()
    {
        const QList<LicenceRow> rows = licenceRows(m_inventory);
        QCOMPARE(licenceText(m_bundle, *findRow(rows, u"Alpha"_s)), u"licence text\n"_s);
        const QString beta = licenceText(m_bundle, *findRow(rows, u"beta"_s));
        QCOMPARE(beta.count(u"==> "_s), 2);
        QCOMPARE(beta.count(u"licence text"_s), 2);
        QCOMPARE(licenceText(m_bundle, *findRow(rows, u"gamma"_s)),
                 u"No licence file is shipped with gamma"_s);
        LicenceRow missing{u"ghost"_s, u"1"_s, u"MIT"_s, u"Python package"_s, {u"nope/LICENSE"_s}};
        QVERIFY(licenceText(m_bundle, missing).startsWith(u"(cannot read "_s));
    }

    void bigFileIsCapped()
    {
        QTemporaryDir dir;
        QVERIFY(test::writeBytes(dir.filePath(u"LICENSE"_s), QByteArray(400 * 1024, 'x')));
        const QString text = licenceText(dir.path(), {u"big"_s, {}, {}, {}, {u"LICENSE"_s}});
        QVERIFY(text.size() < MaxLicenceFileBytes + 100);
        QVERIFY(text.contains(u"cut at 256 KiB of 400 KiB"_s));
    }
};

QTEST_GUILESS_MAIN(TestAboutInfo)
#include "tst_aboutinfo.moc"
