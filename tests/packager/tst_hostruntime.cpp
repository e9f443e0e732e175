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

const QString HostPython = QStringLiteral("/usr/bin/python3.11");

QString runPathOf(const QString &elf)
{
    const test::ProcessResult r =
        test::runProcess(QStringLiteral("patchelf"), {QStringLiteral("--print-rpath"), elf});
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
    Result<HostRuntime> runtime =
        copyHostRuntime(HostPython, m_root.filePath(QStringLiteral("first/python")));
    QVERIFY2(runtime, runtime ? "" : qPrintable(runtime.error().message));
    m_runtime = *runtime;
}

void TestHostRuntime::layout()
{
    const QString root = m_runtime.root;
    QCOMPARE(root, QFileInfo(m_root.filePath(QStringLiteral("first/python"))).canonicalFilePath());
    QCOMPARE(m_runtime.interpreter, root + QStringLiteral("/bin/python3.11"));
    QCOMPARE(*findInterpreter(root), m_runtime.interpreter);
    QCOMPARE(QFileInfo(root + QStringLiteral("/bin/python3")).symLinkTarget(),
             m_runtime.interpreter);
    QCOMPARE(m_runtime.info.versionShort, QStringLiteral("3.11"));
    QCOMPARE(m_runtime.info.abiTag, QStringLiteral("cp311"));

    const QString stdlib = root + QStringLiteral("/lib/python3.11");
    QVERIFY(QFileInfo(stdlib + QStringLiteral("/os.py")).isFile());
    QVERIFY(QFileInfo(stdlib + QStringLiteral("/lib-dynload")).isDir());
    QVERIFY(QFileInfo(stdlib + QStringLiteral("/site-packages")).isDir());
    for (const QString &absent :
         {QStringLiteral("dist-packages"), QStringLiteral("EXTERNALLY-MANAGED"),
          QStringLiteral("config-3.11-x86_64-linux-gnu")}) {
        QVERIFY2(!QFileInfo::exists(stdlib + u'/' + absent), qPrintable(absent));
    }
    QVERIFY(QDir(stdlib + QStringLiteral("/site-packages")).isEmpty());
    QVERIFY(m_runtime.bundledLibraries.contains(QStringLiteral("libssl.so.3")));
    QVERIFY(QFileInfo(root + QStringLiteral("/lib/libssl.so.3")).isFile());
    QVERIFY(QFileInfo(root + QStringLiteral("/lib/libsqlite3.so.0")).isFile());
    // glibc always comes from the machine the runtime runs on.
    QVERIFY(!QFileInfo::exists(root + QStringLiteral("/lib/libc.so.6")));
    QVERIFY(!QFileInfo::exists(root + QStringLiteral("/lib/libm.so.6")));

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
    QCOMPARE(runPathOf(m_runtime.interpreter), QStringLiteral("$ORIGIN/../lib"));
    const QStringList ssl = QDir(root + QStringLiteral("/lib/python3.11/lib-dynload"))
                                .entryList({QStringLiteral("_ssl.*.so")});
    QCOMPARE(ssl.size(), 1);
    QCOMPARE(runPathOf(root + QStringLiteral("/lib/python3.11/lib-dynload/") + ssl.constFirst()),
             QStringLiteral("$ORIGIN/../.."));
    QCOMPARE(runPathOf(root + QStringLiteral("/lib/libssl.so.3")), QStringLiteral("$ORIGIN"));
}

void TestHostRuntime::movedCopyRuns()
{
    // Moved after it was built: nothing may depend on where it was made.
    const QString moved = m_root.filePath(QStringLiteral("somewhere/else/python"));
    QVERIFY(QDir().mkpath(m_root.filePath(QStringLiteral("somewhere/else"))));
    QVERIFY(QDir().rename(m_runtime.root, moved));
    const QString canonical = QFileInfo(moved).canonicalFilePath();
    const test::ProcessResult r = test::runProcess(
        moved + QStringLiteral("/bin/python3"),
        {QStringLiteral("-I"), QStringLiteral("-c"),
         QStringLiteral(
             "import sys, ssl, sqlite3, ctypes, json, lzma, bz2, zlib, hashlib\n"
             "maps = [l.split()[-1] for l in open('/proc/self/maps') if '.so' in l]\n"
             "print(json.dumps({'prefix': sys.prefix, 'path': sys.path,\n"
             "  'ssl': sorted({m for m in maps if 'libssl' in m or 'libsqlite3' in m})}))")});
    QVERIFY(QDir().rename(moved, m_runtime.root)); // back, for the next tests
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto doc = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(QString::fromStdString(doc["prefix"].get<std::string>()), canonical);
    for (const auto &entry : doc["path"]) {
        const QString path = QString::fromStdString(entry.get<std::string>());
        QVERIFY2(!path.startsWith(QStringLiteral("/usr/")), qPrintable(path));
        QVERIFY2(path.startsWith(canonical + u'/'), qPrintable(path));
    }
    // libssl and libsqlite3 come from the runtime, not from the host.
    QCOMPARE(doc["ssl"].size(), size_t(2));
    for (const auto &lib : doc["ssl"])
        QVERIFY2(QString::fromStdString(lib.get<std::string>())
                     .startsWith(canonical + QStringLiteral("/lib/")),
                 lib.get<std::string>().c_str());
}

