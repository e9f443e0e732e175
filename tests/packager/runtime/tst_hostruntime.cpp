// SPDX-License-Identifier: MIT
// A runtime copied from Debian's /usr/bin/python3.11 is self-contained: moved
// to another directory it runs, imports its extension modules with the
// libraries it carries, reports the new prefix, reads nothing from /usr/lib,
// and puts its own core site-packages on sys.path.

#include "common/testutil.h"
#include "runtime/hostruntime.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace deskpack;
using namespace Qt::Literals::StringLiterals;
using namespace deskpack::runtime;

namespace {

const QString HostPython = u"/usr/bin/python3.11"_s;

QString runPathOf(const QString &elf)
{
    const test::ProcessResult r = test::runProcess(u"patchelf"_s, {u"--print-rpath"_s, elf});
    return QString::fromUtf8(r.out).trimmed();
}

} // namespace

class TestHostRuntime : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void layout();
    void runPaths();
    void movedCopyRuns();
    void coreSitePackagesIsUsed();
    void excludedModules();
    void refusals();

private:
    QTemporaryDir m_root;
    HostRuntime m_runtime;
};

void TestHostRuntime::initTestCase()
{
    QVERIFY2(QFileInfo(HostPython).isExecutable(), "Debian's python3.11 is required");
    QVERIFY(m_root.isValid());
    Result<HostRuntime> runtime = copyHostRuntime(HostPython, m_root.filePath(u"first/python"_s));
    QVERIFY2(runtime, runtime ? "" : qPrintable(runtime.error().message));
    m_runtime = *runtime;
}

void TestHostRuntime::layout()
{
    const QString root = m_runtime.root;
    QCOMPARE(root, QFileInfo(m_root.filePath(u"first/python"_s)).canonicalFilePath());
    QCOMPARE(m_runtime.interpreter, root + u"/bin/python3.11"_s);
    QCOMPARE(*findInterpreter(root), m_runtime.interpreter);
    QCOMPARE(QFileInfo(root + u"/bin/python3"_s).symLinkTarget(), m_runtime.interpreter);
    QCOMPARE(m_runtime.info.versionShort, u"3.11"_s);
    QCOMPARE(m_runtime.info.abiTag, u"cp311"_s);

    const QString stdlib = root + u"/lib/python3.11"_s;
    QVERIFY(QFileInfo(stdlib + u"/os.py"_s).isFile());
    QVERIFY(QFileInfo(stdlib + u"/lib-dynload"_s).isDir());
    QVERIFY(QFileInfo(stdlib + u"/site-packages"_s).isDir());
    for (const QString &absent :
         {u"dist-packages"_s, u"EXTERNALLY-MANAGED"_s, u"config-3.11-x86_64-linux-gnu"_s}) {
        QVERIFY2(!QFileInfo::exists(stdlib + u'/' + absent), qPrintable(absent));
    }
    QVERIFY(QDir(stdlib + u"/site-packages"_s).isEmpty());
    QVERIFY(m_runtime.bundledLibraries.contains(u"libssl.so.3"_s));
    QVERIFY(QFileInfo(root + u"/lib/libssl.so.3"_s).isFile());
    QVERIFY(QFileInfo(root + u"/lib/libsqlite3.so.0"_s).isFile());
    // glibc always comes from the machine the runtime runs on.
    QVERIFY(!QFileInfo::exists(root + u"/lib/libc.so.6"_s));
    QVERIFY(!QFileInfo::exists(root + u"/lib/libm.so.6"_s));

    // No bytecode of the host, and no symlink that leaves the tree.
    QDirIterator it(root, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo entry(it.next());
        QVERIFY2(entry.fileName() != u"__pycache__", qPrintable(entry.filePath()));
        if (entry.isSymLink()) {
            QVERIFY2(entry.symLinkTarget().startsWith(root + u'/'), qPrintable(entry.filePath()));
        }
    }
}

