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

using namespace Qt::Literals::StringLiterals;

using namespace deskpack;
using namespace deskpack::runtime;

namespace {

bool compile(const QStringList &arguments, QByteArray *error)
{
    const test::ProcessResult r = test::runProcess(u"gcc"_s, arguments);
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
    if (QStandardPaths::findExecutable(u"gcc"_s).isEmpty())
        SKIP_OR_FAIL_IN_CI("gcc is not installed (Debian package gcc): these tests compile their "
                           "ELF files");
    m_src = m_dir.filePath(u"src"_s);
    QVERIFY(writeFile(m_src + u"/bar.c"_s, "int bar(void) { return 1; }\n"));
    QVERIFY(
        writeFile(m_src + u"/foo.c"_s, "int bar(void);\nint foo(void) { return bar() + 1; }\n"));
    QVERIFY(writeFile(m_src + u"/app.c"_s,
                      "int foo(void);\nint main(void) { return foo() == 2 ? 0 : 1; }\n"));
}

void TestElfAudit::makeTree(const QString &tree, const QString &runPath)
{
    QByteArray error;
    QVERIFY(QDir().mkpath(tree + u"/lib"_s) && QDir().mkpath(tree + u"/bin"_s));
    const QString lib = tree + u"/lib"_s;
    QVERIFY2(compile({u"-shared"_s, u"-fPIC"_s, u"-Wl,-soname,libbar.so.1"_s, m_src + u"/bar.c"_s,
                      u"-o"_s, lib + u"/libbar.so.1"_s},
                     &error),
             error.constData());
    QVERIFY2(compile({u"-shared"_s, u"-fPIC"_s, u"-Wl,-soname,libfoo.so.1"_s, m_src + u"/foo.c"_s,
                      lib + u"/libbar.so.1"_s, u"-Wl,-rpath,"_s + runPath, u"-o"_s,
                      lib + u"/libfoo.so.1"_s},
                     &error),
             error.constData());
    QVERIFY2(compile({m_src + u"/app.c"_s, lib + u"/libfoo.so.1"_s, u"-Wl,-rpath,"_s + runPath,
                      u"-Wl,--enable-new-dtags"_s, u"-o"_s, tree + u"/bin/app"_s},
                     &error),
             error.constData());
}

void TestElfAudit::readsDynamicSection()
{
    const QString tree = m_dir.filePath(u"read"_s);
    makeTree(tree, tree + u"/lib"_s);
    Result<ElfInfo> app = readElf(tree + u"/bin/app"_s);
    QVERIFY2(app, app ? "" : qPrintable(app.error().message));
    QVERIFY(app->isLoadable());
    QVERIFY(app->is64);
    QCOMPARE(app->machine, int(EM_X86_64));
    QVERIFY(runsOnHost(*app));
    QVERIFY2(app->interpreter.startsWith(u"/lib64/ld-linux-x86-64.so.2"_s) ||
                 app->interpreter.contains(u"ld-linux"_s),
             qPrintable(app->interpreter));
    QVERIFY(app->needed.contains(u"libfoo.so.1"_s));
    QVERIFY(app->needed.contains(u"libc.so.6"_s));
    QCOMPARE(app->runPath, QStringList{tree + u"/lib"_s});
    QVERIFY(app->rPath.isEmpty());

    Result<ElfInfo> foo = readElf(tree + u"/lib/libfoo.so.1"_s);
    QVERIFY(foo);
    QCOMPARE(foo->soname, u"libfoo.so.1"_s);
    QVERIFY(foo->interpreter.isEmpty());
    QCOMPARE(foo->needed.first(), u"libbar.so.1"_s);
    // Debian's gcc writes DT_RUNPATH by default; both kinds count as search path.
    QCOMPARE(foo->searchPath(), QStringList{tree + u"/lib"_s});
}

void TestElfAudit::refusesNonElf()
{
    const QString text = m_dir.filePath(u"text.so"_s);
    QVERIFY(writeFile(text, "not an ELF file\n"));
    Result<ElfInfo> r = readElf(text);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Unreadable);
    QVERIFY2(r.error().message.startsWith(text + u": not an ELF"_s), qPrintable(r.error().message));

