// SPDX-License-Identifier: MIT
// Which pip builds a runtime (DESIGN.md "Which pip builds a runtime"): the
// selection order with a stand-in trial, the real trial under each
// interpreter on the machine, the demo built from Debian's 3.11 and pyenv's
// 3.10/3.12/3.13, a configured pip wheel with a right and a wrong hash, and
// "python" values that are not an interpreter.
#include "common/demobundle.h"
#include "common/testutil.h"

#include "base/filehash.h"
#include "bundle/appconfig.h"
#include "bundle/pipselection.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace deskpack;
using namespace deskpack::bundle;
using namespace Qt::Literals::StringLiterals;
using nlohmann::json;

namespace {

const QString DebianPython = u"/usr/bin/python3.11"_s;
const QString SystemWheels = u"/usr/share/python-wheels"_s;

json parseJson(const QByteArray &data)
{
    return json::parse(data.constData(), data.constData() + data.size(), nullptr, false);
}

QString str(const json &doc, const char *key)
{
    const auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? QString::fromStdString(it->get<std::string>())
                                              : QString();
}

QString pyenvRoot()
{
    const QString fromEnv = qEnvironmentVariable("PYENV_ROOT");
    return fromEnv.isEmpty() ? QDir::homePath() + u"/.pyenv"_s : fromEnv;
}

// $(pyenv root)/versions/X.Y.Z/bin/pythonX.Y
QString pyenvPython(const QString &version)
{
    return pyenvRoot() + u"/versions/"_s + version + u"/bin/python"_s + version.section(u'.', 0, 1);
}

// The one wheel matching `pattern` in `dir`, newest by name; empty if none.
QString wheelIn(const QString &dir, const QString &pattern = u"pip-*.whl"_s)
{
    const QStringList found = QDir(dir).entryList({pattern}, QDir::Files, QDir::Name);
    return found.isEmpty() ? QString() : dir + u'/' + found.constLast();
}

QString pythonVersionOf(const QString &interpreter)
{
    const auto r = test::runProcess(
        interpreter, {u"-I"_s, u"-c"_s, u"import platform; print(platform.python_version())"_s});
    return QString::fromUtf8(r.out).trimmed();
}

// The environment of a build: no DESKPACK_PIP_WHEEL unless a test sets one.
QProcessEnvironment buildEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"DESKPACK_PIP_WHEEL"_s);
    return env;
}

QString writeConfig(const QString &dir, json overrides)
{
    // As the demo ships: byte-compiled (3.13's compileall differs).
    json patch = {{"runtime", {{"python", DebianPython.toStdString()}}}, {"byteCompile", true}};
    patch.update(overrides); // top-level keys: nested nulls reach demoConfig()
    const QString path = test::writeDemoConfig(dir, patch);
    if (path.isEmpty())
        qFatal("cannot write %s/deskpack.json", qPrintable(dir));
    return path;
}

bool writeFile(const QString &path, const QByteArray &data, bool executable)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
        return false;
    f.close();
    return !executable ||
           f.setPermissions(f.permissions() | QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther);
}

// A stand-in trial: records what it was asked to run, fails for `failing`.
struct FakeTrial
{
    QStringList calls;
    QString failing; // a pipSourceName, or empty

    std::function<Result<void>(const PipSelectionInput &, const PipChoice &)> function()
    {
        return [this](const PipSelectionInput &, const PipChoice &choice) -> Result<void> {
            calls.append(pipSourceName(choice.source));
            if (pipSourceName(choice.source) == failing)
                return makeError(ErrorKind::Environment, u"stand-in trial failed"_s);
            return {};
        };
    }
};

} // namespace

// An interpreter the machine image has: missing fails under CI, skips elsewhere.
#define REQUIRE_INTERPRETER(path)                                                                  \
    do {                                                                                           \
        if (!QFileInfo(path).isExecutable())                                                       \
            SKIP_OR_FAIL_IN_CI((path) + u" is missing from this machine"_s);                       \
    } while (false)

