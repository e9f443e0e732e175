// SPDX-License-Identifier: MIT
// The relocatability audit on a hand-made tree: script shebangs become
// trampolines that still run, RECORD follows, module shebangs are left alone,
// and a build path anywhere else fails the build naming the file.
#include "bundle/relocation.h"
#include "common/testutil.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using namespace deskpack::bundle;

namespace {

void writeFile(const QString &path, const QByteArray &data, bool executable = false)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
    f.close();
    if (executable)
        f.setPermissions(f.permissions() | QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther);
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestRelocation : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_root;
    QString m_core;

    RelocationInput input() const
    {
        return RelocationInput{m_root,
                               u"runtime/bin/python3.11"_s,
                               u"runtime/lib/python3.11/site-packages"_s,
                               {m_root},
                               {u"/usr/lib/python3.11"_s}};
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_root = m_dir.filePath(u"bundle-"_s + QString::fromLatin1(QTest::currentTestFunction()));
        m_core = m_root + u"/runtime/lib/python3.11/site-packages"_s;
        // A stand-in interpreter that reports how it was called.
        writeFile(m_root + u"/runtime/bin/python3.11"_s,
                  "#!/bin/sh\necho \"interpreter=$0 script=$1 args=$2\"\n", true);
    }

    void scriptsGetTrampolines()
    {
        const QByteArray body = "import sys\nprint('hi')\n";
        writeFile(m_core + u"/bin/tool"_s,
                  "#!" + m_root.toUtf8() + "/runtime/bin/python3.11\n" + body, true);
        // pip/distlib's long-path form, with a space in the path.
        writeFile(m_core + u"/bin/long"_s,
                  "#!/bin/sh\n'''exec' \"" + m_root.toUtf8() +
                      "/runtime/bin/python3.11\" \"$0\" \"$@\"\n' '''\n" + body,
                  true);
        writeFile(
            m_core + u"/tool-1.0.dist-info/RECORD"_s,
            "../../bin/tool,sha256=old,10\n../../bin/long,sha256=old,10\ntool/__init__.py,,\n");
        Result<RelocationReport> report = makeRelocatable(input());
        QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().message));
        QVERIFY2(report->errors.isEmpty(), qPrintable(report->errors.join(u'\n')));

        for (const char *name : {"tool", "long"}) {
            const QByteArray script = readFile(m_core + u"/bin/"_s + QLatin1StringView(name));
            QCOMPARE(script, trampoline(u"../../../../bin/python3.11"_s) + body);
            // It really runs the interpreter next to it, with itself as the script.
            const auto run =
                test::runProcess(m_core + u"/bin/"_s + QLatin1StringView(name), {u"x"_s});
            QCOMPARE(run.exitCode, 0);
            QVERIFY2(run.out.contains(QByteArray("python3.11 script=" + m_core.toUtf8() + "/bin/" +
                                                 name + " args=x")),
                     run.out.constData());
        }
        const QByteArray record = readFile(m_core + u"/tool-1.0.dist-info/RECORD"_s);
        const QByteArray tool = readFile(m_core + u"/bin/tool"_s);
        const QByteArray hash =
            QCryptographicHash::hash(tool, QCryptographicHash::Sha256)
                .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        QVERIFY2(record.contains(QByteArray("../../bin/tool,sha256=" + hash + ',' +
                                            QByteArray::number(tool.size()))),
                 record.constData());
        QVERIFY(record.contains("tool/__init__.py,,"));
    }

    void modulesKeepTheirShebang()
    {
        const QByteArray module = "#! /usr/bin/python3.11\n\"\"\"Docstring.\"\"\"\n";
        writeFile(m_root + u"/runtime/lib/python3.11/base64.py"_s, module);
        Result<RelocationReport> report = makeRelocatable(input());
        QVERIFY(report.ok());
        QCOMPARE(readFile(m_root + u"/runtime/lib/python3.11/base64.py"_s), module);
        QVERIFY(report->rewritten.isEmpty());
    }

    void hostPathsAreReported()
    {
        writeFile(m_root + u"/runtime/lib/python3.11/_sysconfigdata.py"_s,
                  "build_time_vars = {'LIBDEST': '/usr/lib/python3.11'}\n");
        Result<RelocationReport> report = makeRelocatable(input());
        QVERIFY(report.ok());
        QCOMPARE(
            report->reported,
            QStringList{
                u"runtime/lib/python3.11/_sysconfigdata.py: mentions host path /usr/lib/python3.11"_s});
        QVERIFY(report->errors.isEmpty());
    }

    void pthPathsIntoTheCoreBecomeRelative()
    {
        writeFile(m_core + u"/extra.pth"_s, m_core.toUtf8() + "/vendored\n");
        Result<RelocationReport> report = makeRelocatable(input());
        QVERIFY(report.ok());
        QCOMPARE(readFile(m_core + u"/extra.pth"_s), QByteArray("./vendored\n"));
        QVERIFY(report->errors.isEmpty());
    }

    void buildPathsAnywhereElseFail()
    {
        writeFile(m_root + u"/app/config.ini"_s, "data_dir = " + m_root.toUtf8() + "/app/data\n");
        writeFile(m_root + u"/app/blob.bin"_s, QByteArray("\0\1", 2) + m_root.toUtf8());
        Result<RelocationReport> report = makeRelocatable(input());
        QVERIFY(report.ok());
        QCOMPARE(report->errors.size(), 2);
        QVERIFY(report->errors[0].startsWith(u"app/blob.bin: contains the build-machine path"_s));
        QVERIFY(report->errors[0].endsWith(u"(binary)"_s));
        QVERIFY(report->errors[1].startsWith(u"app/config.ini: contains the build-machine path"_s));
    }

    // ELF files are audited from their dynamic section: a library whose RUNPATH
    // names the build machine, and an extension needing a library nowhere in
    // the bundle, each fail the build by name; the $ORIGIN layout passes.
    void elfSearchPathsAreAudited()
    {
        const QString zlib = u"/lib/x86_64-linux-gnu/libz.so.1"_s; // needs only libc
        QVERIFY2(QFileInfo::exists(zlib), "zlib1g is required");
        const QString lib = m_root + u"/runtime/lib/libz.so.1"_s;
        QDir().mkpath(QFileInfo(lib).absolutePath());
        QVERIFY(QFile::copy(zlib, lib));
        QFile::setPermissions(lib, QFile::permissions(lib) | QFile::WriteOwner);
        Result<RelocationReport> clean = makeRelocatable(input());
        QVERIFY(clean.ok());
        QVERIFY2(clean->errors.isEmpty(), qPrintable(clean->errors.join(u'\n')));

        QCOMPARE(
            test::runProcess(u"patchelf"_s, {u"--set-rpath"_s, u"/opt/build/lib"_s, lib}).exitCode,
            0);
        const QString ext = m_core + u"/pkg/_ext.so"_s;
        QDir().mkpath(m_core + u"/pkg"_s);
        QVERIFY(QFile::copy(zlib, ext));
        QFile::setPermissions(ext, QFile::permissions(ext) | QFile::WriteOwner);
        // Two runs: patchelf 0.14 mixes up --add-needed and --set-rpath given together.
        QCOMPARE(
            test::runProcess(u"patchelf"_s, {u"--add-needed"_s, u"libfoo-1a2b.so"_s, ext}).exitCode,
            0);
        QCOMPARE(test::runProcess(u"patchelf"_s, {u"--set-rpath"_s, u"$ORIGIN/../pkg.libs"_s, ext})
                     .exitCode,
                 0);
        Result<RelocationReport> report = makeRelocatable(input());
        QVERIFY(report.ok());
        QVERIFY2(report->errors.size() == 2, qPrintable(report->errors.join(u'\n')));
        QVERIFY2(report->errors[0].startsWith(
                     u"runtime/lib/libz.so.1: RUNPATH names the absolute path '/opt/build/lib'"_s),
                 qPrintable(report->errors[0]));
        QVERIFY2(report->errors[1].startsWith(
                     u"runtime/lib/python3.11/site-packages/pkg/_ext.so: needs libfoo-1a2b.so"_s),
                 qPrintable(report->errors[1]));
    }
};

QTEST_GUILESS_MAIN(TestRelocation)
#include "tst_relocation.moc"
