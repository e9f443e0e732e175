// SPDX-License-Identifier: MIT
// Reading ELF with libelf, the base-system allow-list, the host's library
// search, the ELF audit and normalisation, on small ELF files compiled here
// with gcc (and copies with a patched e_machine, and a hand-made 32-bit header).

#include "common/testutil.h"
#include "runtime/elfaudit.h"
#include "runtime/elffile.h"
#include "runtime/sharedlibraries.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <elf.h>

using namespace deskpack;
using namespace deskpack::runtime;

namespace {

bool compile(const QStringList &arguments, QByteArray *error)
{
    const test::ProcessResult r = test::runProcess(QStringLiteral("gcc"), arguments);
    *error = r.err;
    return r.exitCode == 0;
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

// A copy of `from` whose e_machine says `machine`.
bool copyWithMachine(const QString &from, const QString &to, quint16 machine)
{
    QFile in(from);
    if (!in.open(QIODevice::ReadOnly))
        return false;
    QByteArray data = in.readAll();
    data[18] = char(machine & 0xff); // e_machine, little-endian, after e_ident and e_type
    data[19] = char(machine >> 8);
    return writeFile(to, data);
}

// The smallest ELF a loader could be asked about: a 32-bit i386 ET_DYN header.
QByteArray elf32Header()
{
    QByteArray h(52, '\0');
    h[0] = 0x7f;
    h[1] = 'E';
    h[2] = 'L';
    h[3] = 'F';
    h[4] = 1;   // ELFCLASS32
    h[5] = 1;   // little-endian
    h[6] = 1;   // EV_CURRENT
    h[16] = 3;  // ET_DYN
    h[18] = 3;  // EM_386
    h[20] = 1;  // e_version
    h[40] = 52; // e_ehsize
    return h;
}

QStringList findingTexts(const QList<ElfFinding> &findings)
{
    QStringList out;
    for (const ElfFinding &f : findings)
        out.append(f.message);
    return out;
}

} // namespace

class TestElfAudit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void readsDynamicSection();
    void refusesNonElf();
    void baseSystem_data();
    void baseSystem();
    void hostSearchOrder();
    void hostSearchFindsSystemLibraries();
    void auditFindsAbsoluteRunPath();
    void normalizeFixesArchiveTree();
    void normalizeFailsOnMissingLibrary();
    void foreignMachines_data();
    void foreignMachines();
    void normalizeCopiesFromHost();
    void manylinuxLayoutPasses();

private:
    // tree/bin/app needs libfoo.so.1 (tree/lib), which needs libbar.so.1
    // (tree/lib); both link with RUNPATH = the absolute tree/lib.
    void makeTree(const QString &tree, const QString &runPath);

    QTemporaryDir m_dir;
    QString m_src;
};

void TestElfAudit::initTestCase()
{
    QVERIFY(m_dir.isValid());
    if (QStandardPaths::findExecutable(QStringLiteral("gcc")).isEmpty()) {
        if (qEnvironmentVariable("CI") == u"true")
            QFAIL("gcc is required (Debian package gcc)");
        QSKIP("gcc is not installed: these tests compile their ELF files");
    }
    m_src = m_dir.filePath(QStringLiteral("src"));
    QVERIFY(writeFile(m_src + QStringLiteral("/bar.c"), "int bar(void) { return 1; }\n"));
    QVERIFY(writeFile(m_src + QStringLiteral("/foo.c"),
                      "int bar(void);\nint foo(void) { return bar() + 1; }\n"));
    QVERIFY(writeFile(m_src + QStringLiteral("/app.c"),
                      "int foo(void);\nint main(void) { return foo() == 2 ? 0 : 1; }\n"));
}

void TestElfAudit::makeTree(const QString &tree, const QString &runPath)
{
    QByteArray error;
    QVERIFY(QDir().mkpath(tree + QStringLiteral("/lib")) &&
            QDir().mkpath(tree + QStringLiteral("/bin")));
    const QString lib = tree + QStringLiteral("/lib");
    QVERIFY2(compile({QStringLiteral("-shared"), QStringLiteral("-fPIC"),
                      QStringLiteral("-Wl,-soname,libbar.so.1"), m_src + QStringLiteral("/bar.c"),
                      QStringLiteral("-o"), lib + QStringLiteral("/libbar.so.1")},
                     &error),
             error.constData());
    QVERIFY2(compile({QStringLiteral("-shared"), QStringLiteral("-fPIC"),
                      QStringLiteral("-Wl,-soname,libfoo.so.1"), m_src + QStringLiteral("/foo.c"),
                      lib + QStringLiteral("/libbar.so.1"), QStringLiteral("-Wl,-rpath,") + runPath,
                      QStringLiteral("-o"), lib + QStringLiteral("/libfoo.so.1")},
                     &error),
             error.constData());
    QVERIFY2(
        compile({m_src + QStringLiteral("/app.c"), lib + QStringLiteral("/libfoo.so.1"),
                 QStringLiteral("-Wl,-rpath,") + runPath, QStringLiteral("-Wl,--enable-new-dtags"),
                 QStringLiteral("-o"), tree + QStringLiteral("/bin/app")},
                &error),
        error.constData());
}

