// SPDX-License-Identifier: MIT
// Reading the pieces of a distribution's metadata: core metadata headers,
// top_level.txt, RECORD and installed-files.txt, and the module rules.
#include "lock/distmetadata.h"

#include <QTest>

using namespace Qt::Literals::StringLiterals;

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
                               << u"Jinja2"_s << u"3.1.2"_s;
        QTest::newRow("crlf") << QByteArray("Name: foo\r\nVersion: 1.0\r\n\r\nbody") << u"foo"_s
                              << u"1.0"_s;
        QTest::newRow("case-insensitive fields")
            << QByteArray("NAME: Foo\nversion: 2\n") << u"Foo"_s << u"2"_s;
        QTest::newRow("first occurrence wins")
            << QByteArray("Name: first\nName: second\nVersion: 1\nVersion: 2\n") << u"first"_s
            << u"1"_s;
        QTest::newRow("body after blank line ignored")
            << QByteArray("Summary: x\n\nName: body\nVersion: 9\n") << QString() << QString();
        QTest::newRow("folded continuation")
            << QByteArray("Name: long\n name\nVersion: 1.0\nSummary: a\n  b\n") << u"long name"_s
            << u"1.0"_s;
        QTest::newRow("folded field does not leak into the next")
            << QByteArray("Summary: a\n continued\nName: n\nVersion: 1\n") << u"n"_s << u"1"_s;
        QTest::newRow("utf-8") << QByteArray("Name: Caf\xC3\xA9\nVersion: 1\n") << u"Café"_s
                               << u"1"_s;
        QTest::newRow("bom") << QByteArray("\xEF\xBB\xBFName: b\nVersion: 1\n") << u"b"_s << u"1"_s;
        QTest::newRow("no name") << QByteArray("Version: 1\n") << QString() << u"1"_s;
        QTest::newRow("empty") << QByteArray() << QString() << QString();
        QTest::newRow("trailing spaces trimmed")
            << QByteArray("Name: x  \nVersion:\t1.0 \n") << u"x"_s << u"1.0"_s;
        QTest::newRow("no final newline") << QByteArray("Name: x\nVersion: 3") << u"x"_s << u"3"_s;
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
                 (QStringList{u"a"_s, u"b"_s, u"c"_s}));
        QVERIFY(parseTopLevel("").isEmpty());
    }

    void record()
    {
        const QByteArray data = "a/b.py,sha256=x,1\n\"q,uote\"\"d.py\",,\n\nplain\n";
        QCOMPARE(recordPaths(data), (QStringList{u"a/b.py"_s, u"q,uote\"d.py"_s, u"plain"_s}));
    }

    void moduleOfFile_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("module");
        QTest::newRow("py") << u"six.py"_s << u"six"_s;
        QTest::newRow("cpython so") << u"_cffi.cpython-311-x86_64-linux-gnu.so"_s << u"_cffi"_s;
        QTest::newRow("abi3") << u"foo.abi3.so"_s << u"foo"_s;
        QTest::newRow("plain so") << u"bar.so"_s << u"bar"_s;
        QTest::newRow("pyd") << u"baz.cp311-win_amd64.pyd"_s << u"baz"_s;
        QTest::newRow("plain pyd") << u"qux.pyd"_s << u"qux"_s;
        QTest::newRow("pth") << u"x.pth"_s << QString();
        QTest::newRow("dotted py") << u"a.b.py"_s << QString();
        QTest::newRow("not an identifier, still importable") << u"my-mod.py"_s << u"my-mod"_s;
        QTest::newRow("mypyc helper")
            << u"81d243bd2c585b0f4821__mypyc.cpython-311-x86_64-linux-gnu.so"_s
            << u"81d243bd2c585b0f4821__mypyc"_s;
        QTest::newRow("cffi backend")
            << u"_cffi_backend.cpython-311-x86_64-linux-gnu.so"_s << u"_cffi_backend"_s;
        QTest::newRow("sourceless pyc") << u"legacy.pyc"_s << u"legacy"_s;
        QTest::newRow("cached pyc is not top-level") << u"six.cpython-311.pyc"_s << QString();
        QTest::newRow("other CPython version") << u"m.cpython-313-x86_64-linux-gnu.so"_s << u"m"_s;
        QTest::newRow("debug build") << u"m.cpython-311d-x86_64-linux-gnu.so"_s << u"m"_s;
        QTest::newRow("macOS") << u"m.cpython-312-darwin.so"_s << u"m"_s;
        QTest::newRow("PyPy") << u"m.pypy310-pp73-x86_64-linux-gnu.so"_s << u"m"_s;
        QTest::newRow("pyw") << u"gui.pyw"_s << u"gui"_s;
        QTest::newRow("dotted so") << u"foo.bar.so"_s << QString();
        QTest::newRow("dotted before tag") << u"a.b.cpython-311-x86_64-linux-gnu.so"_s << QString();
        QTest::newRow("dot after tag") << u"a.cpython-311.x.so"_s << QString();
        QTest::newRow("versioned shared library") << u"libfoo.so.1"_s << QString();
        QTest::newRow("bare suffix") << u".so"_s << QString();
        QTest::newRow("bare py") << u".py"_s << QString();
        QTest::newRow("stub") << u"foo.pyi"_s << QString();
        QTest::newRow("whitespace") << u"a b.py"_s << QString();
        QTest::newRow("txt") << u"README.txt"_s << QString();
        QTest::newRow("unicode") << u"café.py"_s << u"café"_s;
    }

    void topLevelModuleName_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("identifier") << u"six"_s << true;
        QTest::newRow("leading digit") << u"81d243bd2c585b0f4821__mypyc"_s << true;
        QTest::newRow("dash") << u"foo-stubs"_s << true;
        QTest::newRow("dot") << u"foo.dist-info"_s << false;
        QTest::newRow("slash") << u"a/b"_s << false;
        QTest::newRow("backslash") << u"a\\b"_s << false;
        QTest::newRow("space") << u"a b"_s << false;
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
        QTest::newRow("package") << QStringList{u"pkg/__init__.py"_s, u"pkg/data.json"_s}
                                 << QStringList{u"pkg"_s};
        QTest::newRow("namespace package")
            << QStringList{u"ns/sub/mod.py"_s} << QStringList{u"ns"_s};
        QTest::newRow("top-level module and extension")
            << QStringList{u"six.py"_s, u"_speed.cpython-311-x86_64-linux-gnu.so"_s}
            << QStringList{u"_speed"_s, u"six"_s};
        QTest::newRow("excluded") << QStringList{u"../../bin/tool"_s,
                                                 u"foo-1.0.dist-info/METADATA"_s,
                                                 u"foo-1.0.data/scripts/x.py"_s,
                                                 u"__pycache__/six.cpython-311.pyc"_s,
                                                 u"bin/script.py"_s,
                                                 u"/abs/mod.py"_s,
                                                 u"x/../y/z.py"_s,
                                                 u"foo.egg-info/PKG-INFO"_s,
                                                 u"C:/win/mod.py"_s,
                                                 u"a.pth"_s}
                                  << QStringList{};
        QTest::newRow("bin as a real package")
            << QStringList{u"bin/__init__.py"_s, u"bin/x.py"_s} << QStringList{u"bin"_s};
        QTest::newRow("data-only directory is not a module")
            << QStringList{u"share/doc.txt"_s, u"pkg/py.typed"_s} << QStringList{};
        QTest::newRow("backslashes and ./")
            << QStringList{u".\\win\\mod.py"_s} << QStringList{u"win"_s};
        QTest::newRow("stub package is not importable")
            << QStringList{u"foo-stubs/__init__.pyi"_s, u"foo-stubs/py.typed"_s} << QStringList{};
        QTest::newRow("mypyc helper at top level")
            << QStringList{u"81d243bd2c585b0f4821__mypyc.cpython-311-x86_64-linux-gnu.so"_s}
            << QStringList{u"81d243bd2c585b0f4821__mypyc"_s};
        QTest::newRow("directory that is not an identifier")
            << QStringList{u"my-pkg/x.py"_s} << QStringList{u"my-pkg"_s};
        QTest::newRow("sourceless module")
            << QStringList{u"legacy.pyc"_s} << QStringList{u"legacy"_s};
        QTest::newRow("extension __init__ package")
            << QStringList{u"fast/__init__.cpython-311-x86_64-linux-gnu.so"_s}
            << QStringList{u"fast"_s};
        QTest::newRow("dotted directory (vendored .libs)")
            << QStringList{u"foo.libs/libz.so"_s} << QStringList{};
        QTest::newRow(".pth only")
            << QStringList{u"foo.pth"_s, u"foo-1.0.dist-info/RECORD"_s} << QStringList{};
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
                 (QStringList{u"foo/__init__.py"_s, u"bar.py"_s}));
    }
};

QTEST_GUILESS_MAIN(TestDistMetadata)
#include "tst_distmetadata.moc"
