// SPDX-License-Identifier: MIT
// Every interpreter on the machine (Debian's 3.11, pyenv's 3.10, 3.12, 3.13),
// from every source (the host interpreter, `runtime pack` then an archive
// build, an install_only-shaped archive made here from the prefix with its
// absolute RUNPATHs left in), with the demo backend and a C extension that
// links a vendored library: each bundle is built, verified, moved, and run
// with its source prefix HIDDEN. Hiding uses a private mount namespace
// (`unshare -m`, as root) binding an empty directory over each source
// directory; without root, bubblewrap (`bwrap --tmpfs`) does the same.
// Inside, the interpreter imports ssl, sqlite3, ctypes and the extension, and
// the demo backend answers GET /status.

#include "archive/archivewriter.h"
#include "base/filehash.h"
#include "common/testutil.h"
#include "runtime/elfaudit.h"
#include "runtime/elffile.h"
#include "runtime/sharedlibraries.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <unistd.h>

using namespace deskpack;
using nlohmann::json;

namespace {

json parseJson(const QByteArray &data)
{
    return json::parse(data.constData(), data.constData() + data.size(), nullptr, false);
}

QString pyenvRoot()
{
    const QString fromEnv = qEnvironmentVariable("PYENV_ROOT");
    return fromEnv.isEmpty() ? QDir::homePath() + QStringLiteral("/.pyenv") : fromEnv;
}

struct Interpreter
{
    QString label;      // "debian-3.11", "pyenv-3.12.1"
    QString executable; // bin/python3.X
    QString version;    // "3.12"
    QStringList hidden; // what is hidden while the moved bundle runs
    bool pyenv = false;
};

QList<Interpreter> interpreters()
{
    QList<Interpreter> out;
    out.append({QStringLiteral("debian-3.11"),
                QStringLiteral("/usr/bin/python3.11"),
                QStringLiteral("3.11"),
                // Debian's prefix is /usr, which holds the shell and glibc: hide
                // what is Python's (the stdlib, the binary, its dist-packages).
                {QStringLiteral("/usr/lib/python3.11"), QStringLiteral("/usr/lib/python3"),
                 QStringLiteral("/usr/bin/python3.11")},
                false});
    for (const char *full : {"3.10.13", "3.12.1", "3.13.0"}) {
        const QString version = QString::fromLatin1(full);
        const QString shortVersion = version.section(u'.', 0, 1);
        const QString prefix = pyenvRoot() + QStringLiteral("/versions/") + version;
        out.append({QStringLiteral("pyenv-") + version,
                    prefix + QStringLiteral("/bin/python") + shortVersion,
                    shortVersion,
                    {prefix},
                    true});
    }
    return out;
}

bool copyTree(const QString &from, const QString &to, const QStringList &ignored)
{
    QStringList patterns;
    for (const QString &p : ignored)
        patterns.append(u'\'' + p + u'\'');
    const QString script =
        QStringLiteral("import shutil, sys\n"
                       "shutil.copytree(sys.argv[1], sys.argv[2], symlinks=True, "
                       "ignore=shutil.ignore_patterns(%1))")
            .arg(patterns.join(u','));
    return test::runPythonScript(script, {from, to}).exitCode == 0;
}

} // namespace

class TestRuntimeMatrix : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void matrix_data();
    void matrix();
    void verifyReportsElfProblems();
    void buildRefusesBadArchive();

private:
    QString wheelhouseFor(const Interpreter &interpreter);
    QString installOnlyArchive(const Interpreter &interpreter, const QString &dir);
    QString writeConfig(const QString &dir, const json &runtime, const QString &wheelhouse);
    test::ProcessResult runHidden(const QStringList &hidden, const QString &python,
                                  const QString &bundle);

    QTemporaryDir m_work;
    QString m_empty;
    bool m_unshare = false;
    QHash<QString, QString> m_wheelhouses;
    QString m_lastBundle; // a moved bundle that passed every check
};

