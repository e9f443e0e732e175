// SPDX-License-Identifier: MIT
#pragma once

// Small bundles for launcher tests: a real bundle.json (every file listed with
// its size, mode and SHA-256, as `deskpack build` writes it) around a fake
// backend module run by Debian's Python through a one-line "interpreter"
// script, so each test builds one in milliseconds.

#include "common/testutil.h"
#include "runner/bundlemanifest.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace deskpack::test {

inline bool writeFile(const QString &path, const QByteArray &data, bool executable = false)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size())
        return false;
    f.close();
    if (executable)
        f.setPermissions(f.permissions() | QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther);
    return true;
}

// A backend that stays up until SIGTERM (heartbeat readiness comes from
// launch_backend.py as soon as the module runs).
inline QByteArray sleepingBackend()
{
    return "import signal, sys, time\n"
           "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
           "print('fakeapp: up', flush=True)\n"
           "while True:\n"
           "    time.sleep(0.2)\n";
}

// Writes a bundle under `root` whose backend module `fakeapp` runs `main`.
// Returns the bundle directory, or an empty string (with a qWarning) on failure.
inline QString launcherPath()
{
    return binDir() + QStringLiteral("/deskpack-launcher");
}

// With `withLauncher`, the launcher is shipped as `<bundle>/<id>` as `deskpack build` does.
inline QString writeMiniBundle(const QString &root, const QByteArray &main = sleepingBackend(),
                               bool withLauncher = false,
                               const QString &id = QStringLiteral("mini-app"),
                               const runner::Readiness &readiness = {})
{
    const QString dir = QDir(root).filePath(QStringLiteral("Mini App"));
    const QDir d(dir);
    bool ok = writeFile(d.filePath(QStringLiteral("runtime/bin/python3")),
                        "#!/bin/sh\nexec /usr/bin/python3 \"$@\"\n", true) &&
              writeFile(d.filePath(QStringLiteral("runtime/lib/site-packages/.keep")), "") &&
              writeFile(d.filePath(QStringLiteral("app/fakeapp/__init__.py")), "") &&
              writeFile(d.filePath(QStringLiteral("app/fakeapp/__main__.py")), main) &&
              writeFile(d.filePath(QStringLiteral("app/runtime-core-lock.json")),
                        "{\n  \"distributions\": [],\n  \"version\": 1\n}\n");
    QFile launch(sourceDir() + QStringLiteral("/resources/launch_backend.py"));
    ok = ok && launch.open(QIODevice::ReadOnly) &&
         writeFile(d.filePath(QStringLiteral("resources/launch_backend.py")), launch.readAll());
    if (ok && withLauncher) {
        ok = QFile::copy(launcherPath(), d.filePath(id)) &&
             QFile::setPermissions(d.filePath(id), QFile::permissions(launcherPath()));
    }
    if (!ok) {
        qWarning("cannot write the mini bundle under %s", qPrintable(dir));
        return {};
    }
    runner::BundleManifest m;
    m.id = id;
    m.name = QStringLiteral("Mini App");
    m.version = QStringLiteral("0.0.1");
    m.entryModule = QStringLiteral("fakeapp");
    m.readiness = readiness;
    m.readiness.timeoutSeconds = 20;
    m.python = QStringLiteral("runtime/bin/python3");
    m.pythonVersion = QStringLiteral("3.11.2");
    m.coreSitePackages = QStringLiteral("runtime/lib/site-packages");
    m.lock = QStringLiteral("app/runtime-core-lock.json");
    Result<std::vector<runner::BundleFile>> files = runner::scanBundleFiles(dir);
    if (!files) {
        qWarning("%s", qPrintable(files.error().message));
        return {};
    }
    m.files = std::move(*files);
    if (!writeFile(d.filePath(QStringLiteral("bundle.json")), runner::serializeManifest(m)))
        return {};
    return dir;
}

// The launcher's environment for tests: no display needed, caches and data
// kept under `home` so runs never touch the user's.
inline QProcessEnvironment launcherEnvironment(const QString &home)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/cache"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
    return env;
}

} // namespace deskpack::test
