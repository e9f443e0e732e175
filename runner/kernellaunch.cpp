// SPDX-License-Identifier: MIT
#include "kernellaunch.h"

#include "bundleenvironment.h"
#include "bundlemanifest.h"
#include "pythonenvironment.h"
#include "pythonprocess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

// Resources of a static library must be registered explicitly, outside any namespace.
static void initKernelResources()
{
    Q_INIT_RESOURCE(kernel);
}

namespace deskpack::runner {

QByteArray embeddedRunnerSource()
{
    initKernelResources();
    QFile file(QStringLiteral(":/deskpack/kernel/runner.py"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
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
                             QStringLiteral("internal: runner.py missing from resources"));
        }
        options.arguments = {QStringLiteral("-c"), QString::fromUtf8(source)};
    } else {
        options.arguments = {runnerScript};
    }
    options.environment = sanitizedPythonEnvironment();
    return options;
}

QString defaultDataDir(const QString &appId)
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(appId);
}

Result<KernelOptions> bundleKernelOptions(const QString &bundleDir, const QString &dataDir)
{
    Result<BundleManifest> manifest = readManifest(bundleDir);
    if (!manifest)
        return manifest.error();
    const QDir root(QFileInfo(bundleDir).absoluteFilePath());
    const QString script = root.filePath(QStringLiteral("resources/runner.py"));
    Result<KernelOptions> options = pythonKernelOptions(
        root.filePath(manifest->python), QFileInfo::exists(script) ? script : QString());
    if (!options)
        return options.error();
    const QString appDir = root.filePath(QStringLiteral("app"));
    const QString data =
        dataDir.isEmpty() ? defaultDataDir(manifest->id) : QFileInfo(dataDir).absoluteFilePath();
    options->environment = bundleEnvironment(*manifest, root.absolutePath(), data);
    options->arguments << QStringLiteral("--app-dir") << appDir;
    options->workingDirectory = appDir;
    return options;
}

} // namespace deskpack::runner