void TestRuntimeMatrix::initTestCase()
{
    QVERIFY(m_work.isValid());
    m_empty = m_work.filePath(QStringLiteral("empty"));
    QVERIFY(QDir().mkpath(m_empty));
    QVERIFY(QFile(m_work.filePath(QStringLiteral("empty-file"))).open(QIODevice::WriteOnly));
    m_unshare =
        ::geteuid() == 0 && !QStandardPaths::findExecutable(QStringLiteral("unshare")).isEmpty();
    if (!m_unshare && QStandardPaths::findExecutable(QStringLiteral("bwrap")).isEmpty())
        QFAIL("hiding the source prefix needs root (unshare -m) or bubblewrap (bwrap)");
    qInfo("hiding source prefixes with %s",
          m_unshare ? "unshare -m + mount --bind (private mount namespace)" : "bwrap --tmpfs");
    for (const char *tool : {"gcc", "patchelf"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty())
            QFAIL(qPrintable(QStringLiteral("%1 is required").arg(QLatin1StringView(tool))));
    }
    QVERIFY2(QFileInfo::exists(test::binDir() +
                               QStringLiteral("/../wheelhouse/demo_units-0.3.1-py3-none-any.whl")),
             "the demo wheelhouse was not built");
}

QString TestRuntimeMatrix::wheelhouseFor(const Interpreter &interpreter)
{
    if (m_wheelhouses.contains(interpreter.label))
        return m_wheelhouses.value(interpreter.label);
    const QString dir = m_work.filePath(QStringLiteral("wheels-") + interpreter.label);
    QDir().mkpath(dir);
    const QDir demo(test::binDir() + QStringLiteral("/../wheelhouse"));
    for (const QString &wheel : demo.entryList({QStringLiteral("*.whl")}, QDir::Files))
        QFile::copy(demo.filePath(wheel), dir + u'/' + wheel);
    const test::ProcessResult made =
        test::runProcess(interpreter.executable,
                         {QStringLiteral("-I"),
                          test::fixture(QStringLiteral("fixtures/cext/make_cext_wheel.py")), dir});
    if (made.exitCode != 0) {
        qWarning("make_cext_wheel.py failed: %s", made.err.constData());
        return {};
    }
    m_wheelhouses.insert(interpreter.label, dir);
    return dir;
}