void TestElfAudit::readsDynamicSection()
{
    const QString tree = m_dir.filePath(QStringLiteral("read"));
    makeTree(tree, tree + QStringLiteral("/lib"));
    Result<ElfInfo> app = readElf(tree + QStringLiteral("/bin/app"));
    QVERIFY2(app, app ? "" : qPrintable(app.error().message));
    QVERIFY(app->isLoadable());
    QVERIFY(app->is64);
    QCOMPARE(app->machine, int(EM_X86_64));
    QVERIFY(runsOnHost(*app));
    QVERIFY2(app->interpreter.startsWith(QStringLiteral("/lib64/ld-linux-x86-64.so.2")) ||
                 app->interpreter.contains(QStringLiteral("ld-linux")),
             qPrintable(app->interpreter));
    QVERIFY(app->needed.contains(QStringLiteral("libfoo.so.1")));
    QVERIFY(app->needed.contains(QStringLiteral("libc.so.6")));
    QCOMPARE(app->runPath, QStringList{tree + QStringLiteral("/lib")});
    QVERIFY(app->rPath.isEmpty());

    Result<ElfInfo> foo = readElf(tree + QStringLiteral("/lib/libfoo.so.1"));
    QVERIFY(foo);
    QCOMPARE(foo->soname, QStringLiteral("libfoo.so.1"));
    QVERIFY(foo->interpreter.isEmpty());
    QCOMPARE(foo->needed.first(), QStringLiteral("libbar.so.1"));
    // Debian's gcc writes DT_RUNPATH by default; both kinds count as search path.
    QCOMPARE(foo->searchPath(), QStringList{tree + QStringLiteral("/lib")});
}

void TestElfAudit::refusesNonElf()
{
    const QString text = m_dir.filePath(QStringLiteral("text.so"));
    QVERIFY(writeFile(text, "not an ELF file\n"));
    Result<ElfInfo> r = readElf(text);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Unreadable);
    QVERIFY2(r.error().message.startsWith(text + QStringLiteral(": not an ELF")),
             qPrintable(r.error().message));

    const QString cut = m_dir.filePath(QStringLiteral("cut.so"));
    QVERIFY(writeFile(cut, elf32Header().left(20)));
    Result<ElfInfo> truncated = readElf(cut);
    QVERIFY(!truncated);
    QCOMPARE(truncated.error().kind, ErrorKind::Unreadable);
    QVERIFY2(truncated.error().message.startsWith(cut + u':'),
             qPrintable(truncated.error().message));
    QVERIFY(!readElf(m_dir.filePath(QStringLiteral("missing.so"))));
}

void TestElfAudit::baseSystem_data()
{
    QTest::addColumn<QString>("soname");
    QTest::addColumn<bool>("base");
    for (const char *name :
         {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1",
          "libresolv.so.2", "libnsl.so.1", "ld-linux-x86-64.so.2", "libgcc_s.so.1",
          "libstdc++.so.6", "libX11.so.6", "libglib-2.0.so.0"})
        QTest::newRow(name) << QString::fromLatin1(name) << true;
    for (const char *name :
         {"libcrypt.so.1", "libnsl.so.2", "libz.so.1", "libssl.so.3", "libffi.so.8",
          "libpython3.12.so.1.0", "libcrash.so.6", "libcfoo.so.6", "libm.so.6.evil.so.1"})
        QTest::newRow(name) << QString::fromLatin1(name) << false;
}

void TestElfAudit::baseSystem()
{
    QFETCH(QString, soname);
    QFETCH(bool, base);
    QCOMPARE(isBaseSystemLibrary(soname), base);
}