    const QString cut = m_dir.filePath(u"cut.so"_s);
    QVERIFY(writeFile(cut, test::elf32Header().left(20)));
    Result<ElfInfo> truncated = readElf(cut);
    QVERIFY(!truncated);
    QCOMPARE(truncated.error().kind, ErrorKind::Unreadable);
    QVERIFY2(truncated.error().message.startsWith(cut + u':'),
             qPrintable(truncated.error().message));
    QVERIFY(!readElf(m_dir.filePath(u"missing.so"_s)));
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
    const QString tree = m_dir.filePath(u"search"_s);
    makeTree(tree, u"$ORIGIN/../lib"_s);
    const QString other = m_dir.filePath(u"search-other"_s);
    makeTree(other, other + u"/lib"_s);
    Result<ElfInfo> app = readElf(tree + u"/bin/app"_s);
    QVERIFY(app);

    const HostLibrarySearch search({{u"libfoo.so.1"_s, {other + u"/lib/libfoo.so.1"_s}}},
                                   {other + u"/lib"_s});
    QCOMPARE(search.find(u"libfoo.so.1"_s, *app, tree + u"/bin/app"_s),
             tree + u"/lib/libfoo.so.1"_s);
    ElfInfo noRunPath = *app;
    noRunPath.runPath.clear();
    QCOMPARE(search.find(u"libfoo.so.1"_s, noRunPath, tree + u"/bin/app"_s),
             other + u"/lib/libfoo.so.1"_s);
    QCOMPARE(search.find(u"libbar.so.1"_s, noRunPath, tree + u"/bin/app"_s),
             other + u"/lib/libbar.so.1"_s);
    ElfInfo rpathIgnored = *app;
    rpathIgnored.rPath = {other + u"/lib"_s};
    QCOMPARE(search.find(u"libfoo.so.1"_s, rpathIgnored, tree + u"/bin/app"_s),
             tree + u"/lib/libfoo.so.1"_s);
    QVERIFY(search.find(u"libnothere.so.9"_s, noRunPath, tree).isEmpty());

    // A library of another machine is not a match: the loader would skip it.
    const QString foreign = m_dir.filePath(u"search-foreign"_s);
    QVERIFY(copyWithMachine(tree + u"/lib/libfoo.so.1"_s, foreign + u"/libfoo.so.1"_s, EM_AARCH64));
    const HostLibrarySearch skipping({}, {foreign, other + u"/lib"_s});
    QCOMPARE(skipping.find(u"libfoo.so.1"_s, noRunPath, tree), other + u"/lib/libfoo.so.1"_s);
}

void TestElfAudit::hostSearchFindsSystemLibraries()
{
    // The real loader cache (ldconfig -p) of this machine.
    Result<ElfInfo> python = readElf(u"/usr/bin/python3.11"_s);
    QVERIFY2(python, python ? "" : qPrintable(python.error().message));
    const HostLibrarySearch search = HostLibrarySearch::load();
    const QString z = search.find(u"libz.so.1"_s, *python, u"/usr/bin/python3.11"_s);
    QVERIFY2(z.endsWith(u"/libz.so.1"_s) && QFileInfo(z).exists(), qPrintable(z));
}