// The shape of python-build-standalone's install_only archive, made from a
// source-built prefix the way a user would: bin/, libpython, the stdlib, pip,
// and the host libraries the extension modules need copied into lib/, with
// every RUNPATH left as the prefix's (absolute) one.
QString TestRuntimeMatrix::installOnlyArchive(const Interpreter &interpreter, const QString &dir)
{
    const QString prefix = interpreter.hidden.constFirst();
    const QString tree = dir + QStringLiteral("/tree/python");
    const QString python = QStringLiteral("python") + interpreter.version;
    if (!QDir().mkpath(tree + QStringLiteral("/bin")) ||
        !QDir().mkpath(tree + QStringLiteral("/lib")))
        return {};
    QFile::copy(interpreter.executable, tree + QStringLiteral("/bin/") + python);
    QFile::link(python, tree + QStringLiteral("/bin/python3"));
    const QString libpython =
        QStringLiteral("/lib/libpython") + interpreter.version + QStringLiteral(".so.1.0");
    if (QFileInfo::exists(prefix + libpython))
        QFile::copy(prefix + libpython, tree + libpython);
    const QString stdlib = QStringLiteral("/lib/") + python;
    if (!copyTree(prefix + stdlib, tree + stdlib,
                  {QStringLiteral("test"), QStringLiteral("idlelib"), QStringLiteral("tkinter"),
                   QStringLiteral("turtledemo"), QStringLiteral("__pycache__"),
                   QStringLiteral("site-packages"), QStringLiteral("config-*"),
                   QStringLiteral("_tkinter*")}))
        return {};
    // install_only archives come with pip installed.
    const QDir site(prefix + stdlib + QStringLiteral("/site-packages"));
    for (const QString &entry : site.entryList({QStringLiteral("pip"), QStringLiteral("pip-*")},
                                               QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (!copyTree(site.filePath(entry),
                      tree + stdlib + QStringLiteral("/site-packages/") + entry,
                      {QStringLiteral("__pycache__")}))
            return {};
    }
    // The libraries beyond the base system, found by the host's rules.
    const runtime::HostLibrarySearch search = runtime::HostLibrarySearch::load();
    QStringList queue = runtime::elfFilesUnder(tree);
    QHash<QString, QString> originals;
    for (const QString &file : std::as_const(queue))
        originals.insert(file, prefix + u'/' + QDir(tree).relativeFilePath(file));
    originals.insert(tree + QStringLiteral("/bin/") + python, interpreter.executable);
    while (!queue.isEmpty()) {
        const QString file = queue.takeFirst();
        Result<runtime::ElfInfo> info = runtime::readElf(file);
        if (!info)
            return {};
        for (const QString &soname : std::as_const(info->needed)) {
            const QString target = tree + QStringLiteral("/lib/") + soname;
            if (runtime::isBaseSystemLibrary(soname) || QFileInfo::exists(target))
                continue;
            const QString found = search.find(soname, *info, originals.value(file, file));
            if (found.isEmpty())
                continue; // left out: the build must then name it
            QFile::copy(QFileInfo(found).canonicalFilePath(), target);
            QFile::setPermissions(target, QFile::permissions(target) | QFile::WriteOwner);
            originals.insert(target, found);
            queue.append(target);
        }
    }
    const QString archivePath = dir + QStringLiteral("/install_only.tar.gz");
    archive::WriteOptions write;
    write.topLevel = QStringLiteral("python");
    Result<archive::WriteSummary> written = archive::writeArchive(tree, archivePath, write);
    if (!written)
        return {};
    QDir(dir + QStringLiteral("/tree")).removeRecursively();
    return archivePath;
}

QString TestRuntimeMatrix::writeConfig(const QString &dir, const json &runtime,
                                       const QString &wheelhouse)
{
    const json config = {
        {"id", "deskpack-demo"},
        {"name", "Deskpack Demo"},
        {"version", "1.0.0"},
        {"runtime", runtime},
        {"wheelhouse", wheelhouse.toStdString()},
        {"requirements", {"demo_units==0.3.1", "deskpack_cext==1.0"}},
        {"app",
         {{"source", test::fixture(QStringLiteral("../resources/demo/backend")).toStdString()},
          {"module", "demo_backend"},
          {"args", {"--port", "0"}}}},
        {"readiness", {{"heartbeat", true}, {"timeout", 20}}},
        {"prune", {"tests", "idlelib", "tkinter"}},
        {"byteCompile", false}};
    const QString path = dir + QStringLiteral("/deskpack.json");
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(QByteArray::fromStdString(config.dump(2)));
    return path;
}

test::ProcessResult TestRuntimeMatrix::runHidden(const QStringList &hidden, const QString &python,
                                                 const QString &bundle)
{
    const QString check = test::fixture(QStringLiteral("packager/check_moved_bundle.py"));
    QStringList command{python, QStringLiteral("-I"), check, bundle};
    QStringList existing;
    for (const QString &path : hidden) {
        if (QFileInfo::exists(path))
            existing.append(path);
    }
    command += existing; // check_moved_bundle.py proves each is hidden
    if (m_unshare) {
        QString script = QStringLiteral("set -e\n");
        for (const QString &path : std::as_const(existing)) {
            const QString over =
                QFileInfo(path).isDir() ? m_empty : m_work.filePath(QStringLiteral("empty-file"));
            script += QStringLiteral("mount --bind '%1' '%2'\n").arg(over, path);
        }
        script += QStringLiteral("exec \"$@\"\n");
        return test::runProcess(QStringLiteral("unshare"),
                                QStringList{QStringLiteral("-m"), QStringLiteral("--propagation"),
                                            QStringLiteral("private"), QStringLiteral("sh"),
                                            QStringLiteral("-c"), script, QStringLiteral("sh")} +
                                    command,
                                {}, 180000);
    }
    QStringList arguments{QStringLiteral("--dev-bind"), QStringLiteral("/"), QStringLiteral("/")};
    for (const QString &path : std::as_const(existing)) {
        if (QFileInfo(path).isDir())
            arguments << QStringLiteral("--tmpfs") << path;
        else
            arguments << QStringLiteral("--ro-bind") << QStringLiteral("/dev/null") << path;
    }
    return test::runProcess(QStringLiteral("bwrap"), arguments + command, {}, 180000);
}

void TestRuntimeMatrix::matrix_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<QString>("source");
    const QList<Interpreter> all = interpreters();
    for (int i = 0; i < all.size(); ++i) {
        QStringList sources{QStringLiteral("host"), QStringLiteral("pack")};
        if (all[i].pyenv)
            sources.append(QStringLiteral("install_only"));
        for (const QString &source : sources)
            QTest::newRow(qPrintable(all[i].label + u' ' + source)) << i << source;
    }
}