void TestElfAudit::hostSearchOrder()
{
    // RUNPATH first, then the cache, then the default directories; RPATH is
    // ignored when RUNPATH is present; $ORIGIN is the requester's directory.
    const QString tree = m_dir.filePath(QStringLiteral("search"));
    makeTree(tree, QStringLiteral("$ORIGIN/../lib"));
    const QString other = m_dir.filePath(QStringLiteral("search-other"));
    makeTree(other, other + QStringLiteral("/lib"));
    Result<ElfInfo> app = readElf(tree + QStringLiteral("/bin/app"));
    QVERIFY(app);

    const HostLibrarySearch search(
        {{QStringLiteral("libfoo.so.1"), {other + QStringLiteral("/lib/libfoo.so.1")}}},
        {other + QStringLiteral("/lib")});
    QCOMPARE(search.find(QStringLiteral("libfoo.so.1"), *app, tree + QStringLiteral("/bin/app")),
             tree + QStringLiteral("/lib/libfoo.so.1"));
    ElfInfo noRunPath = *app;
    noRunPath.runPath.clear();
    QCOMPARE(
        search.find(QStringLiteral("libfoo.so.1"), noRunPath, tree + QStringLiteral("/bin/app")),
        other + QStringLiteral("/lib/libfoo.so.1"));
    QCOMPARE(
        search.find(QStringLiteral("libbar.so.1"), noRunPath, tree + QStringLiteral("/bin/app")),
        other + QStringLiteral("/lib/libbar.so.1"));
    ElfInfo rpathIgnored = *app;
    rpathIgnored.rPath = {other + QStringLiteral("/lib")};
    QCOMPARE(
        search.find(QStringLiteral("libfoo.so.1"), rpathIgnored, tree + QStringLiteral("/bin/app")),
        tree + QStringLiteral("/lib/libfoo.so.1"));
    QVERIFY(search.find(QStringLiteral("libnothere.so.9"), noRunPath, tree).isEmpty());

    // A library of another machine is not a match: the loader would skip it.
    const QString foreign = m_dir.filePath(QStringLiteral("search-foreign"));
    QVERIFY(copyWithMachine(tree + QStringLiteral("/lib/libfoo.so.1"),
                            foreign + QStringLiteral("/libfoo.so.1"), EM_AARCH64));
    const HostLibrarySearch skipping({}, {foreign, other + QStringLiteral("/lib")});
    QCOMPARE(skipping.find(QStringLiteral("libfoo.so.1"), noRunPath, tree),
             other + QStringLiteral("/lib/libfoo.so.1"));
}

void TestElfAudit::hostSearchFindsSystemLibraries()
{
    // The real loader cache (ldconfig -p) of this machine.
    Result<ElfInfo> python = readElf(QStringLiteral("/usr/bin/python3.11"));
    QVERIFY2(python, python ? "" : qPrintable(python.error().message));
    const HostLibrarySearch search = HostLibrarySearch::load();
    const QString z =
        search.find(QStringLiteral("libz.so.1"), *python, QStringLiteral("/usr/bin/python3.11"));
    QVERIFY2(z.endsWith(QStringLiteral("/libz.so.1")) && QFileInfo(z).exists(), qPrintable(z));
}

void TestElfAudit::auditFindsAbsoluteRunPath()
{
    const QString tree = m_dir.filePath(QStringLiteral("audit"));
    makeTree(tree, tree + QStringLiteral("/lib"));
    QList<ElfFinding> findings = auditElfTree(tree, QStringLiteral("python/"));
    const QStringList texts = findingTexts(findings);
    QCOMPARE(findings.size(), 4); // app and libfoo: absolute entry, and the library it misses
    QCOMPARE(findings[0].kind, ElfFinding::Kind::AbsoluteSearchPath);
    QCOMPARE(findings[0].file, QStringLiteral("python/bin/app"));
    QCOMPARE(findings[0].detail, tree + QStringLiteral("/lib"));
    QVERIFY2(findings[0].message.startsWith(
                 QStringLiteral("python/bin/app: RUNPATH names the absolute path '") + tree),
             qPrintable(texts.join(u'\n')));
    QCOMPARE(findings[1].kind, ElfFinding::Kind::UnresolvedLibrary);
    QCOMPARE(findings[1].detail, QStringLiteral("libfoo.so.1"));
    QCOMPARE(findings[3].file, QStringLiteral("python/lib/libfoo.so.1"));
    QCOMPARE(findings[3].detail, QStringLiteral("libbar.so.1"));

    // A cwd-relative entry is as wrong as an absolute one; one that climbs out too.
    QCOMPARE(test::runProcess(QStringLiteral("patchelf"),
                              {QStringLiteral("--set-rpath"), QStringLiteral("lib"),
                               tree + QStringLiteral("/bin/app")})
                 .exitCode,
             0);
    QCOMPARE(test::runProcess(QStringLiteral("patchelf"),
                              {QStringLiteral("--set-rpath"), QStringLiteral("$ORIGIN/../../.."),
                               tree + QStringLiteral("/lib/libfoo.so.1")})
                 .exitCode,
             0);
    findings = auditElfTree(tree);
    QCOMPARE(findings[0].kind, ElfFinding::Kind::AbsoluteSearchPath);
    QVERIFY2(findings[0].message.contains(QStringLiteral("cwd-relative path 'lib'")),
             qPrintable(findings[0].message));
    QCOMPARE(findings[2].kind, ElfFinding::Kind::SearchPathOutside);
    QCOMPARE(findings[2].file, QStringLiteral("lib/libfoo.so.1"));
}