void TestHostRuntime::coreSitePackagesIsUsed()
{
    // Debian's site module knows only dist-packages; the runtime must still
    // read its own site-packages (including .pth files) and install into it.
    const QString site = m_runtime.root + QStringLiteral("/lib/python3.11/site-packages");
    QVERIFY(m_runtime.siteCustomized);
    QFile pth(site + QStringLiteral("/extra.pth"));
    QVERIFY(pth.open(QIODevice::WriteOnly));
    pth.write(QFile::encodeName(m_root.filePath(QStringLiteral("pth-dir"))) + '\n');
    pth.close();
    QVERIFY(QDir().mkpath(m_root.filePath(QStringLiteral("pth-dir"))));
    const test::ProcessResult r = test::runProcess(
        m_runtime.root + QStringLiteral("/bin/python3.11"),
        {QStringLiteral("-I"), QStringLiteral("-c"),
         QStringLiteral(
             "import json, sys, sysconfig\n"
             "print(json.dumps({'path': sys.path, 'purelib': sysconfig.get_path('purelib'),"
             " 'scripts': sysconfig.get_path('scripts')}))")});
    QVERIFY(QFile::remove(pth.fileName()));
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const auto doc = nlohmann::json::parse(r.out.toStdString());
    QStringList path;
    for (const auto &entry : doc["path"])
        path.append(QString::fromStdString(entry.get<std::string>()));
    const qsizetype stdlibAt = path.indexOf(m_runtime.root + QStringLiteral("/lib/python3.11"));
    const qsizetype siteAt = path.indexOf(site);
    QVERIFY2(stdlibAt >= 0 && siteAt > stdlibAt, qPrintable(path.join(u' ')));
    QVERIFY(path.indexOf(m_root.filePath(QStringLiteral("pth-dir"))) > siteAt);
    QCOMPARE(QString::fromStdString(doc["purelib"].get<std::string>()), site);
    QCOMPARE(QString::fromStdString(doc["scripts"].get<std::string>()),
             m_runtime.root + QStringLiteral("/bin"));
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
    options.excludedModules = {QStringLiteral("tkinter"), QStringLiteral("test")};
    Result<HostRuntime> runtime =
        copyHostRuntime(HostPython, m_root.filePath(QStringLiteral("slim/python")), options);
    QVERIFY2(runtime, runtime ? "" : qPrintable(runtime.error().message));
    const QString stdlib = runtime->root + QStringLiteral("/lib/python3.11");
    QVERIFY(!QFileInfo::exists(stdlib + QStringLiteral("/tkinter")));
    QVERIFY(!QFileInfo::exists(stdlib + QStringLiteral("/test")));
    QVERIFY(QDir(stdlib + QStringLiteral("/lib-dynload"))
                .entryList({QStringLiteral("_tkinter*")})
                .isEmpty());
    // Libraries only _tkinter needed are not carried either.
    QVERIFY(!runtime->bundledLibraries.contains(QStringLiteral("libtk8.6.so")));
    QVERIFY(runtime->bundledLibraries.contains(QStringLiteral("libssl.so.3")));
}

void TestHostRuntime::refusals()
{
    Result<HostRuntime> missing = copyHostRuntime(m_root.filePath(QStringLiteral("no-python")),
                                                  m_root.filePath(QStringLiteral("x/python")));
    QVERIFY(!missing);
    QCOMPARE(missing.error().kind, ErrorKind::Usage);
    QVERIFY(!QFileInfo::exists(m_root.filePath(QStringLiteral("x/python"))));

    Result<HostRuntime> occupied = copyHostRuntime(HostPython, m_runtime.root);
    QVERIFY(!occupied);
    QVERIFY2(occupied.error().message.contains(QStringLiteral("already exists")),
             qPrintable(occupied.error().message));

    const QString venv = m_root.filePath(QStringLiteral("venv"));
    const test::ProcessResult made =
        test::runProcess(HostPython, {QStringLiteral("-m"), QStringLiteral("venv"),
                                      QStringLiteral("--without-pip"), venv});
    QVERIFY2(made.exitCode == 0, made.err.constData());
    Result<HostRuntime> fromVenv = copyHostRuntime(venv + QStringLiteral("/bin/python3"),
                                                   m_root.filePath(QStringLiteral("v/python")));
    QVERIFY(!fromVenv);
    QCOMPARE(fromVenv.error().kind, ErrorKind::Usage);
    QVERIFY2(fromVenv.error().message.contains(QStringLiteral("virtual environment")),
             qPrintable(fromVenv.error().message));
    // Nothing half-built is left beside any destination.
    for (const QString &dir : {QStringLiteral("x"), QStringLiteral("v"), QStringLiteral("first")}) {
        const QStringList left =
            QDir(m_root.filePath(dir))
                .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
        QVERIFY2(left.isEmpty() || left == QStringList{QStringLiteral("python")},
                 qPrintable(left.join(u' ')));
    }
}

QTEST_GUILESS_MAIN(TestHostRuntime)
#include "tst_hostruntime.moc"