void TestRuntimeMatrix::matrix()
{
    QFETCH(int, index);
    QFETCH(QString, source);
    const Interpreter interpreter = interpreters().at(index);
    if (!QFileInfo(interpreter.executable).isExecutable()) {
        if (qEnvironmentVariable("CI") == u"true")
            QFAIL(qPrintable(interpreter.executable + QStringLiteral(" is missing")));
        QSKIP(qPrintable(interpreter.executable + QStringLiteral(" is not on this machine")));
    }
    const QString dir = m_work.filePath(interpreter.label + u'-' + source);
    QVERIFY(QDir().mkpath(dir));
    const QString wheelhouse = wheelhouseFor(interpreter);
    QVERIFY2(!wheelhouse.isEmpty(), "the C-extension fixture wheel could not be built");

    json runtime;
    if (source == u"host") {
        runtime = {{"python", interpreter.executable.toStdString()}};
    } else {
        QString archivePath;
        if (source == u"pack") {
            archivePath = dir + QStringLiteral("/python.tar.gz");
            const test::ProcessResult packed = test::runDeskpack(
                {QStringLiteral("runtime"), QStringLiteral("pack"), QStringLiteral("--python"),
                 interpreter.executable, QStringLiteral("-o"), archivePath,
                 QStringLiteral("--exclude"), QStringLiteral("test")});
            QVERIFY2(packed.exitCode == 0, packed.err.constData());
        } else {
            archivePath = installOnlyArchive(interpreter, dir);
            QVERIFY2(!archivePath.isEmpty(), "could not make the install_only archive");
        }
        Result<QString> sha = sha256OfFile(archivePath);
        QVERIFY(sha);
        runtime = {{"archive", archivePath.toStdString()}, {"sha256", sha->toStdString()}};
    }
    const QString config = writeConfig(dir, runtime, wheelhouse);
    const QString cache = dir + QStringLiteral("/cache");
    const test::ProcessResult built = test::runDeskpack(
        {QStringLiteral("build"), config, QStringLiteral("--out"), dir + QStringLiteral("/out"),
         QStringLiteral("--cache-dir"), cache, QStringLiteral("--json")});
    QVERIFY2(built.exitCode == 0, built.err.constData());
    const json summary = parseJson(built.out);
    QVERIFY2(summary.is_object(), built.out.constData());
    QVERIFY(summary["pythonVersion"].get<std::string>().starts_with(
        interpreter.version.toStdString() + '.'));

    // Moved, then audited: no ELF names a build-machine path or needs a
    // library the bundle lacks (the cext's vendored library is accepted).
    const QString moved = dir + QStringLiteral("/moved/Deskpack Demo");
    QVERIFY(QDir().mkpath(dir + QStringLiteral("/moved")));
    QVERIFY(QDir().rename(QString::fromStdString(summary["bundle"].get<std::string>()), moved));
    const QList<runtime::ElfFinding> findings = runtime::auditElfTree(moved);
    for (const runtime::ElfFinding &f : findings)
        qWarning("%s", qPrintable(f.message));
    QVERIFY(findings.isEmpty());
    const test::ProcessResult verified =
        test::runDeskpack({QStringLiteral("verify"), moved, QStringLiteral("--json")});
    QVERIFY2(verified.exitCode == 0, verified.err.constData());
    QVERIFY(parseJson(verified.out)["elf"].empty());

    // Run with everything it came from hidden.
    const QStringList hidden =
        interpreter.hidden + QStringList{cache, wheelhouse, dir + QStringLiteral("/out")};
    const QString python = moved + QStringLiteral("/runtime/bin/python") + interpreter.version;
    const test::ProcessResult run = runHidden(hidden, python, moved);
    QVERIFY2(run.exitCode == 0, QByteArray(run.out + run.err).constData());
    const json seen = parseJson(run.out);
    QVERIFY2(seen.is_object(), run.out.constData());
    QCOMPARE(seen["cext"].get<int>(), 42);
    QVERIFY(seen["hidden"].get<size_t>() >= 1);
    QVERIFY(seen["ssl"].get<std::string>().starts_with("OpenSSL"));
    const json &status = seen["status"];
    QCOMPARE(status["app"].get<std::string>(), std::string("deskpack-demo"));
    QCOMPARE(QString::fromStdString(status["prefix"].get<std::string>()),
             moved + QStringLiteral("/runtime"));
    QVERIFY(status["python"].get<std::string>().starts_with(interpreter.version.toStdString()));
    // The extension and its vendored library were loaded from the bundle.
    for (const auto &lib : seen["loaded"])
        QVERIFY2(QString::fromStdString(lib.get<std::string>()).startsWith(moved + u'/'),
                 lib.get<std::string>().c_str());
    QCOMPARE(seen["loaded"].size(), size_t(2));
    m_lastBundle = moved;
}