void TestElfAudit::normalizeFixesArchiveTree()
{
    // What a source-built prefix packed as install_only looks like: absolute
    // RUNPATHs of the prefix. Normalised, it runs from anywhere.
    const QString tree = m_dir.filePath(QStringLiteral("prefix"));
    makeTree(tree, tree + QStringLiteral("/lib"));
    ElfNormalizeOptions options;
    options.missing = MissingLibraries::Fail;
    Result<ElfNormalizeReport> r = normalizeElfTree(tree, options);
    QVERIFY2(r, r ? "" : qPrintable(r.error().message));
    QVERIFY(r->copiedLibraries.isEmpty());
    QCOMPARE(r->rewritten.size(), 2); // app and libfoo; libbar has no search path
    QCOMPARE(readElf(tree + QStringLiteral("/bin/app"))->runPath,
             QStringList{QStringLiteral("$ORIGIN/../lib")});
    QCOMPARE(readElf(tree + QStringLiteral("/lib/libfoo.so.1"))->runPath,
             QStringList{QStringLiteral("$ORIGIN")});
    // libbar needs nothing outside the base system, and gets no search path.
    QVERIFY(readElf(tree + QStringLiteral("/lib/libbar.so.1"))->searchPath().isEmpty());
    QVERIFY2(auditElfTree(tree).isEmpty(),
             qPrintable(findingTexts(auditElfTree(tree)).join(u'\n')));

    // Moved, with the original place gone, it runs; normalising again changes nothing.
    const QString moved = m_dir.filePath(QStringLiteral("prefix-moved"));
    QVERIFY(QDir().rename(tree, moved));
    const test::ProcessResult run = test::runProcess(moved + QStringLiteral("/bin/app"), {});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    Result<ElfNormalizeReport> again = normalizeElfTree(moved, options);
    QVERIFY(again);
    QVERIFY(again->rewritten.isEmpty());
}

void TestElfAudit::normalizeFailsOnMissingLibrary()
{
    const QString tree = m_dir.filePath(QStringLiteral("missing"));
    makeTree(tree, tree + QStringLiteral("/lib"));
    QVERIFY(QFile::rename(tree + QStringLiteral("/lib/libfoo.so.1"),
                          m_dir.filePath(QStringLiteral("libfoo.so.1"))));
    ElfNormalizeOptions options;
    options.source = QStringLiteral("runtime.tar.gz");
    options.displayPrefix = QStringLiteral("python/");
    Result<ElfNormalizeReport> r = normalizeElfTree(tree, options);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Unreadable);
    QVERIFY2(r.error().message.startsWith(QStringLiteral("runtime.tar.gz: ")) &&
                 r.error().message.contains(QStringLiteral("python/bin/app needs libfoo.so.1")),
             qPrintable(r.error().message));
    // Nothing was patched before the failure was known.
    QCOMPARE(readElf(tree + QStringLiteral("/bin/app"))->runPath,
             QStringList{tree + QStringLiteral("/lib")});
}

void TestElfAudit::foreignMachines_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("described");
    QTest::newRow("aarch64") << QStringLiteral("aarch64") << QStringLiteral("AArch64 (64-bit)");
    QTest::newRow("i386 32-bit") << QStringLiteral("i386")
                                 << QStringLiteral("Intel 80386 (32-bit)");
}