class TestPipSelection : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_work;

    // A selection layout under `dir` with the candidates named in `present`
    // ("runtime", "ensurepip", "config", "environment", "system").
    PipSelectionInput layout(const QString &dir, const QStringList &present)
    {
        PipSelectionInput input;
        input.interpreter = DebianPython;
        input.pythonVersion = u"3.11.2"_s;
        input.sitePackages = dir + u"/site-packages"_s;
        QDir().mkpath(input.sitePackages);
        input.ensurepipDirs = {dir + u"/stdlib"_s};
        QDir().mkpath(dir + u"/stdlib/ensurepip/_bundled"_s);
        input.systemWheelDir = dir + u"/system"_s;
        QDir().mkpath(input.systemWheelDir);
        if (present.contains(u"runtime"_s)) {
            QDir().mkpath(input.sitePackages + u"/pip"_s);
            QDir().mkpath(input.sitePackages + u"/pip-24.0.dist-info"_s);
            writeFile(input.sitePackages + u"/pip/__init__.py"_s, "__version__ = '24.0'\n", false);
        }
        if (present.contains(u"ensurepip"_s))
            writeFile(dir + u"/stdlib/ensurepip/_bundled/pip-23.2.1-py3-none-any.whl"_s, "e",
                      false);
        if (present.contains(u"config"_s)) {
            input.configWheel = dir + u"/pip-22.3-py3-none-any.whl"_s;
            writeFile(input.configWheel, "c", false);
        }
        if (present.contains(u"environment"_s)) {
            input.environmentWheel = dir + u"/env/pip-21.3-py3-none-any.whl"_s;
            QDir().mkpath(dir + u"/env"_s);
            writeFile(input.environmentWheel, "v", false);
        }
        if (present.contains(u"system"_s)) {
            // Two versions: the newest by numeric order (23.10 > 23.9) is taken.
            writeFile(input.systemWheelDir + u"/pip-23.9-py3-none-any.whl"_s, "s", false);
            writeFile(input.systemWheelDir + u"/pip-23.10-py3-none-any.whl"_s, "s", false);
        }
        return input;
    }

    test::ProcessResult build(const QString &config, const QString &out,
                              const QProcessEnvironment &env = buildEnvironment())
    {
        return test::runDeskpack({u"build"_s, config, u"--out"_s, out, u"--json"_s}, env);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_work.isValid());
        QVERIFY2(QFileInfo(DebianPython).isExecutable(), "Debian's python3.11 is missing");
        QVERIFY2(
            QFileInfo::exists(test::demoWheelhouse() + u"/demo_units-0.3.1-py3-none-any.whl"_s),
            "the demo wheelhouse was not built");
    }

    void versionSatisfies_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("spec");
        QTest::addColumn<int>("expected"); // 1 yes, 0 no, -1 cannot tell
        QTest::newRow("at least") << u"3.12.1"_s << u">=3.7"_s << 1;
        QTest::newRow("too old") << u"3.7.9"_s << u">=3.8"_s << 0;
        QTest::newRow("padded equal") << u"3.8.0"_s << u">=3.8"_s << 1;
        QTest::newRow("below") << u"3.12.1"_s << u"<3.12"_s << 0;
        QTest::newRow("excluded series") << u"3.8.5"_s << u">=3.7,!=3.8.*"_s << 0;
        QTest::newRow("other series") << u"3.9.1"_s << u">=3.7, !=3.8.*"_s << 1;
        QTest::newRow("exact") << u"3.10.13"_s << u"==3.10.13"_s << 1;
        QTest::newRow("wildcard") << u"3.10.13"_s << u"==3.10.*"_s << 1;
        QTest::newRow("compatible") << u"3.13.0"_s << u"~=3.8"_s << 1;
        QTest::newRow("compatible patch") << u"3.9.1"_s << u"~=3.8.1"_s << 0;
        QTest::newRow("greater") << u"3.13.0"_s << u">3.13"_s << 0;
        QTest::newRow("py2 style") << u"3.11.2"_s << u">=2.7,!=3.0.*,!=3.1.*"_s << 1;
        QTest::newRow("garbage") << u"3.11.2"_s << u"python3"_s << -1;
        QTest::newRow("wildcard with >=") << u"3.11.2"_s << u">=3.*"_s << -1;
    }

    void versionSatisfies()
    {
        QFETCH(QString, version);
        QFETCH(QString, spec);
        QFETCH(int, expected);
        const std::optional<bool> got = bundle::versionSatisfies(version, spec);
        QCOMPARE(got ? int(*got) : -1, expected);
    }

    void pipVersionFromWheelName()
    {
        QCOMPARE(pipVersionFromWheel(u"/x/pip-24.2-py3-none-any.whl"_s), u"24.2"_s);
        QCOMPARE(pipVersionFromWheel(u"pip-23.0.1-1-py3-none-any.whl"_s), u"23.0.1"_s);
        QCOMPARE(pipVersionFromWheel(u"pip.whl"_s), QString());
    }

    void requiresPythonFromWheel()
    {
        // Debian's wheel says what it claims (and it is wrong for 3.12: hence the trial).
        const QString debian = wheelIn(SystemWheels);
        if (!debian.isEmpty()) {
            const auto spec = wheelRequiresPython(debian);
            QVERIFY(spec);
            QVERIFY2(bundle::versionSatisfies(u"3.12.1"_s, *spec) == true, qPrintable(*spec));
        }
        // A wheel made here: the header counts, the same text in the body does not.
        const QString made = m_work.filePath(u"made/pip-99.0-py3-none-any.whl"_s);
        QDir().mkpath(m_work.filePath(u"made"_s));
        const auto r = test::runPythonScript(
            u"import sys, zipfile\n"
            "with zipfile.ZipFile(sys.argv[1], 'w') as z:\n"
            "    z.writestr('pip/__init__.py', '')\n"
            "    z.writestr('pip-99.0.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: pip\\n"
            "Version: 99.0\\nRequires-Python: >=3.99\\n\\nRequires-Python: <1\\n')\n"_s,
            {made});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(wheelRequiresPython(made).value_or(u"(none)"_s), u">=3.99"_s);
        // Not a zip, or no METADATA: cannot tell, and nothing crashes.
        const QString junk = m_work.filePath(u"made/pip-1.0-py3-none-any.whl"_s);
        QVERIFY(writeFile(junk, "not a zip", false));
        QVERIFY(!wheelRequiresPython(junk));
        QVERIFY(!wheelRequiresPython(m_work.filePath(u"made/absent.whl"_s)));
    }

    void selectionOrder_data()
    {
        QTest::addColumn<QStringList>("present");
        QTest::addColumn<QString>("failing");  // the trial fails for this source
        QTest::addColumn<QString>("expected"); // source chosen, or "error"
        QTest::addColumn<QString>("version");  // of the chosen pip, or a word of the error
        const QStringList all = {u"runtime"_s, u"ensurepip"_s, u"config"_s, u"environment"_s,
                                 u"system"_s};
        QTest::newRow("runtime first") << all << QString() << u"runtime"_s << u"24.0"_s;
        QTest::newRow("then ensurepip") << all.mid(1) << QString() << u"ensurepip"_s << u"23.2.1"_s;
        QTest::newRow("then config") << all.mid(2) << QString() << u"config"_s << u"22.3"_s;
        QTest::newRow("then environment")
            << all.mid(3) << QString() << u"environment"_s << u"21.3"_s;
        QTest::newRow("system last, newest")
            << all.mid(4) << QString() << u"system"_s << u"23.10"_s;
        QTest::newRow("system that fails the trial")
            << all.mid(4) << u"system"_s << u"error"_s << u"pip-23.10-py3-none-any.whl"_s;
        // A chosen pip that cannot run stops the build: no silent fallback.
        QTest::newRow("runtime pip that cannot run")
            << all << u"runtime"_s << u"error"_s << u"site-packages/pip"_s;
        QTest::newRow("ensurepip that cannot run")
            << all.mid(1) << u"ensurepip"_s << u"error"_s << u"pip-23.2.1-py3-none-any.whl"_s;
        QTest::newRow("nothing at all")
            << QStringList() << QString() << u"error"_s << u"DESKPACK_PIP_WHEEL"_s;
    }

    void selectionOrder()
    {
        QFETCH(QStringList, present);
        QFETCH(QString, failing);
        QFETCH(QString, expected);
        QFETCH(QString, version);
        const QString dir =
            m_work.filePath(u"order/"_s + QString::fromUtf8(QTest::currentDataTag()));
        PipSelectionInput input = layout(dir, present);
        FakeTrial trial;
        trial.failing = failing;
        input.trial = trial.function();
        const Result<PipChoice> choice = selectPip(input);
        if (expected == u"error") {
            QVERIFY(!choice);
            QCOMPARE(choice.error().kind, ErrorKind::Environment);
            // The message names the interpreter's version and what was tried.
            QVERIFY2(choice.error().message.contains(u"3.11.2"_s),
                     qPrintable(choice.error().message));
            QVERIFY2(choice.error().message.contains(version), qPrintable(choice.error().message));
            // Only the one chosen candidate was tried.
            QCOMPARE(trial.calls.size(), failing.isEmpty() ? 0 : 1);
            return;
        }
        QVERIFY2(choice, choice ? "" : qPrintable(choice.error().message));
        QCOMPARE(pipSourceName(choice->source), expected);
        QCOMPARE(choice->version, version);
        QCOMPARE(trial.calls, QStringList{expected});
        QCOMPARE(choice->wheel.isEmpty(), expected == u"runtime");
        QVERIFY(QFileInfo::exists(choice->location));
        // Every candidate before the chosen one is accounted for.
        QCOMPARE(choice->passedOver.size(), qsizetype(5 - present.size()));
    }

    void systemWheelRefusedByRequiresPython()
    {
        const QString dir = m_work.filePath(u"requires"_s);
        PipSelectionInput input = layout(dir, {});
        const auto r = test::runPythonScript(
            u"import sys, zipfile\n"
            "with zipfile.ZipFile(sys.argv[1], 'w') as z:\n"
            "    z.writestr('pip-30.0.dist-info/METADATA', 'Name: pip\\nRequires-Python: "
            ">=3.99\\n')\n"_s,
            {input.systemWheelDir + u"/pip-30.0-py3-none-any.whl"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        FakeTrial trial;
        input.trial = trial.function();
        const Result<PipChoice> choice = selectPip(input);
        QVERIFY(!choice);
        QVERIFY2(choice.error().message.contains(u"Requires-Python is >=3.99"_s),
                 qPrintable(choice.error().message));
        QVERIFY(trial.calls.isEmpty()); // refused before it was run
    }

    void configuredWheelHash()
    {
        const QString dir = m_work.filePath(u"hash"_s);
        PipSelectionInput input = layout(dir, {u"config"_s});
        FakeTrial trial;
        input.trial = trial.function();
        Result<QString> actual = sha256OfFile(input.configWheel);
        QVERIFY(actual);
        input.configSha256 = *actual;
        QVERIFY(selectPip(input));

        input.configSha256 = QString(64, u'0');
        const Result<PipChoice> wrong = selectPip(input);
        QVERIFY(!wrong);
        QCOMPARE(wrong.error().kind, ErrorKind::Invalid);
        QVERIFY2(wrong.error().message.contains(u"pip.sha256"_s),
                 qPrintable(wrong.error().message));
        QVERIFY2(wrong.error().message.contains(input.configWheel),
                 qPrintable(wrong.error().message));

        // Checked even when a better candidate would run: a wrong hash is broken input.
        PipSelectionInput withRuntime = layout(dir + u"/2"_s, {u"runtime"_s, u"config"_s});
        withRuntime.configSha256 = QString(64, u'0');
        withRuntime.trial = trial.function();
        QVERIFY(!selectPip(withRuntime));
    }

    void missingEnvironmentWheel()
    {
        PipSelectionInput input = layout(m_work.filePath(u"env-missing"_s), {u"system"_s});
        input.environmentWheel = m_work.filePath(u"env-missing/nope/pip-1.0-py3-none-any.whl"_s);
        FakeTrial trial;
        input.trial = trial.function();
        const Result<PipChoice> choice = selectPip(input);
        QVERIFY(!choice);
        QCOMPARE(choice.error().kind, ErrorKind::Unreadable);
        QVERIFY(choice.error().message.contains(u"DESKPACK_PIP_WHEEL"_s));
    }

    // "pip" in deskpack.json: every wrong type or value is a config error
    // naming the key (exit 2), never a crash.
    void configPipField_data()
    {
        QTest::addColumn<QByteArray>("pip"); // the JSON value of "pip"; WHEEL is a real pip wheel
        QTest::addColumn<QString>("error");  // empty: accepted
        QTest::newRow("path") << QByteArray("\"WHEEL\"") << QString();
        QTest::newRow("object") << QByteArray("{\"wheel\": \"WHEEL\"}") << QString();
        QTest::newRow("object with hash")
            << QByteArray("{\"wheel\": \"WHEEL\", \"sha256\": \"") + QByteArray(64, 'A') + "\"}"
            << QString();
        QTest::newRow("number") << QByteArray("3") << u"pip: expected a pip wheel path"_s;
        QTest::newRow("list") << QByteArray("[\"WHEEL\"]") << u"pip: expected a pip wheel path"_s;
        QTest::newRow("null") << QByteArray("null") << u"pip: expected a pip wheel path"_s;
        QTest::newRow("empty string")
            << QByteArray("\"\"") << u"pip: expected a non-empty string"_s;
        QTest::newRow("missing file")
            << QByteArray("\"nope/pip-1.0-py3-none-any.whl\"") << u"does not exist"_s;
        QTest::newRow("not a pip wheel") << QByteArray("\"OTHER\"") << u"is not a pip wheel"_s;
        QTest::newRow("wheel of wrong type")
            << QByteArray("{\"wheel\": 1}") << u"pip.wheel: expected a non-empty string"_s;
        QTest::newRow("no wheel") << QByteArray("{\"sha256\": \"") + QByteArray(64, 'a') + "\"}"
                                  << u"pip.wheel: missing"_s;
        QTest::newRow("hash of wrong type") << QByteArray("{\"wheel\": \"WHEEL\", \"sha256\": 12}")
                                            << u"pip.sha256: expected a non-empty string"_s;
        QTest::newRow("short hash") << QByteArray("{\"wheel\": \"WHEEL\", \"sha256\": \"abc\"}")
                                    << u"pip.sha256: expected 64 hexadecimal digits"_s;
        QTest::newRow("misspelt key") << QByteArray("{\"wheel\": \"WHEEL\", \"sha265\": \"x\"}")
                                      << u"$.pip.sha265: unknown key; did you mean \"sha256\"?"_s;
    }

    void configPipField()
    {
        QFETCH(QByteArray, pip);
        QFETCH(QString, error);
        const QString dir =
            m_work.filePath(u"config/"_s + QString::fromUtf8(QTest::currentDataTag()));
        QDir().mkpath(dir);
        const QString wheel = dir + u"/pip-24.2-py3-none-any.whl"_s;
        const QString other = dir + u"/setuptools-1.0-py3-none-any.whl"_s;
        QVERIFY(writeFile(wheel, "w", false) && writeFile(other, "o", false));
        const QString config = writeConfig(dir, json::object());
        QFile f(config);
        QVERIFY(f.open(QIODevice::ReadOnly));
        json doc = parseJson(f.readAll());
        f.close();
        pip.replace("WHEEL", wheel.toUtf8()).replace("OTHER", other.toUtf8());
        doc["pip"] = parseJson(pip);
        QVERIFY2(!doc["pip"].is_discarded(), pip.constData());
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QByteArray::fromStdString(doc.dump()));
        f.close();
        const Result<AppConfig> loaded = loadAppConfig(config);
        if (error.isEmpty()) {
            QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.error().message));
            QCOMPARE(loaded->pipWheel, wheel);
            QCOMPARE(loaded->pipSha256, pip.contains("sha256") ? QString(64, u'a') : QString());
            return;
        }
        QVERIFY(!loaded);
        QCOMPARE(loaded.error().kind, ErrorKind::Unreadable);
        QVERIFY2(loaded.error().message.contains(error), qPrintable(loaded.error().message));
        QVERIFY2(loaded.error().message.contains(config), qPrintable(loaded.error().message));
    }

    // The real trial: Debian's pip 23.0.1 runs under 3.11 but not 3.12/3.13
    // (pkgutil.ImpImporter is gone), each ensurepip wheel under its own
    // interpreter, and a prefix's own pip.
    void realTrial_data()
    {
        QTest::addColumn<QString>("interpreter");
        QTest::addColumn<QString>("candidate"); // "system", "ensurepip", "runtime"
        QTest::addColumn<bool>("runs");
        QTest::newRow("debian 3.11, system pip") << DebianPython << u"system"_s << true;
        for (const char *v : {"3.10.13", "3.11.7", "3.12.1", "3.13.0"}) {
            const QString version = QString::fromLatin1(v);
            const QString python = pyenvPython(version);
            QTest::addRow("pyenv %s, ensurepip", v) << python << u"ensurepip"_s << true;
            QTest::addRow("pyenv %s, its site-packages pip", v) << python << u"runtime"_s << true;
            QTest::addRow("pyenv %s, system pip", v)
                << python << u"system"_s
                << (version.startsWith(u"3.10") || version.startsWith(u"3.11"));
        }
    }

    void realTrial()
    {
        QFETCH(QString, interpreter);
        QFETCH(QString, candidate);
        QFETCH(bool, runs);
        REQUIRE_INTERPRETER(interpreter);
        if (candidate == u"system" && wheelIn(SystemWheels).isEmpty())
            SKIP_OR_FAIL_IN_CI("no pip wheel in /usr/share/python-wheels (python3-pip-whl)");
        const QString prefix = QFileInfo(interpreter).absolutePath() + u"/.."_s;
        const QString stdlib =
            QDir::cleanPath(prefix + u"/lib/python"_s +
                            QFileInfo(interpreter).fileName().mid(6)); // python3.12 -> 3.12
        PipSelectionInput input;
        input.interpreter = interpreter;
        input.pythonVersion = pythonVersionOf(interpreter);
        QVERIFY(!input.pythonVersion.isEmpty());
        QTemporaryDir empty;
        input.sitePackages = empty.path();
        input.systemWheelDir = candidate == u"system" ? SystemWheels : empty.path();
        QString expectedLocation = wheelIn(SystemWheels);
        if (candidate == u"ensurepip") {
            input.ensurepipDirs = {stdlib};
            expectedLocation = wheelIn(stdlib + u"/ensurepip/_bundled"_s);
            QVERIFY2(!expectedLocation.isEmpty(), qPrintable(stdlib));
        } else if (candidate == u"runtime") {
            input.sitePackages = stdlib + u"/site-packages"_s;
            expectedLocation = input.sitePackages + u"/pip"_s;
            QVERIFY2(QFileInfo::exists(expectedLocation), qPrintable(expectedLocation));
        }
        const Result<PipChoice> choice = selectPip(input);
        if (runs) {
            QVERIFY2(choice, choice ? "" : qPrintable(choice.error().message));
            QCOMPARE(pipSourceName(choice->source), candidate);
            QCOMPARE(choice->location, expectedLocation);
        } else {
            QVERIFY(!choice);
            QCOMPARE(choice.error().kind, ErrorKind::Environment);
            const QString message = choice.error().message;
            QVERIFY2(message.contains(input.pythonVersion), qPrintable(message));
            QVERIFY2(message.contains(expectedLocation), qPrintable(message));
            QVERIFY2(message.contains(u"ImpImporter"_s), qPrintable(message));
        }
    }

    // The demo built from each interpreter: the build reports the pip it
    // used, that pip is the one in the bundle, and no message names the
    // staging directory.
    void buildDemo_data()
    {
        QTest::addColumn<QString>("interpreter");
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("wheel"); // the pip wheel expected to be used
        QTest::newRow("debian 3.11") << DebianPython << u"system"_s << wheelIn(SystemWheels);
        for (const char *v : {"3.10.13", "3.12.1", "3.13.0"}) {
            const QString python = pyenvPython(QString::fromLatin1(v));
            const QString bundled = QFileInfo(python).absolutePath() + u"/../lib/"_s +
                                    QFileInfo(python).fileName() + u"/ensurepip/_bundled"_s;
            QTest::addRow("pyenv %s", v)
                << python << u"ensurepip"_s << QDir::cleanPath(wheelIn(bundled));
        }
    }

    void buildDemo()
    {
        QFETCH(QString, interpreter);
        QFETCH(QString, source);
        QFETCH(QString, wheel);
        REQUIRE_INTERPRETER(interpreter);
        QVERIFY2(!wheel.isEmpty() && QFileInfo(wheel).isFile(), "no pip wheel to expect");
        const QString version = pipVersionFromWheel(wheel);
        const QString dir =
            m_work.filePath(u"build/"_s + QString::fromUtf8(QTest::currentDataTag()));
        const QString config =
            writeConfig(dir, {{"runtime", {{"python", interpreter.toStdString()}}}});
        const auto r = build(config, dir + u"/out"_s);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const json summary = parseJson(r.out);
        QVERIFY2(summary.is_object() && summary.contains("pip"), r.out.constData());
        QCOMPARE(str(summary["pip"], "source"), source);
        QCOMPARE(str(summary["pip"], "version"), version);
        QCOMPARE(str(summary["pip"], "location"), wheel);
        const QByteArray said = QByteArray("dependencies installed with pip ") + version.toUtf8() +
                                " (" + source.toUtf8();
        QVERIFY2(r.err.contains(said), r.err.constData());
        QVERIFY(!r.out.contains(".deskpack-staging") && !r.err.contains(".deskpack-staging"));

        // The bundle carries that pip (installed by name: no direct_url.json
        // naming this machine) and it imports under the bundled interpreter.
        const QString bundle = str(summary, "bundle");
        const QString pyShort = str(summary, "pythonVersion").section(u'.', 0, 1);
        const QString core = bundle + u"/runtime/lib/python"_s + pyShort + u"/site-packages"_s;
        QVERIFY2(QFileInfo(core + u"/pip-"_s + version + u".dist-info/METADATA"_s).isFile(),
                 qPrintable(core));
        QVERIFY(!QFileInfo::exists(core + u"/pip-"_s + version + u".dist-info/direct_url.json"_s));
        const auto verify = test::runDeskpack({u"verify"_s, bundle});
        QVERIFY2(verify.exitCode == 0, verify.err.constData());
        const auto run = test::runProcess(
            u"/usr/bin/env"_s,
            {u"-i"_s, bundle + u"/runtime/bin/python"_s + pyShort, u"-B"_s, u"-c"_s,
             u"import pip, demo_units, sys; print(pip.__version__, sys.version.split()[0])"_s});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(QString::fromUtf8(run.out).trimmed(),
                 version + u' ' + str(summary, "pythonVersion"));
    }

    // Debian's 3.11 has neither its own pip nor ensurepip: a configured wheel
    // comes before the system one, and its hash is checked.
    void buildWithConfiguredPip()
    {
        const QString system = wheelIn(SystemWheels);
        if (system.isEmpty())
            SKIP_OR_FAIL_IN_CI("no pip wheel in /usr/share/python-wheels to configure");
        const QString dir = m_work.filePath(u"configured"_s);
        QDir().mkpath(dir + u"/wheels"_s);
        const QString wheel = dir + u"/wheels/"_s + QFileInfo(system).fileName();
        QVERIFY(QFile::copy(system, wheel));
        Result<QString> sha = sha256OfFile(wheel);
        QVERIFY(sha);

        const QString bad =
            writeConfig(dir, {{"pip",
                               {{"wheel", "wheels/" + QFileInfo(system).fileName().toStdString()},
                                {"sha256", std::string(64, 'a')}}}});
        const auto refused = build(bad, dir + u"/out"_s);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("pip.sha256") && refused.err.contains(wheel.toUtf8()),
                 refused.err.constData());
        QVERIFY(!QFileInfo::exists(dir + u"/out"_s)); // nothing written, not even the log

        const QString good = writeConfig(
            dir, {{"pip", {{"wheel", wheel.toStdString()}, {"sha256", sha->toStdString()}}}});
        const auto r = build(good, dir + u"/out"_s);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const json summary = parseJson(r.out);
        QCOMPARE(str(summary["pip"], "source"), u"config"_s);
        QCOMPARE(str(summary["pip"], "location"), wheel);
        // Installed by name from a private directory: the config directory
        // (a build path) appears nowhere in the bundle.
        QVERIFY(!r.err.contains(".deskpack-staging"));
    }

    // A runtime with no pip of its own and no ensurepip wheel (packed with
    // --exclude ensurepip) under 3.12: Debian's pip is tried and, when it
    // cannot run there, the build stops in the pip phase, exit 3, with
    // nothing installed and no bundle.
    void pipThatCannotRunStopsTheBuild()
    {
        const QString python = pyenvPython(u"3.12.1"_s);
        REQUIRE_INTERPRETER(python);
        const QString system = wheelIn(SystemWheels);
        if (system.isEmpty())
            SKIP_OR_FAIL_IN_CI("no pip wheel in /usr/share/python-wheels (python3-pip-whl)");
        const QString dir = m_work.filePath(u"cannot-run"_s);
        QDir().mkpath(dir + u"/empty"_s);
        // The oracle: does Debian's pip run under 3.12 at all?
        const bool systemRuns = test::runProcess(python, {u"-I"_s, system + u"/pip"_s, u"list"_s,
                                                          u"--path"_s, dir + u"/empty"_s})
                                    .exitCode == 0;
        const QString archive = dir + u"/python.tar.gz"_s;
        const auto pack =
            test::runDeskpack({u"runtime"_s, u"pack"_s, u"--python"_s, python, u"-o"_s, archive,
                               u"--exclude"_s, u"test"_s, u"--exclude"_s, u"ensurepip"_s});
        QVERIFY2(pack.exitCode == 0, pack.err.constData());
        Result<QString> sha = sha256OfFile(archive);
        QVERIFY(sha);
        const QString config = writeConfig(dir, {{"runtime",
                                                  {{"python", nullptr},
                                                   {"archive", archive.toStdString()},
                                                   {"sha256", sha->toStdString()}}}});
        const auto r = test::runDeskpack(
            {u"build"_s, config, u"--out"_s, dir + u"/out"_s, u"--cache-dir"_s, dir + u"/cache"_s},
            buildEnvironment());
        if (systemRuns) {
            QVERIFY2(r.exitCode == 0, r.err.constData());
            const QByteArray said = "(system: " + system.toUtf8();
            QVERIFY2(r.err.contains(said), r.err.constData());
            return;
        }
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("pip: no pip that runs under Python 3.12.1"), r.err.constData());
        QVERIFY2(r.err.contains(system.toUtf8()), r.err.constData());
        QVERIFY2(r.err.contains("ImpImporter"), r.err.constData());
        QVERIFY(!r.err.contains(".deskpack-staging"));
        QVERIFY(!QFileInfo::exists(dir + u"/out/Deskpack Demo"_s));
        // Only the trial ran: pip never installed anything.
        QFile log(dir + u"/out/Deskpack Demo.build.log"_s);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        QVERIFY2(text.contains("/pip list --isolated"), text.constData());
        QVERIFY2(!text.contains(" install "), text.constData());
    }

    // "python" values that are not an interpreter: a clear error naming the
    // file, the exit code DESIGN.md gives, and an untouched output directory.
    void badPython_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("says");
        QTest::newRow("shell script") << u"script"_s << 2 << u"a script (#!/bin/sh)"_s;
        QTest::newRow("executable text file") << u"text"_s << 2 << u"not an ELF executable"_s;
        QTest::newRow("text file") << u"plain"_s << 2 << u"not an executable interpreter"_s;
        QTest::newRow("missing file") << u"missing"_s << 2 << u"not an executable interpreter"_s;
        QTest::newRow("directory") << u"directory"_s << 2 << u"not an executable interpreter"_s;
        QTest::newRow("venv symlink") << u"venv"_s << 2 << u"virtual environment"_s;
        QTest::newRow("pyenv shim") << u"shim"_s << 2 << u"a script"_s;
    }

    void badPython()
    {
        QFETCH(QString, kind);
        QFETCH(int, exitCode);
        QFETCH(QString, says);
        const QString dir = m_work.filePath(u"bad/"_s + kind);
        QDir().mkpath(dir);
        QString python = dir + u"/python3.11"_s;
        if (kind == u"script") {
            QVERIFY(writeFile(python, "#!/bin/sh\nexec /usr/bin/python3.11 \"$@\"\n", true));
        } else if (kind == u"text") {
            QVERIFY(writeFile(python, "print('hello')\n", true));
        } else if (kind == u"plain") {
            QVERIFY(writeFile(python, "print('hello')\n", false));
        } else if (kind == u"directory") {
            QDir().mkpath(python);
        } else if (kind == u"venv") {
            const auto made = test::runProcess(
                DebianPython, {u"-m"_s, u"venv"_s, u"--without-pip"_s, dir + u"/venv"_s});
            QVERIFY2(made.exitCode == 0, made.err.constData());
            python = dir + u"/venv/bin/python"_s;
            QVERIFY(QFileInfo(python).isSymLink());
        } else if (kind == u"shim") {
            python = pyenvRoot() + u"/shims/python3.12"_s;
            REQUIRE_INTERPRETER(python);
        }
        const QString config = writeConfig(dir, {{"runtime", {{"python", python.toStdString()}}}});
        const auto r = build(config, dir + u"/out"_s);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(python.toUtf8()), r.err.constData());
        QVERIFY2(r.err.contains(says.toUtf8()), r.err.constData());
        QVERIFY(!r.crashed);
        QVERIFY2(!QFileInfo::exists(dir + u"/out"_s), "the output directory was touched");
        if (kind == u"venv")
            QVERIFY2(r.err.contains("pyvenv.cfg"), r.err.constData());

        // `deskpack runtime pack` refuses the same file the same way, writing nothing.
        if (kind == u"script" || kind == u"venv" || kind == u"text") {
            const QString archive = dir + u"/rt.tar.gz"_s;
            const auto pack = test::runDeskpack(
                {u"runtime"_s, u"pack"_s, u"--python"_s, python, u"-o"_s, archive});
            QCOMPARE(pack.exitCode, 2);
            QVERIFY2(pack.err.contains(python.toUtf8()), pack.err.constData());
            QVERIFY(!QFileInfo::exists(archive));
        }
    }
};

QTEST_GUILESS_MAIN(TestPipSelection)
#include "tst_pipselection.moc"