// `deskpack verify` reads ELF too: an extension whose RUNPATH names the build
// machine and that lost its vendored library is reported by name, exit 1.
void TestRuntimeMatrix::verifyReportsElfProblems()
{
    if (m_lastBundle.isEmpty())
        QSKIP("no matrix row built a bundle");
    const QString copy = m_work.filePath(QStringLiteral("elf-tampered"));
    QCOMPARE(test::runProcess(QStringLiteral("/bin/cp"), {QStringLiteral("-a"), m_lastBundle, copy})
                 .exitCode,
             0);
    QDirIterator it(copy, {QStringLiteral("_native*.so")}, QDir::Files,
                    QDirIterator::Subdirectories);
    QVERIFY(it.hasNext());
    const QString ext = it.next();
    QCOMPARE(test::runProcess(QStringLiteral("patchelf"), {QStringLiteral("--set-rpath"),
                                                           QStringLiteral("/opt/build/lib"), ext})
                 .exitCode,
             0);
    const QString relative = QDir(copy).relativeFilePath(ext);
    const test::ProcessResult r =
        test::runDeskpack({QStringLiteral("verify"), copy, QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 1);
    const json report = parseJson(r.out);
    QCOMPARE(report["elf"].size(), size_t(2));
    QCOMPARE(QString::fromStdString(report["elf"][0].get<std::string>()),
             relative + QStringLiteral(": RUNPATH names the absolute path '/opt/build/lib', which "
                                       "is not relative to $ORIGIN"));
    QVERIFY(QString::fromStdString(report["elf"][1].get<std::string>())
                .startsWith(relative + QStringLiteral(": needs libdeskpack_vendored-5eed.so")));
    QVERIFY2(r.err.contains("1 changed") && r.err.contains("2 ELF problem(s)"), r.err.constData());
}

// A runtime archive that lacks its libpython fails the build by name, exit 2,
// before anything is built: no bundle, no staging left in the output.
void TestRuntimeMatrix::buildRefusesBadArchive()
{
    const Interpreter interpreter = interpreters().at(2); // pyenv 3.12.1, a shared build
    if (!QFileInfo(interpreter.executable).isExecutable()) {
        if (qEnvironmentVariable("CI") == u"true")
            QFAIL(qPrintable(interpreter.executable + QStringLiteral(" is missing")));
        QSKIP(qPrintable(interpreter.executable + QStringLiteral(" is not on this machine")));
    }
    const QString dir = m_work.filePath(QStringLiteral("no-libpython"));
    const QString tree = dir + QStringLiteral("/python");
    QVERIFY(QDir().mkpath(tree + QStringLiteral("/bin")));
    QVERIFY(QFile::copy(interpreter.executable, tree + QStringLiteral("/bin/python3.12")));
    QVERIFY(copyTree(interpreter.hidden.constFirst() + QStringLiteral("/lib/python3.12/json"),
                     tree + QStringLiteral("/lib/python3.12/json"), {}));
    const QString archivePath = dir + QStringLiteral("/python.tar.gz");
    archive::WriteOptions write;
    write.topLevel = QStringLiteral("python");
    Result<archive::WriteSummary> written = archive::writeArchive(tree, archivePath, write);
    QVERIFY(written);
    const QString config = writeConfig(
        dir, {{"archive", archivePath.toStdString()}, {"sha256", written->sha256.toStdString()}},
        test::binDir() + QStringLiteral("/../wheelhouse"));
    const test::ProcessResult built = test::runDeskpack(
        {QStringLiteral("build"), config, QStringLiteral("--out"), dir + QStringLiteral("/out"),
         QStringLiteral("--cache-dir"), dir + QStringLiteral("/cache")});
    QCOMPARE(built.exitCode, 2);
    QVERIFY2(built.err.contains("python/bin/python3.12 needs libpython3.12.so.1.0") &&
                 built.err.contains(archivePath.toUtf8()),
             built.err.constData());
    QVERIFY(QDir(dir + QStringLiteral("/out"))
                .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)
                .isEmpty());
    QVERIFY(QDir(dir + QStringLiteral("/cache"))
                .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)
                .isEmpty());
}

QTEST_GUILESS_MAIN(TestRuntimeMatrix)
#include "tst_runtimematrix.moc"
