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

using namespace Qt::Literals::StringLiterals;

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
    return fromEnv.isEmpty() ? QDir::homePath() + u"/.pyenv"_s : fromEnv;
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
    out.append({u"debian-3.11"_s,
                u"/usr/bin/python3.11"_s,
                u"3.11"_s,
                // Debian's prefix is /usr, which holds the shell and glibc: hide
                // what is Python's (the stdlib, the binary, its dist-packages).
                {u"/usr/lib/python3.11"_s, u"/usr/lib/python3"_s, u"/usr/bin/python3.11"_s},
                false});
    for (const char *full : {"3.10.13", "3.12.1", "3.13.0"}) {
        const QString version = QString::fromLatin1(full);
        const QString shortVersion = version.section(u'.', 0, 1);
        const QString prefix = pyenvRoot() + u"/versions/"_s + version;
        out.append({u"pyenv-"_s + version,
                    prefix + u"/bin/python"_s + shortVersion,
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
    const QString script = u"import shutil, sys\n"
                           "shutil.copytree(sys.argv[1], sys.argv[2], symlinks=True, "
                           "ignore=shutil.ignore_patterns(%1))"_s.arg(patterns.join(u','));
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
    struct MovedBundle
    {
        QString wheelhouse;
        QString cache;
        QString moved; // the built bundle, renamed away from where it was built
        json summary;  // of `deskpack build --json`
    };
    void buildMoved(const Interpreter &interpreter, const QString &source, const QString &dir,
                    MovedBundle &out);

    QTemporaryDir m_work;
    QString m_empty;
    bool m_unshare = false;
    QHash<QString, QString> m_wheelhouses;
    QString m_lastBundle; // a moved bundle that passed every check, once one did
};

void TestRuntimeMatrix::initTestCase()
{
    QVERIFY(m_work.isValid());
    m_empty = m_work.filePath(u"empty"_s);
    QVERIFY(QDir().mkpath(m_empty));
    QVERIFY(QFile(m_work.filePath(u"empty-file"_s)).open(QIODevice::WriteOnly));
    m_unshare = ::geteuid() == 0 && !QStandardPaths::findExecutable(u"unshare"_s).isEmpty();
    if (!m_unshare && QStandardPaths::findExecutable(u"bwrap"_s).isEmpty())
        QFAIL("hiding the source prefix needs root (unshare -m) or bubblewrap (bwrap)");
    qInfo("hiding source prefixes with %s",
          m_unshare ? "unshare -m + mount --bind (private mount namespace)" : "bwrap --tmpfs");
    for (const char *tool : {"gcc", "patchelf"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty())
            QFAIL(qPrintable(u"%1 is required"_s.arg(QLatin1StringView(tool))));
    }
    QVERIFY2(
        QFileInfo::exists(test::binDir() + u"/../wheelhouse/demo_units-0.3.1-py3-none-any.whl"_s),
        "the demo wheelhouse was not built");
}

QString TestRuntimeMatrix::wheelhouseFor(const Interpreter &interpreter)
{
    if (m_wheelhouses.contains(interpreter.label))
        return m_wheelhouses.value(interpreter.label);
    const QString dir = m_work.filePath(u"wheels-"_s + interpreter.label);
    QDir().mkpath(dir);
    const QDir demo(test::binDir() + u"/../wheelhouse"_s);
    for (const QString &wheel : demo.entryList({u"*.whl"_s}, QDir::Files))
        QFile::copy(demo.filePath(wheel), dir + u'/' + wheel);
    const test::ProcessResult made =
        test::runProcess(interpreter.executable,
                         {u"-I"_s, test::fixture(u"fixtures/cext/make_cext_wheel.py"_s), dir});
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
    const QString tree = dir + u"/tree/python"_s;
    const QString python = u"python"_s + interpreter.version;
    if (!QDir().mkpath(tree + u"/bin"_s) || !QDir().mkpath(tree + u"/lib"_s))
        return {};
    QFile::copy(interpreter.executable, tree + u"/bin/"_s + python);
    QFile::link(python, tree + u"/bin/python3"_s);
    const QString libpython = u"/lib/libpython"_s + interpreter.version + u".so.1.0"_s;
    if (QFileInfo::exists(prefix + libpython))
        QFile::copy(prefix + libpython, tree + libpython);
    const QString stdlib = u"/lib/"_s + python;
    if (!copyTree(prefix + stdlib, tree + stdlib,
                  {u"test"_s, u"idlelib"_s, u"tkinter"_s, u"turtledemo"_s, u"__pycache__"_s,
                   u"site-packages"_s, u"config-*"_s, u"_tkinter*"_s}))
        return {};
    // install_only archives come with pip installed.
    const QDir site(prefix + stdlib + u"/site-packages"_s);
    for (const QString &entry :
         site.entryList({u"pip"_s, u"pip-*"_s}, QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (!copyTree(site.filePath(entry), tree + stdlib + u"/site-packages/"_s + entry,
                      {u"__pycache__"_s}))
            return {};
    }
    // The libraries beyond the base system, found by the host's rules.
    const runtime::HostLibrarySearch search = runtime::HostLibrarySearch::load();
    QStringList queue = runtime::elfFilesUnder(tree);
    QHash<QString, QString> originals;
    for (const QString &file : std::as_const(queue))
        originals.insert(file, prefix + u'/' + QDir(tree).relativeFilePath(file));
    originals.insert(tree + u"/bin/"_s + python, interpreter.executable);
    while (!queue.isEmpty()) {
        const QString file = queue.takeFirst();
        Result<runtime::ElfInfo> info = runtime::readElf(file);
        if (!info)
            return {};
        for (const QString &soname : std::as_const(info->needed)) {
            const QString target = tree + u"/lib/"_s + soname;
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
    const QString archivePath = dir + u"/install_only.tar.gz"_s;
    archive::WriteOptions write;
    write.topLevel = u"python"_s;
    Result<archive::WriteSummary> written = archive::writeArchive(tree, archivePath, write);
    if (!written)
        return {};
    QDir(dir + u"/tree"_s).removeRecursively();
    return archivePath;
}

QString TestRuntimeMatrix::writeConfig(const QString &dir, const json &runtime,
                                       const QString &wheelhouse)
{
    const json config = {{"id", "deskpack-demo"},
                         {"name", "Deskpack Demo"},
                         {"version", "1.0.0"},
                         {"runtime", runtime},
                         {"wheelhouse", wheelhouse.toStdString()},
                         {"requirements", {"demo_units==0.3.1", "deskpack_cext==1.0"}},
                         {"app",
                          {{"source", test::fixture(u"../resources/demo/backend"_s).toStdString()},
                           {"module", "demo_backend"},
                           {"args", {"--port", "0"}}}},
                         {"readiness", {{"heartbeat", true}, {"timeout", 20}}},
                         {"prune", {"tests", "idlelib", "tkinter"}},
                         {"byteCompile", false}};
    const QString path = dir + u"/deskpack.json"_s;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(QByteArray::fromStdString(config.dump(2)));
    return path;
}

test::ProcessResult TestRuntimeMatrix::runHidden(const QStringList &hidden, const QString &python,
                                                 const QString &bundle)
{
    const QString check = test::fixture(u"packager/runtime/check_moved_bundle.py"_s);
    QStringList command{python, u"-I"_s, check, bundle};
    QStringList existing;
    for (const QString &path : hidden) {
        if (QFileInfo::exists(path))
            existing.append(path);
    }
    command += existing; // check_moved_bundle.py proves each is hidden
    if (m_unshare) {
        QString script = u"set -e\n"_s;
        for (const QString &path : std::as_const(existing)) {
            const QString over =
                QFileInfo(path).isDir() ? m_empty : m_work.filePath(u"empty-file"_s);
            script += u"mount --bind '%1' '%2'\n"_s.arg(over, path);
        }
        script += u"exec \"$@\"\n"_s;
        return test::runProcess(u"unshare"_s,
                                QStringList{u"-m"_s, u"--propagation"_s, u"private"_s, u"sh"_s,
                                            u"-c"_s, script, u"sh"_s} +
                                    command,
                                {}, 180000);
    }
    QStringList arguments{u"--dev-bind"_s, u"/"_s, u"/"_s};
    for (const QString &path : std::as_const(existing)) {
        if (QFileInfo(path).isDir())
            arguments << u"--tmpfs"_s << path;
        else
            arguments << u"--ro-bind"_s << u"/dev/null"_s << path;
    }
    return test::runProcess(u"bwrap"_s, arguments + command, {}, 180000);
}

void TestRuntimeMatrix::matrix_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<QString>("source");
    const QList<Interpreter> all = interpreters();
    for (int i = 0; i < all.size(); ++i) {
        QStringList sources{u"host"_s, u"pack"_s};
        if (all[i].pyenv)
            sources.append(u"install_only"_s);
        for (const QString &source : sources)
            QTest::newRow(qPrintable(all[i].label + u' ' + source)) << i << source;
    }
}

void TestRuntimeMatrix::matrix()
{
    QFETCH(int, index);
    QFETCH(QString, source);
    const Interpreter interpreter = interpreters().at(index);
    if (!QFileInfo(interpreter.executable).isExecutable())
        SKIP_OR_FAIL_IN_CI(interpreter.executable + u" is not on this machine"_s);
    const QString dir = m_work.filePath(interpreter.label + u'-' + source);
    MovedBundle built;
    buildMoved(interpreter, source, dir, built);
    if (QTest::currentTestFailed())
        return;
    const QString &moved = built.moved;
    const QString &wheelhouse = built.wheelhouse;
    const QString &cache = built.cache;

    // Moved, then audited: no ELF names a build-machine path or needs a
    // library the bundle lacks (the cext's vendored library is accepted).
    const QList<runtime::ElfFinding> findings = runtime::auditBundleElf(moved);
    for (const runtime::ElfFinding &f : findings)
        qWarning("%s", qPrintable(f.message));
    QVERIFY(findings.isEmpty());
    const test::ProcessResult verified = test::runDeskpack({u"verify"_s, moved, u"--json"_s});
    QVERIFY2(verified.exitCode == 0, verified.err.constData());
    QVERIFY(parseJson(verified.out)["elf"].empty());

    // Run with everything it came from hidden.
    const QStringList hidden = interpreter.hidden + QStringList{cache, wheelhouse, dir + u"/out"_s};
    const QString python = moved + u"/runtime/bin/python"_s + interpreter.version;
    const test::ProcessResult run = runHidden(hidden, python, moved);
    QVERIFY2(run.exitCode == 0, QByteArray(run.out + run.err).constData());
    const json seen = parseJson(run.out);
    QVERIFY2(seen.is_object(), run.out.constData());
    QCOMPARE(seen["cext"].get<int>(), 42);
    QVERIFY(seen["hidden"].get<size_t>() >= 1);
    QVERIFY(seen["ssl"].get<std::string>().starts_with("OpenSSL"));
    const json &status = seen["status"];
    QCOMPARE(status["app"].get<std::string>(), std::string("deskpack-demo"));
    QCOMPARE(QString::fromStdString(status["prefix"].get<std::string>()), moved + u"/runtime"_s);
    QVERIFY(status["python"].get<std::string>().starts_with(interpreter.version.toStdString()));
    // The extension and its vendored library were loaded from the bundle.
    for (const auto &lib : seen["loaded"])
        QVERIFY2(QString::fromStdString(lib.get<std::string>()).startsWith(moved + u'/'),
                 lib.get<std::string>().c_str());
    QCOMPARE(seen["loaded"].size(), size_t(2));
    m_lastBundle = moved;
}

// Builds the demo with `interpreter` as `source` into `dir`, then moves the
// bundle away from where it was built.
void TestRuntimeMatrix::buildMoved(const Interpreter &interpreter, const QString &source,
                                   const QString &dir, MovedBundle &out)
{
    QVERIFY(QDir().mkpath(dir));
    out.wheelhouse = wheelhouseFor(interpreter);
    const QString &wheelhouse = out.wheelhouse;
    QVERIFY2(!wheelhouse.isEmpty(), "the C-extension fixture wheel could not be built");

    json runtime;
    if (source == u"host") {
        runtime = {{"python", interpreter.executable.toStdString()}};
    } else {
        QString archivePath;
        if (source == u"pack") {
            archivePath = dir + u"/python.tar.gz"_s;
            const test::ProcessResult packed =
                test::runDeskpack({u"runtime"_s, u"pack"_s, u"--python"_s, interpreter.executable,
                                   u"-o"_s, archivePath, u"--exclude"_s, u"test"_s});
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
    out.cache = dir + u"/cache"_s;
    const QString &cache = out.cache;
    const test::ProcessResult built = test::runDeskpack(
        {u"build"_s, config, u"--out"_s, dir + u"/out"_s, u"--cache-dir"_s, cache, u"--json"_s});
    QVERIFY2(built.exitCode == 0, built.err.constData());
    out.summary = parseJson(built.out);
    const json &summary = out.summary;
    QVERIFY2(summary.is_object(), built.out.constData());
    QVERIFY(summary["pythonVersion"].get<std::string>().starts_with(
        interpreter.version.toStdString() + '.'));

    out.moved = dir + u"/moved/Deskpack Demo"_s;
    QVERIFY(QDir().mkpath(dir + u"/moved"_s));
    QVERIFY(QDir().rename(QString::fromStdString(summary["bundle"].get<std::string>()), out.moved));
}

// `deskpack verify` reads ELF too: an extension whose RUNPATH names the build
// machine and that lost its vendored library is reported by name, exit 1.
void TestRuntimeMatrix::verifyReportsElfProblems()
{
    QString bundle = m_lastBundle;
    if (bundle.isEmpty()) {
        // Run without the matrix before it: a bundle of its own.
        const Interpreter interpreter = interpreters().constFirst();
        if (!QFileInfo(interpreter.executable).isExecutable())
            SKIP_OR_FAIL_IN_CI(interpreter.executable + u" is not on this machine"_s);
        MovedBundle built;
        buildMoved(interpreter, u"host"_s, m_work.filePath(u"elf-source"_s), built);
        if (QTest::currentTestFailed())
            return;
        bundle = built.moved;
    }
    const QString copy = m_work.filePath(u"elf-tampered"_s);
    QCOMPARE(test::runProcess(u"/bin/cp"_s, {u"-a"_s, bundle, copy}).exitCode, 0);
    QDirIterator it(copy, {u"_native*.so"_s}, QDir::Files, QDirIterator::Subdirectories);
    QVERIFY(it.hasNext());
    const QString ext = it.next();
    QCOMPARE(test::runProcess(u"patchelf"_s, {u"--set-rpath"_s, u"/opt/build/lib"_s, ext}).exitCode,
             0);
    const QString relative = QDir(copy).relativeFilePath(ext);
    const test::ProcessResult r = test::runDeskpack({u"verify"_s, copy, u"--json"_s});
    QCOMPARE(r.exitCode, 1);
    const json report = parseJson(r.out);
    QCOMPARE(report["elf"].size(), size_t(2));
    QCOMPARE(QString::fromStdString(report["elf"][0].get<std::string>()),
             relative + u": RUNPATH names the absolute path '/opt/build/lib', which "
                        "is not relative to $ORIGIN"_s);
    QVERIFY(QString::fromStdString(report["elf"][1].get<std::string>())
                .startsWith(relative + u": needs libdeskpack_vendored-5eed.so"_s));
    QVERIFY2(r.err.contains("1 changed") && r.err.contains("2 ELF problem(s)"), r.err.constData());
}

// A runtime archive that lacks its libpython fails the build by name, exit 2,
// before anything is built: no bundle, no staging left in the output.
void TestRuntimeMatrix::buildRefusesBadArchive()
{
    const Interpreter interpreter = interpreters().at(2); // pyenv 3.12.1, a shared build
    if (!QFileInfo(interpreter.executable).isExecutable())
        SKIP_OR_FAIL_IN_CI(interpreter.executable + u" is not on this machine"_s);
    const QString dir = m_work.filePath(u"no-libpython"_s);
    const QString tree = dir + u"/python"_s;
    QVERIFY(QDir().mkpath(tree + u"/bin"_s));
    QVERIFY(QFile::copy(interpreter.executable, tree + u"/bin/python3.12"_s));
    QVERIFY(copyTree(interpreter.hidden.constFirst() + u"/lib/python3.12/json"_s,
                     tree + u"/lib/python3.12/json"_s, {}));
    const QString archivePath = dir + u"/python.tar.gz"_s;
    archive::WriteOptions write;
    write.topLevel = u"python"_s;
    Result<archive::WriteSummary> written = archive::writeArchive(tree, archivePath, write);
    QVERIFY(written);
    const QString config = writeConfig(
        dir, {{"archive", archivePath.toStdString()}, {"sha256", written->sha256.toStdString()}},
        test::binDir() + u"/../wheelhouse"_s);
    const test::ProcessResult built = test::runDeskpack(
        {u"build"_s, config, u"--out"_s, dir + u"/out"_s, u"--cache-dir"_s, dir + u"/cache"_s});
    QCOMPARE(built.exitCode, 2);
    QVERIFY2(built.err.contains("python/bin/python3.12 needs libpython3.12.so.1.0") &&
                 built.err.contains(archivePath.toUtf8()),
             built.err.constData());
    QVERIFY(QDir(dir + u"/out"_s)
                .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)
                .isEmpty());
    QVERIFY(QDir(dir + u"/cache"_s)
                .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)
                .isEmpty());
}

QTEST_GUILESS_MAIN(TestRuntimeMatrix)
#include "tst_runtimematrix.moc"
