// SPDX-License-Identifier: MIT
#include "kernellaunch.h"

#include "runner/python/bundleenvironment.h"
#include "formats/appid.h"
#include "formats/bundlemanifest.h"
#include "runner/python/pythonenvironment.h"
#include "runner/python/pythonprocess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

using namespace Qt::Literals::StringLiterals;

// Resources of a static library must be registered explicitly, outside any namespace.
static void initKernelResources()
{
    Q_INIT_RESOURCE(kernel);
}

namespace deskpack::runner {

namespace {

QByteArray readKernelResource(const QString &name)
{
    QFile file(u":/deskpack/kernel/"_s + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

QByteArray embeddedRunnerSource()
{
    initKernelResources();
    QByteArray runner = readKernelResource(u"runner.py"_s);
    const QByteArray io = readKernelResource(u"deskpack_runner_io.py"_s);
    // Run with -c, runner.py has no directory to load its modules from: they travel
    // inside it, as hex, which any Python string literal holds as it is.
    const QByteArray slot = "\nEMBEDDED_MODULES = {}\n";
    const qsizetype at = runner.indexOf(slot);
    if (io.isEmpty() || at < 0)
        return {};
    const QByteArray filled =
        "\nEMBEDDED_MODULES = {\"deskpack_runner_io\": \"" + io.toHex() + "\"}\n";
    runner.replace(at, slot.size(), filled);
    return runner;
}

Result<KernelOptions> pythonKernelOptions(const QString &interpreter, const QString &runnerScript)
{
    if (Result<void> check = checkInterpreter(interpreter); !check)
        return check.error();
    KernelOptions options;
    options.program = interpreter;
    if (runnerScript.isEmpty()) {
        const QByteArray source = embeddedRunnerSource();
        if (source.isEmpty()) {
            return makeError(ErrorKind::Environment,
                             u"internal: runner.py missing from resources"_s);
        }
        options.arguments = {u"-c"_s, QString::fromUtf8(source)};
    } else {
        options.arguments = {runnerScript};
    }
    // No user site, as launch_backend.py; not -I, which would also ignore PYTHONUTF8 and
    // the manifest's PYTHON* variables. runner.py drops the working directory itself.
    options.arguments.prepend(u"-s"_s);
    options.environment = sanitizedPythonEnvironment();
    return options;
}

Result<KernelOptions> bundleKernelOptions(const QString &bundleDir, const QString &dataDir)
{
    Result<formats::BundleManifest> manifest = formats::readManifest(bundleDir);
    if (!manifest)
        return manifest.error();
    const QDir root(QFileInfo(bundleDir).absoluteFilePath());
    const QString script = root.filePath(u"resources/runner.py"_s);
    Result<KernelOptions> options = pythonKernelOptions(
        root.filePath(manifest->python), QFileInfo::exists(script) ? script : QString());
    if (!options)
        return options.error();
    const QString appDir = root.filePath(u"app"_s);
    const QString data =
        dataDir.isEmpty() ? defaultDataDir(manifest->id) : QFileInfo(dataDir).absoluteFilePath();
    options->environment = bundleEnvironment(*manifest, root.absolutePath(), data);
    options->arguments << u"--app-dir"_s << appDir;
    options->workingDirectory = appDir;
    return options;
}

} // namespace deskpack::runner