void TestHostRuntime::runPaths()
{
    const QString root = m_runtime.root;
    QCOMPARE(runPathOf(m_runtime.interpreter), u"$ORIGIN/../lib"_s);
    const QStringList ssl =
        QDir(root + u"/lib/python3.11/lib-dynload"_s).entryList({u"_ssl.*.so"_s});
    QCOMPARE(ssl.size(), 1);
    QCOMPARE(runPathOf(root + u"/lib/python3.11/lib-dynload/"_s + ssl.constFirst()),
             u"$ORIGIN/../.."_s);
    QCOMPARE(runPathOf(root + u"/lib/libssl.so.3"_s), u"$ORIGIN"_s);
}

void TestHostRuntime::movedCopyRuns()
{
    // Moved after it was built: nothing may depend on where it was made.
    const QString moved = m_root.filePath(u"somewhere/else/python"_s);
    QVERIFY(QDir().mkpath(m_root.filePath(u"somewhere/else"_s)));
    QVERIFY(QDir().rename(m_runtime.root, moved));
    const QString canonical = QFileInfo(moved).canonicalFilePath();
    const test::ProcessResult r = test::runProcess(
        moved + u"/bin/python3"_s,
        {u"-I"_s, u"-c"_s,

         u"import sys, ssl, sqlite3, ctypes, json, lzma, bz2, zlib, hashlib\n"
         "maps = [l.split()[-1] for l in open('/proc/self/maps') if '.so' in l]\n"
         "print(json.dumps({'prefix': sys.prefix, 'path': sys.path,\n"
         "  'ssl': sorted({m for m in maps if 'libssl' in m or 'libsqlite3' in m})}))"_s});
    QVERIFY(QDir().rename(moved, m_runtime.root)); // back, for the next tests
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto doc = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(QString::fromStdString(doc["prefix"].get<std::string>()), canonical);
    for (const auto &entry : doc["path"]) {
        const QString path = QString::fromStdString(entry.get<std::string>());
        QVERIFY2(!path.startsWith(u"/usr/"_s), qPrintable(path));
        QVERIFY2(path.startsWith(canonical + u'/'), qPrintable(path));
    }
    // libssl and libsqlite3 come from the runtime, not from the host.
    QCOMPARE(doc["ssl"].size(), size_t(2));
    for (const auto &lib : doc["ssl"])
        QVERIFY2(QString::fromStdString(lib.get<std::string>()).startsWith(canonical + u"/lib/"_s),
                 lib.get<std::string>().c_str());
}

void TestHostRuntime::coreSitePackagesIsUsed()
{
    // Debian's site module knows only dist-packages; the runtime must still
    // read its own site-packages (including .pth files) and install into it.
    const QString site = m_runtime.root + u"/lib/python3.11/site-packages"_s;
    QVERIFY(m_runtime.siteCustomized);
    QFile pth(site + u"/extra.pth"_s);
    QVERIFY(pth.open(QIODevice::WriteOnly));
    pth.write(QFile::encodeName(m_root.filePath(u"pth-dir"_s)) + '\n');
    pth.close();
    QVERIFY(QDir().mkpath(m_root.filePath(u"pth-dir"_s)));
    const test::ProcessResult r = test::runProcess(
        m_runtime.root + u"/bin/python3.11"_s,
        {u"-I"_s, u"-c"_s,

         u"import json, sys, sysconfig\n"
         "print(json.dumps({'path': sys.path, 'purelib': sysconfig.get_path('purelib'),"
         " 'scripts': sysconfig.get_path('scripts')}))"_s});
    QVERIFY(QFile::remove(pth.fileName()));
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto doc = nlohmann::json::parse(r.out.toStdString());
    QStringList path;
    for (const auto &entry : doc["path"])
        path.append(QString::fromStdString(entry.get<std::string>()));
    const qsizetype stdlibAt = path.indexOf(m_runtime.root + u"/lib/python3.11"_s);
    const qsizetype siteAt = path.indexOf(site);
    QVERIFY2(stdlibAt >= 0 && siteAt > stdlibAt, qPrintable(path.join(u' ')));
    QVERIFY(path.indexOf(m_root.filePath(u"pth-dir"_s)) > siteAt);
    QCOMPARE(QString::fromStdString(doc["purelib"].get<std::string>()), site);
    QCOMPARE(QString::fromStdString(doc["scripts"].get<std::string>()), m_runtime.root + u"/bin"_s);
}