void TestElfAudit::foreignMachines()
{
    QFETCH(QString, name);
    QFETCH(QString, described);
    const QString tree = m_dir.filePath(QStringLiteral("foreign-") + name);
    makeTree(tree, QStringLiteral("$ORIGIN/../lib"));
    const QString odd = tree + QStringLiteral("/lib/libodd.so");
    if (name == u"aarch64")
        QVERIFY(copyWithMachine(tree + QStringLiteral("/lib/libbar.so.1"), odd, EM_AARCH64));
    else
        QVERIFY(writeFile(odd, elf32Header()));

    const QList<ElfFinding> findings = auditElfTree(tree);
    QCOMPARE(findings.size(), 1);
    QCOMPARE(findings[0].kind, ElfFinding::Kind::ForeignMachine);
    QCOMPARE(findings[0].file, QStringLiteral("lib/libodd.so"));
    QCOMPARE(findings[0].detail, described);

    ElfNormalizeOptions options;
    options.source = QStringLiteral("odd.tar.gz");
    options.displayPrefix = QStringLiteral("python/");
    Result<ElfNormalizeReport> r = normalizeElfTree(tree, options);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Unreadable);
    QCOMPARE(r.error().message, QStringLiteral("odd.tar.gz: python/lib/libodd.so is an ELF for ") +
                                    described +
                                    QStringLiteral("; this machine runs x86-64 (64-bit)"));
}

void TestElfAudit::normalizeCopiesFromHost()
{
    // A host copy: bin/app copied alone; libfoo and libbar are found where the
    // original's RUNPATH says (the "host"), copied into lib/, and patched.
    const QString host = m_dir.filePath(QStringLiteral("host"));
    makeTree(host, host + QStringLiteral("/lib"));
    const QString tree = m_dir.filePath(QStringLiteral("copy"));
    QVERIFY(QDir().mkpath(tree + QStringLiteral("/bin")));
    QVERIFY(QFile::copy(host + QStringLiteral("/bin/app"), tree + QStringLiteral("/bin/app")));
    ElfNormalizeOptions options;
    options.missing = MissingLibraries::CopyFromHost;
    options.hostOriginals.insert(tree + QStringLiteral("/bin/app"),
                                 host + QStringLiteral("/bin/app"));
    Result<ElfNormalizeReport> r = normalizeElfTree(tree, options);
    QVERIFY2(r, r ? "" : qPrintable(r.error().message));
    QCOMPARE(r->copiedLibraries,
             (QStringList{QStringLiteral("libfoo.so.1"), QStringLiteral("libbar.so.1")}));
    QVERIFY(auditElfTree(tree).isEmpty());
    QVERIFY(QDir(host).removeRecursively());
    const test::ProcessResult run = test::runProcess(tree + QStringLiteral("/bin/app"), {});
    QVERIFY2(run.exitCode == 0, run.err.constData());
}

void TestElfAudit::manylinuxLayoutPasses()
{
    // auditwheel's layout: the extension finds <pkg>.libs through $ORIGIN/../<pkg>.libs.
    const QString site = m_dir.filePath(QStringLiteral("site-packages"));
    QByteArray error;
    QVERIFY(QDir().mkpath(site + QStringLiteral("/pkg.libs")) &&
            QDir().mkpath(site + QStringLiteral("/pkg")));
    const QString vendored = site + QStringLiteral("/pkg.libs/libbar-1a2b3c.so");
    QVERIFY2(compile({QStringLiteral("-shared"), QStringLiteral("-fPIC"),
                      QStringLiteral("-Wl,-soname,libbar-1a2b3c.so"),
                      m_src + QStringLiteral("/bar.c"), QStringLiteral("-o"), vendored},
                     &error),
             error.constData());
    QVERIFY2(compile({QStringLiteral("-shared"), QStringLiteral("-fPIC"),
                      m_src + QStringLiteral("/foo.c"), vendored,
                      QStringLiteral("-Wl,-rpath,$ORIGIN/../pkg.libs"), QStringLiteral("-o"),
                      site + QStringLiteral("/pkg/_ext.cpython-311-x86_64-linux-gnu.so")},
                     &error),
             error.constData());
    QVERIFY2(auditElfTree(site).isEmpty(),
             qPrintable(findingTexts(auditElfTree(site)).join(u'\n')));
    QVERIFY(QFile::remove(vendored));
    const QList<ElfFinding> findings = auditElfTree(site);
    QCOMPARE(findings.size(), 1);
    QCOMPARE(findings[0].detail, QStringLiteral("libbar-1a2b3c.so"));
}

QTEST_GUILESS_MAIN(TestElfAudit)
#include "tst_elfaudit.moc"