void TestElfAudit::auditFindsAbsoluteRunPath()
{
    const QString tree = m_dir.filePath(u"audit"_s);
    makeTree(tree, tree + u"/lib"_s);
    QList<ElfFinding> findings = auditElfTree(tree, u"python/"_s);
    const QStringList texts = findingTexts(findings);
    QCOMPARE(findings.size(), 4); // app and libfoo: absolute entry, and the library it misses
    QCOMPARE(findings[0].kind, ElfFinding::Kind::AbsoluteSearchPath);
    QCOMPARE(findings[0].file, u"python/bin/app"_s);
    QCOMPARE(findings[0].detail, tree + u"/lib"_s);
    QVERIFY2(findings[0].message.startsWith(u"python/bin/app: RUNPATH names the absolute path '"_s +
                                            tree),
             qPrintable(texts.join(u'\n')));
    QCOMPARE(findings[1].kind, ElfFinding::Kind::UnresolvedLibrary);
    QCOMPARE(findings[1].detail, u"libfoo.so.1"_s);
    QCOMPARE(findings[3].file, u"python/lib/libfoo.so.1"_s);
    QCOMPARE(findings[3].detail, u"libbar.so.1"_s);

    // A cwd-relative entry is as wrong as an absolute one; one that climbs out too.
    QCOMPARE(test::runProcess(u"patchelf"_s, {u"--set-rpath"_s, u"lib"_s, tree + u"/bin/app"_s})
                 .exitCode,
             0);
    QCOMPARE(test::runProcess(u"patchelf"_s, {u"--set-rpath"_s, u"$ORIGIN/../../.."_s,
                                              tree + u"/lib/libfoo.so.1"_s})
                 .exitCode,
             0);
    findings = auditElfTree(tree);
    QCOMPARE(findings[0].kind, ElfFinding::Kind::AbsoluteSearchPath);
    QVERIFY2(findings[0].message.contains(u"cwd-relative path 'lib'"_s),
             qPrintable(findings[0].message));
    QCOMPARE(findings[2].kind, ElfFinding::Kind::SearchPathOutside);
    QCOMPARE(findings[2].file, u"lib/libfoo.so.1"_s);
}

void TestElfAudit::normalizeFixesArchiveTree()
{
    // What a source-built prefix packed as install_only looks like: absolute
    // RUNPATHs of the prefix. Normalised, it runs from anywhere.
    const QString tree = m_dir.filePath(u"prefix"_s);
    makeTree(tree, tree + u"/lib"_s);
    ElfNormalizeOptions options;
    options.missing = MissingLibraries::Fail;
    Result<ElfNormalizeReport> r = normalizeElfTree(tree, options);
    QVERIFY2(r, r ? "" : qPrintable(r.error().message));
    QVERIFY(r->copiedLibraries.isEmpty());
    QCOMPARE(r->rewritten.size(), 2); // app and libfoo; libbar has no search path
    QCOMPARE(readElf(tree + u"/bin/app"_s)->runPath, QStringList{u"$ORIGIN/../lib"_s});
    QCOMPARE(readElf(tree + u"/lib/libfoo.so.1"_s)->runPath, QStringList{u"$ORIGIN"_s});
    // libbar needs nothing outside the base system, and gets no search path.
    QVERIFY(readElf(tree + u"/lib/libbar.so.1"_s)->searchPath().isEmpty());
    QVERIFY2(auditElfTree(tree).isEmpty(),
             qPrintable(findingTexts(auditElfTree(tree)).join(u'\n')));

    // Moved, with the original place gone, it runs; normalising again changes nothing.
    const QString moved = m_dir.filePath(u"prefix-moved"_s);
    QVERIFY(QDir().rename(tree, moved));
    const test::ProcessResult run = test::runProcess(moved + u"/bin/app"_s, {});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    Result<ElfNormalizeReport> again = normalizeElfTree(moved, options);
    QVERIFY(again);
    QVERIFY(again->rewritten.isEmpty());
}

void TestElfAudit::normalizeFailsOnMissingLibrary()
{
    const QString tree = m_dir.filePath(u"missing"_s);
    makeTree(tree, tree + u"/lib"_s);
    QVERIFY(QFile::rename(tree + u"/lib/libfoo.so.1"_s, m_dir.filePath(u"libfoo.so.1"_s)));
    ElfNormalizeOptions options;
    options.source = u"runtime.tar.gz"_s;
    options.displayPrefix = u"python/"_s;
    Result<ElfNormalizeReport> r = normalizeElfTree(tree, options);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Unreadable);
    QVERIFY2(r.error().message.startsWith(u"runtime.tar.gz: "_s) &&
                 r.error().message.contains(u"python/bin/app needs libfoo.so.1"_s),
             qPrintable(r.error().message));
    // Nothing was patched before the failure was known.
    QCOMPARE(readElf(tree + u"/bin/app"_s)->runPath, QStringList{tree + u"/lib"_s});
}

void TestElfAudit::foreignMachines_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("described");
    QTest::newRow("aarch64") << u"aarch64"_s << u"AArch64 (64-bit)"_s;
    QTest::newRow("i386 32-bit") << u"i386"_s << u"Intel 80386 (32-bit)"_s;
}