void TestHostRuntime::excludedModules()
{
    HostRuntimeOptions options;
    // The host must have what is excluded, or the checks below prove nothing
    // (scripts/setup.sh installs python3-tk).
    QVERIFY2(QFileInfo::exists(u"/usr/lib/python3.11/tkinter/__init__.py"_s),
             "the host Python lacks tkinter: install python3-tk");
    QVERIFY2(!QDir(u"/usr/lib/python3.11/lib-dynload"_s).entryList({u"_tkinter*"_s}).isEmpty(),
             "the host Python lacks _tkinter: install python3-tk");
    options.excludedModules = {u"tkinter"_s, u"test"_s};
    Result<HostRuntime> runtime =
        copyHostRuntime(HostPython, m_root.filePath(u"slim/python"_s), options);
    QVERIFY2(runtime, runtime ? "" : qPrintable(runtime.error().message));
    const QString stdlib = runtime->root + u"/lib/python3.11"_s;
    QVERIFY(!QFileInfo::exists(stdlib + u"/tkinter"_s));
    QVERIFY(!QFileInfo::exists(stdlib + u"/test"_s));
    QVERIFY(QDir(stdlib + u"/lib-dynload"_s).entryList({u"_tkinter*"_s}).isEmpty());
    // Libraries only _tkinter needed are not carried either.
    QVERIFY(!runtime->bundledLibraries.contains(u"libtk8.6.so"_s));
    QVERIFY(runtime->bundledLibraries.contains(u"libssl.so.3"_s));
}

void TestHostRuntime::refusals()
{
    Result<HostRuntime> missing =
        copyHostRuntime(m_root.filePath(u"no-python"_s), m_root.filePath(u"x/python"_s));
    QVERIFY(!missing);
    // A missing interpreter is the environment's failure (exit 3, DESIGN.md).
    QCOMPARE(missing.error().kind, ErrorKind::Environment);
    QVERIFY(!QFileInfo::exists(m_root.filePath(u"x/python"_s)));

    Result<HostRuntime> occupied = copyHostRuntime(HostPython, m_runtime.root);
    QVERIFY(!occupied);
    QVERIFY2(occupied.error().message.contains(u"already exists"_s),
             qPrintable(occupied.error().message));

    const QString venv = m_root.filePath(u"venv"_s);
    const test::ProcessResult made =
        test::runProcess(HostPython, {u"-m"_s, u"venv"_s, u"--without-pip"_s, venv});
    QVERIFY2(made.exitCode == 0, made.err.constData());
    Result<HostRuntime> fromVenv =
        copyHostRuntime(venv + u"/bin/python3"_s, m_root.filePath(u"v/python"_s));
    QVERIFY(!fromVenv);
    QCOMPARE(fromVenv.error().kind, ErrorKind::Usage);
    QVERIFY2(fromVenv.error().message.contains(u"virtual environment"_s),
             qPrintable(fromVenv.error().message));
    // Nothing half-built is left beside any destination.
    for (const QString &dir : {u"x"_s, u"v"_s, u"first"_s}) {
        const QStringList left =
            QDir(m_root.filePath(dir))
                .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
        QVERIFY2(left.isEmpty() || left == QStringList{u"python"_s}, qPrintable(left.join(u' ')));
    }
}

QTEST_GUILESS_MAIN(TestHostRuntime)
#include "tst_hostruntime.moc"
