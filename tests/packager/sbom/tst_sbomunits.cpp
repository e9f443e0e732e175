// SPDX-License-Identifier: MIT
// The tables behind the SBOM: licence classifiers and texts to SPDX, SPDX
// expression syntax, Requires-Dist targets, METADATA parsing, library
// identification from strings and file names, content UUIDs.

#include "sbom/distinfo.h"
#include "sbom/licences.h"
#include "sbom/nativelibs.h"
#include "sbom/sbom.h"

#include <QtTest>

using namespace deskpack;
using namespace deskpack::sbom;
using namespace Qt::Literals::StringLiterals;

namespace {

// Printable strings separated by NULs, as in a library's .rodata.
QByteArray strings(std::initializer_list<const char *> texts)
{
    QByteArray out(1, '\0');
    for (const char *text : texts)
        out.append(text).append('\0');
    return out;
}

} // namespace

class TestSbomUnits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void classifiers_data()
    {
        QTest::addColumn<QString>("classifier");
        QTest::addColumn<QString>("spdx");
        const QString osi = u"License :: OSI Approved :: "_s;
        QTest::newRow("MIT") << osi + u"MIT License"_s << u"MIT"_s;
        QTest::newRow("Apache, no version") << osi + u"Apache Software License"_s << QString();
        QTest::newRow("BSD, which?") << osi + u"BSD License"_s << QString();
        QTest::newRow("ISC") << osi + u"ISC License (ISCL)"_s << u"ISC"_s;
        QTest::newRow("PSF") << osi + u"Python Software Foundation License"_s << u"PSF-2.0"_s;
        QTest::newRow("MPL 2") << osi + u"Mozilla Public License 2.0 (MPL 2.0)"_s << u"MPL-2.0"_s;
        QTest::newRow("GPLv2") << osi + u"GNU General Public License v2 (GPLv2)"_s
                               << u"GPL-2.0-only"_s;
        QTest::newRow("GPLv3+") << osi + u"GNU General Public License v3 or later (GPLv3+)"_s
                                << u"GPL-3.0-or-later"_s;
        QTest::newRow("GPL, no version")
            << osi + u"GNU General Public License (GPL)"_s << QString();
        QTest::newRow("LGPLv3") << osi + u"GNU Lesser General Public License v3 (LGPLv3)"_s
                                << u"LGPL-3.0-only"_s;
        QTest::newRow("LGPLv2+") << osi +
                                        u"GNU Lesser General Public License v2 or later (LGPLv2+)"_s
                                 << u"LGPL-2.0-or-later"_s;
        QTest::newRow("Unlicense") << osi + u"The Unlicense (Unlicense)"_s << u"Unlicense"_s;
        QTest::newRow("CC0") << u"License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication"_s
                             << u"CC0-1.0"_s;
        QTest::newRow("proprietary") << u"License :: Other/Proprietary License"_s << QString();
        QTest::newRow("not a licence") << u"Topic :: MIT License"_s << QString();
    }

    void classifiers()
    {
        QFETCH(QString, classifier);
        QFETCH(QString, spdx);
        QCOMPARE(spdxFromClassifier(classifier), spdx);
    }

    void licenseTexts_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("spdx");
        QTest::newRow("MIT") << u"MIT"_s << u"MIT"_s;
        QTest::newRow("MIT License.") << u"MIT License."_s << u"MIT"_s;
        QTest::newRow("BSD") << u"BSD"_s << u"BSD-3-Clause"_s;
        QTest::newRow("BSD-2") << u"Simplified BSD"_s << u"BSD-2-Clause"_s;
        QTest::newRow("Apache 2.0") << u"Apache 2.0"_s << u"Apache-2.0"_s;
        QTest::newRow("Apache long") << u"Apache License, Version 2.0"_s << u"Apache-2.0"_s;
        QTest::newRow("PSF") << u"PSF"_s << u"PSF-2.0"_s;
        QTest::newRow("GPLv3+") << u"GPLv3+"_s << u"GPL-3.0-or-later"_s;
        QTest::newRow("LGPLv2.1+") << u"LGPLv2.1+"_s << u"LGPL-2.1-or-later"_s;
        QTest::newRow("MPL") << u"MPL 2.0"_s << u"MPL-2.0"_s;
        QTest::newRow("ISC") << u"ISC license"_s << u"ISC"_s;
        QTest::newRow("Unlicense") << u"The Unlicense"_s << u"Unlicense"_s;
        QTest::newRow("SPDX already") << u"Apache-2.0 OR MIT"_s << u"Apache-2.0 OR MIT"_s;
        QTest::newRow("SPDX with an unknown id") << u"Foo-1.0"_s << QString();
        QTest::newRow("Dual License") << u"Dual License"_s << QString();
        QTest::newRow("a whole text")
            << u"Copyright (c) X\nPermission is hereby granted"_s << QString();
        QTest::newRow("GPL, no version") << u"GPL"_s << QString();
        QTest::newRow("empty") << QString() << QString();
    }

    void licenseTexts()
    {
        QFETCH(QString, text);
        QFETCH(QString, spdx);
        QCOMPARE(spdxFromLicenseText(text), spdx);
    }

    void expressions_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<bool>("valid");
        QTest::newRow("id") << u"MIT"_s << true;
        QTest::newRow("or") << u"MIT OR Apache-2.0"_s << true;
        QTest::newRow("parens") << u"(MIT OR Apache-2.0) AND BSD-3-Clause"_s << true;
        QTest::newRow("with") << u"GPL-2.0-or-later WITH Classpath-exception-2.0"_s << true;
        QTest::newRow("plus") << u"LGPL-2.1+"_s << true;
        QTest::newRow("licenseref") << u"LicenseRef-Proprietary"_s << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("dangling or") << u"MIT OR"_s << false;
        QTest::newRow("unbalanced") << u"(MIT"_s << false;
        QTest::newRow("words") << u"MIT License"_s << false;
        QTest::newRow("comma") << u"MIT, BSD"_s << false;
        QTest::newRow("slash") << u"MIT/X11"_s << false;
    }

    void expressions()
    {
        QFETCH(QString, expression);
        QFETCH(bool, valid);
        QCOMPARE(isSpdxExpression(expression), valid);
    }

    void licenseOrder()
    {
        // License-Expression first, then License:, then classifiers, then text.
        QCOMPARE(licenseFromMetadata(u"MIT"_s, u"BSD"_s, {}).expression, u"MIT"_s);
        QCOMPARE(licenseFromMetadata({}, u"BSD"_s, {}).source, u"License"_s);
        const QStringList two = {u"License :: OSI Approved :: MIT License"_s,
                                 u"License :: OSI Approved :: Apache Software License"_s};
        const License unmapped = licenseFromMetadata({}, {}, two);
        QVERIFY(unmapped.expression.isEmpty()); // Apache without a version
        QCOMPARE(unmapped.text, two.join(u"; "_s));
        const License both = licenseFromMetadata(
            {}, u"Dual"_s,
            {u"License :: OSI Approved :: MIT License"_s,
             u"License :: OSI Approved :: GNU General Public License v2 (GPLv2)"_s,
             u"License :: OSI Approved"_s});
        QCOMPARE(both.expression, u"MIT OR GPL-2.0-only"_s);
        QCOMPARE(both.source, u"classifier"_s);
        QVERIFY(licenseFromMetadata({}, {}, {}).isEmpty());
    }

    void requirementTargets_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("target");
        QTest::newRow("plain") << u"requests"_s << u"requests"_s;
        QTest::newRow("old parens") << u"demo-greeting (>=1.0)"_s << u"demo-greeting"_s;
        QTest::newRow("extras") << u"uvicorn[standard]>=0.20"_s << u"uvicorn"_s;
        QTest::newRow("marker kept") << u"tomli>=1; python_version < \"3.11\""_s << u"tomli"_s;
        QTest::newRow("extra dropped") << u"pytest; extra == \"test\""_s << QString();
        QTest::newRow("extra in an and") << u"x; python_version>'3' and extra=='a'"_s << QString();
        QTest::newRow("url") << u"pip @ https://x/pip.whl"_s << u"pip"_s;
    }

    void requirementTargets()
    {
        QFETCH(QString, line);
        QFETCH(QString, target);
        QCOMPARE(requirementTarget(line), target);
    }

    void metadataParsing()
    {
        const DistMetadata m = parseDistMetadata(
            "Metadata-Version: 2.1\r\nName: A\r\nVersion: 1\r\nLicense: line one\r\n"
            "        line two\r\nClassifier: License :: OSI Approved :: MIT License\r\n"
            "garbage line\r\nName: B\r\nRequires-Dist: x\r\nRequires-Dist: y\r\n"
            "License-File: LICENSE\r\n\r\nName: in the body\r\n");
        QCOMPARE(m.name, u"A"_s);
        QCOMPARE(m.version, u"1"_s);
        QCOMPARE(m.license, u"line one\nline two"_s);
        QCOMPARE(m.requiresDist, (QStringList{u"x"_s, u"y"_s}));
        QCOMPARE(m.licenseFiles, QStringList{u"LICENSE"_s});
        QCOMPARE(m.malformedLines.size(), 1);
        QVERIFY(m.malformedLines.first().startsWith(u"line 7:"_s));
    }

    // The lock's reading of the header block: a blank line of spaces ends it
    // too, so the long description is never read as fields; a BOM is skipped.
    void metadataHeaderEndsAtABlankLine()
    {
        const DistMetadata m = parseDistMetadata("\xEF\xBB\xBFName: A\nVersion: 1\n  \n"
                                                 "Requires-Dist: from-the-body\nsome words\n");
        QCOMPARE(m.name, u"A"_s);
        QCOMPARE(m.version, u"1"_s);
        QVERIFY(m.requiresDist.isEmpty());
        QVERIFY(m.malformedLines.isEmpty());
    }

    void purls()
    {
        QCOMPARE(pypiPurl(u"Zope.Interface"_s, u"6.0"_s), u"pkg:pypi/zope-interface@6.0"_s);
        QCOMPARE(pypiPurl(u"a__b"_s, u"1.0+ubuntu.1"_s), u"pkg:pypi/a-b@1.0%2Bubuntu.1"_s);
    }

    void libraryStrings_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("version");
        QTest::newRow("openssl") << u"libcrypto.so.3"_s
                                 << strings({"OpenSSL %s", "OpenSSL 3.0.15 3 Sep 2024"})
                                 << u"OpenSSL"_s << u"3.0.15"_s;
        QTest::newRow("openssl 1.1")
            << u"libssl.so.1.1"_s << strings({"OpenSSL 1.1.1w  11 Sep 2023"}) << u"OpenSSL"_s
            << u"1.1.1w"_s;
        QTest::newRow("zlib") << u"libz.so.1"_s
                              << strings({" deflate 1.2.13 Copyright 1995-2022 J"}) << u"zlib"_s
                              << u"1.2.13"_s;
        QTest::newRow("sqlite") << u"libsqlite3.so.0"_s << strings({"x", "3.45.1"}) << u"SQLite"_s
                                << u"3.45.1"_s;
        QTest::newRow("expat") << u"libexpat.so.1"_s << strings({"expat_2.6.2"}) << u"expat"_s
                               << u"2.6.2"_s;
        QTest::newRow("bzip2") << u"libbz2.so.1.0"_s << strings({"1.0.8, 13-Jul-2019"})
                               << u"bzip2"_s << u"1.0.8"_s;
        QTest::newRow("qt") << u"libQt6Core.so.6"_s
                            << strings({"Qt 6.4.2 (x86_64-little_endian-lp64 shared)"}) << u"Qt"_s
                            << u"6.4.2"_s;
        QTest::newRow("ncurses") << u"libtinfo.so.6"_s << strings({"ncurses 6.4.20221231"})
                                 << u"ncurses"_s << u"6.4.20221231"_s;
        QTest::newRow("nothing said")
            << u"libffi.so.8"_s << strings({"LIBFFI_BASE_8.0"}) << u"libffi"_s << QString();
        QTest::newRow("unknown library")
            << u"libfoo.so.2"_s << strings({"1.2.3"}) << u"libfoo.so.2"_s << QString();
    }

    void libraryStrings()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, name);
        QFETCH(QString, version);
        const LibraryIdentity id = identifyLibrary(file, bytes);
        QCOMPARE(id.name, name);
        QCOMPARE(id.version, version);
    }

    void fileNameVersions()
    {
        QCOMPARE(versionFromFileName(u"libffi.so.8.1.2"_s), u"8.1.2"_s);
        QCOMPARE(versionFromFileName(u"libbz2.so.1.0"_s), u"1.0"_s);
        QCOMPARE(versionFromFileName(u"libdb-5.3.so"_s), u"5.3"_s);
        QCOMPARE(versionFromFileName(u"libfoo.so"_s), QString());
        QVERIFY(isLibraryCandidate(u"runtime/lib/libz.so.1"_s,
                                   u"runtime/lib/python3.11/site-packages"_s));
        QVERIFY(isLibraryCandidate(u"lib/libQt6Core.so.6"_s, {}));
        QVERIFY(!isLibraryCandidate(
            u"runtime/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so"_s, {}));
        QVERIFY(!isLibraryCandidate(u"runtime/lib/python3.11/site-packages/np/_core.so"_s,
                                    u"runtime/lib/python3.11/site-packages"_s));
        QVERIFY(isLibraryCandidate(
            u"runtime/lib/python3.11/site-packages/numpy.libs/libgfortran-1a2b.so.5.0.0"_s,
            u"runtime/lib/python3.11/site-packages"_s));
        QVERIFY(!isLibraryCandidate(u"app/libx.so"_s, {}));
    }

    void uuids()
    {
        const QString a = contentUuid("a");
        QCOMPARE(a.size(), 36);
        QCOMPARE(a.at(14), u'8');
        QVERIFY(QString(u"89ab"_s).contains(a.at(19)));
        QCOMPARE(contentUuid("a"), a);
        QVERIFY(contentUuid("b") != a);
        QCOMPARE(documentTime({}), u"1980-01-01T00:00:00Z"_s);
        QCOMPARE(documentTime({0}), u"1970-01-01T00:00:00Z"_s);
    }
};

QTEST_GUILESS_MAIN(TestSbomUnits)
#include "tst_sbomunits.moc"