void TestElfAudit::foreignMachines()
{
    QFETCH(QString, name);
    QFETCH(QString, described);
    const QString tree = m_dir.filePath(u"foreign-"_s + name);
    makeTree(tree, u"$ORIGIN/../lib"_s);
    const QString odd = tree + u"/lib/libodd.so"_s;
    if (name == u"aarch64")
        QVERIFY(copyWithMachine(tree + u"/lib/libbar.so.1"_s, odd, EM_AARCH64));
    else
        QVERIFY(writeFile(odd, test::elf32Header()));

    const QList<ElfFinding> findings = auditElfTree(tree);
    QCOMPARE(findings.size(), 1);
    QCOMPARE(findings[0].kind, ElfFinding::Kind::ForeignMachine);
    QCOMPARE(findings[0].file, u"lib/libodd.so"_s);
    QCOMPARE(findings[0].detail, described);

    ElfNormalizeOptions options;
    options.source = u"odd.tar.gz"_s;
    options.displayPrefix = u"python/"_s;
    Result<ElfNormalizeReport> r = normalizeElfTree(tree, options);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Unreadable);
    QCOMPARE(r.error().message, u"odd.tar.gz: python/lib/libodd.so is an ELF for "_s + described +
                                    u"; this machine runs x86-64 (64-bit)"_s);
}

void TestElfAudit::normalizeCopiesFromHost()
{
    // A host copy: bin/app copied alone; libfoo and libbar are found where the
    // original's RUNPATH says (the "host"), copied into lib/, and patched.
    const QString host = m_dir.filePath(u"host"_s);
    makeTree(host, host + u"/lib"_s);
    const QString tree = m_dir.filePath(u"copy"_s);
    QVERIFY(QDir().mkpath(tree + u"/bin"_s));
    QVERIFY(QFile::copy(host + u"/bin/app"_s, tree + u"/bin/app"_s));
    ElfNormalizeOptions options;
    options.missing = MissingLibraries::CopyFromHost;
    options.hostOriginals.insert(tree + u"/bin/app"_s, host + u"/bin/app"_s);
    Result<ElfNormalizeReport> r = normalizeElfTree(tree, options);
    QVERIFY2(r, r ? "" : qPrintable(r.error().message));
    QCOMPARE(r->copiedLibraries, (QStringList{u"libfoo.so.1"_s, u"libbar.so.1"_s}));
    QVERIFY(auditElfTree(tree).isEmpty());
    QVERIFY(QDir(host).removeRecursively());
    const test::ProcessResult run = test::runProcess(tree + u"/bin/app"_s, {});
    QVERIFY2(run.exitCode == 0, run.err.constData());
}

void TestElfAudit::manylinuxLayoutPasses()
{
    // auditwheel's layout: the extension finds <pkg>.libs through $ORIGIN/../<pkg>.libs.
    const QString site = m_dir.filePath(u"site-packages"_s);
    QByteArray error;
    QVERIFY(QDir().mkpath(site + u"/pkg.libs"_s) && QDir().mkpath(site + u"/pkg"_s));
    const QString vendored = site + u"/pkg.libs/libbar-1a2b3c.so"_s;
    QVERIFY2(compile({u"-shared"_s, u"-fPIC"_s, u"-Wl,-soname,libbar-1a2b3c.so"_s,
                      m_src + u"/bar.c"_s, u"-o"_s, vendored},
                     &error),
             error.constData());
    QVERIFY2(compile({u"-shared"_s, u"-fPIC"_s, m_src + u"/foo.c"_s, vendored,
                      u"-Wl,-rpath,$ORIGIN/../pkg.libs"_s, u"-o"_s,
                      site + u"/pkg/_ext.cpython-311-x86_64-linux-gnu.so"_s},
                     &error),
             error.constData());
    QVERIFY2(auditElfTree(site).isEmpty(),
             qPrintable(findingTexts(auditElfTree(site)).join(u'\n')));
    QVERIFY(QFile::remove(vendored));
    const QList<ElfFinding> findings = auditElfTree(site);
    QCOMPARE(findings.size(), 1);
    QCOMPARE(findings[0].detail, u"libbar-1a2b3c.so"_s);
}

QTEST_GUILESS_MAIN(TestElfAudit)
#include "tst_elfaudit.moc"
