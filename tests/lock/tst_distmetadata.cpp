// SPDX-License-Identifier: MIT
// Reading the pieces of a distribution's metadata: core metadata headers,
// top_level.txt, RECORD and installed-files.txt, and the module rules.
#include "lock/distmetadata.h"

#include <QTest>

using namespace deskpack::lock;

class TestDistMetadata : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void coreMetadata_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("version");

        QTest::newRow("plain") << QByteArray(
                                      "Metadata-Version: 2.1\nName: Jinja2\nVersion: 3.1.2\n")
                               << u"Jinja2"_qs << u"3.1.2"_qs;
        QTest::newRow("crlf") << QByteArray("Name: foo\r\nVersion: 1.0\r\n\r\nbody") << u"foo"_qs
                              << u"1.0"_qs;
        QTest::newRow("case-insensitive fields")
            << QByteArray("NAME: Foo\nversion: 2\n") << u"Foo"_qs << u"2"_qs;
        QTest::newRow("first occurrence wins")
            << QByteArray("Name: first\nName: second\nVersion: 1\nVersion: 2\n") << u"first"_qs
            << u"1"_qs;
        QTest::newRow("body after blank line ignored")
            << QByteArray("Summary: x\n\nName: body\nVersion: 9\n") << QString() << QString();
        QTest::newRow("folded continuation")
            << QByteArray("Name: long\n name\nVersion: 1.0\nSummary: a\n  b\n") << u"long name"_qs
            << u"1.0"_qs;
        QTest::newRow("folded field does not leak into the next")
            << QByteArray("Summary: a\n continued\nName: n\nVersion: 1\n") << u"n"_qs << u"1"_qs;
        QTest::newRow("utf-8") << QByteArray("Name: Caf\xC3\xA9\nVersion: 1\n") << u"Café"_qs
                               << u"1"_qs;
        QTest::newRow("bom") << QByteArray("\xEF\xBB\xBFName: b\nVersion: 1\n") << u"b"_qs
                             << u"1"_qs;
        QTest::newRow("no name") << QByteArray("Version: 1\n") << QString() << u"1"_qs;
        QTest::newRow("empty") << QByteArray() << QString() << QString();
        QTest::newRow("trailing spaces trimmed")
            << QByteArray("Name: x  \nVersion:\t1.0 \n") << u"x"_qs << u"1.0"_qs;
        QTest::newRow("no final newline")
            << QByteArray("Name: x\nVersion: 3") << u"x"_qs << u"3"_qs;
    }

    void coreMetadata()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, name);
        QFETCH(QString, version);
        const CoreMetadata meta = parseCoreMetadata(data);
        QCOMPARE(meta.name, name);
        QCOMPARE(meta.version, version);
    }

    void topLevel()
    {
        QCOMPARE(parseTopLevel("a\n\n  b  \r\n# comment\n#c\nc"),
                 (QStringList{u"a"_qs, u"b"_qs, u"c"_qs}));
        QVERIFY(parseTopLevel("").isEmpty());
    }

    void record()
    {
        const QByteArray data = "a/b.py,sha256=x,1\n\"q,uote\"\"d.py\",,\n\nplain\n";
        QCOMPARE(recordPaths(data), (QStringList{u"a/b.py"_qs, u"q,uote\"d.py"_qs, u"plain"_qs}));
    }

    void moduleOfFile_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("module");
        QTest::newRow("py") << u"six.py"_qs << u"six"_qs;
        QTest::newRow("cpython so") << u"_cffi.cpython-311-x86_64-linux-gnu.so"_qs << u"_cffi"_qs;
        QTest::newRow("abi3") << u"foo.abi3.so"_qs << u"foo"_qs;
        QTest::newRow("plain so") << u"bar.so"_qs << u"bar"_qs;
        QTest::newRow("pyd") << u"baz.cp311-win_amd64.pyd"_qs << u"baz"_qs;
        QTest::newRow("plain pyd") << u"qux.pyd"_qs << u"qux"_qs;
        QTest::newRow("pth") << u"x.pth"_qs << QString();
        QTest::newRow("dotted py") << u"a.b.py"_qs << QString();
        QTest::newRow("not an identifier, still importable") << u"my-mod.py"_qs << u"my-mod"_qs;
        QTest::newRow("mypyc helper")
            << u"81d243bd2c585b0f4821__mypyc.cpython-311-x86_64-linux-gnu.so"_qs
            << u"81d243bd2c585b0f4821__mypyc"_qs;
        QTest::newRow("cffi backend")
            << u"_cffi_backend.cpython-311-x86_64-linux-gnu.so"_qs << u"_cffi_backend"_qs;
        QTest::newRow("sourceless pyc") << u"legacy.pyc"_qs << u"legacy"_qs;
        QTest::newRow("cached pyc is not top-level") << u"six.cpython-311.pyc"_qs << QString();
        QTest::newRow("other CPython version")
            << u"m.cpython-313-x86_64-linux-gnu.so"_qs << u"m"_qs;
        QTest::newRow("debug build") << u"m.cpython-311d-x86_64-linux-gnu.so"_qs << u"m"_qs;
        QTest::newRow("macOS") << u"m.cpython-312-darwin.so"_qs << u"m"_qs;
        QTest::newRow("PyPy") << u"m.pypy310-pp73-x86_64-linux-gnu.so"_qs << u"m"_qs;
        QTest::newRow("pyw") << u"gui.pyw"_qs << u"gui"_qs;
        QTest::newRow("dotted so") << u"foo.bar.so"_qs << QString();
        QTest::newRow("dotted before tag")
            << u"a.b.cpython-311-x86_64-linux-gnu.so"_qs << QString();
        QTest::newRow("dot after tag") << u"a.cpython-311.x.so"_qs << QString();
        QTest::newRow("versioned shared library") << u"libfoo.so.1"_qs << QString();
        QTest::newRow("bare suffix") << u".so"_qs << QString();
        QTest::newRow("bare py") << u".py"_qs << QString();
        QTest::newRow("stub") << u"foo.pyi"_qs << QString();
        QTest::newRow("whitespace") << u"a b.py"_qs << QString();
        QTest::newRow("txt") << u"README.txt"_qs << QString();
        QTest::newRow("unicode") << u"café.py"_qs << u"café"_qs;
    }

    void topLevelModuleName_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("identifier") << u"six"_qs << true;
        QTest::newRow("leading digit") << u"81d243bd2c585b0f4821__mypyc"_qs << true;
        QTest::newRow("dash") << u"foo-stubs"_qs << true;
        QTest::newRow("dot") << u"foo.dist-info"_qs << false;
        QTest::newRow("slash") << u"a/b"_qs << false;
        QTest::newRow("backslash") << u"a\\b"_qs << false;
        QTest::newRow("space") << u"a b"_qs << false;
        QTest::newRow("empty") << QString() << false;
    }

    void topLevelModuleName()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(isTopLevelModuleName(name), valid);
    }

    void moduleOfFile()
    {
        QFETCH(QString, file);
        QFETCH(QString, module);
        QCOMPARE(moduleNameOfFile(file), module);
    }

    void modulesFromPaths_data()
    {
        QTest::addColumn<QStringList>("paths");
        QTest::addColumn<QStringList>("modules");
        QTest::newRow("package") << QStringList{u"pkg/__init__.py"_qs, u"pkg/data.json"_qs}
                                 << QStringList{u"pkg"_qs};
        QTest::newRow("namespace package")
            << QStringList{u"ns/sub/mod.py"_qs} << QStringList{u"ns"_qs};
        QTest::newRow("top-level module and extension")
            << QStringList{u"six.py"_qs, u"_speed.cpython-311-x86_64-linux-gnu.so"_qs}
            << QStringList{u"_speed"_qs, u"six"_qs};
        QTest::newRow("excluded") << QStringList{u"../../bin/tool"_qs,
                                                 u"foo-1.0.dist-info/METADATA"_qs,
                                                 u"foo-1.0.data/scripts/x.py"_qs,
                                                 u"__pycache__/six.cpython-311.pyc"_qs,
                                                 u"bin/script.py"_qs,
                                                 u"/abs/mod.py"_qs,
                                                 u"x/../y/z.py"_qs,
                                                 u"foo.egg-info/PKG-INFO"_qs,
                                                 u"C:/win/mod.py"_qs,
                                                 u"a.pth"_qs}
                                  << QStringList{};
        QTest::newRow("bin as a real package")
            << QStringList{u"bin/__init__.py"_qs, u"bin/x.py"_qs} << QStringList{u"bin"_qs};
        QTest::newRow("data-only directory is not a module")
            << QStringList{u"share/doc.txt"_qs, u"pkg/py.typed"_qs} << QStringList{};
        QTest::newRow("backslashes and ./")
            << QStringList{u".\\win\\mod.py"_qs} << QStringList{u"win"_qs};
        QTest::newRow("stub package is not importable")
            << QStringList{u"foo-stubs/__init__.pyi"_qs, u"foo-stubs/py.typed"_qs} << QStringList{};
        QTest::newRow("mypyc helper at top level")
            << QStringList{u"81d243bd2c585b0f4821__mypyc.cpython-311-x86_64-linux-gnu.so"_qs}
            << QStringList{u"81d243bd2c585b0f4821__mypyc"_qs};
        QTest::newRow("directory that is not an identifier")
            << QStringList{u"my-pkg/x.py"_qs} << QStringList{u"my-pkg"_qs};
        QTest::newRow("sourceless module")
            << QStringList{u"legacy.pyc"_qs} << QStringList{u"legacy"_qs};
        QTest::newRow("extension __init__ package")
            << QStringList{u"fast/__init__.cpython-311-x86_64-linux-gnu.so"_qs}
            << QStringList{u"fast"_qs};
        QTest::newRow("dotted directory (vendored .libs)")
            << QStringList{u"foo.libs/libz.so"_qs} << QStringList{};
        QTest::newRow(".pth only")
            << QStringList{u"foo.pth"_qs, u"foo-1.0.dist-info/RECORD"_qs} << QStringList{};
    }

    void modulesFromPaths()
    {
        QFETCH(QStringList, paths);
        QFETCH(QStringList, modules);
        QStringList got = modulesFromInstalledPaths(paths);
        got.sort();
        QCOMPARE(got, modules);
    }

    void installedFiles()
    {
        QCOMPARE(installedFilesPaths("../foo/__init__.py\nPKG-INFO\n../bar.py\n"),
                 (QStringList{u"foo/__init__.py"_qs, u"bar.py"_qs}));
    }
};

QTEST_GUILESS_MAIN(TestDistMetadata)
#include "tst_distmetadata.moc"
