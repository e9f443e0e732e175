// SPDX-License-Identifier: MIT
#pragma once

// Small bundles for launcher tests: a real bundle.json (every file listed with
// its size, mode and SHA-256, as `deskpack build` writes it) around a fake
// backend module run by Debian's Python through a one-line "interpreter"
// script, so each test builds one in milliseconds.

#include "common/testutil.h"
#include "formats/bundlemanifest.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

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
    return binDir() + u"/deskpack-launcher"_s;
}

// With `withLauncher`, the launcher is shipped as `<bundle>/<id>` as `deskpack build` does.
inline QString writeMiniBundle(const QString &root, const QByteArray &main = sleepingBackend(),
                               bool withLauncher = false, const QString &id = u"mini-app"_s,
                               const formats::Readiness &readiness = {})
{
    const QString dir = QDir(root).filePath(u"Mini App"_s);
    const QDir d(dir);
    bool ok = writeFile(d.filePath(u"runtime/bin/python3"_s),
                        "#!/bin/sh\nexec /usr/bin/python3 \"$@\"\n", true) &&
              writeFile(d.filePath(u"runtime/lib/site-packages/.keep"_s), "") &&
              writeFile(d.filePath(u"app/fakeapp/__init__.py"_s), "") &&
              writeFile(d.filePath(u"app/fakeapp/__main__.py"_s), main) &&
              writeFile(d.filePath(u"app/runtime-core-lock.json"_s),
                        "{\n  \"distributions\": [],\n  \"version\": 1\n}\n");
    QFile launch(sourceDir() + u"/resources/launch_backend.py"_s);
    ok = ok && launch.open(QIODevice::ReadOnly) &&
         writeFile(d.filePath(u"resources/launch_backend.py"_s), launch.readAll());
    if (ok && withLauncher) {
        ok = QFile::copy(launcherPath(), d.filePath(id)) &&
             QFile::setPermissions(d.filePath(id), QFile::permissions(launcherPath()));
    }
    if (!ok) {
        qWarning("cannot write the mini bundle under %s", qPrintable(dir));
        return {};
    }
    formats::BundleManifest m;
    m.id = id;
    m.name = u"Mini App"_s;
    m.version = u"0.0.1"_s;
    m.entryModule = u"fakeapp"_s;
    m.readiness = readiness;
    m.readiness.timeoutSeconds = 20;
    m.python = u"runtime/bin/python3"_s;
    m.pythonVersion = u"3.11.2"_s;
    m.coreSitePackages = u"runtime/lib/site-packages"_s;
    m.lock = u"app/runtime-core-lock.json"_s;
    Result<formats::BundleTree> tree = formats::scanBundleFiles(dir);
    if (!tree) {
        qWarning("%s", qPrintable(tree.error().message));
        return {};
    }
    m.files = std::move(tree->files);
    m.dirs = tree->emptyDirs;
    if (!writeFile(d.filePath(u"bundle.json"_s), formats::serializeManifest(m)))
        return {};
    return dir;
}

// The launcher's environment for tests: no display needed, caches and data
// kept under `home` so runs never touch the user's.
inline QProcessEnvironment launcherEnvironment(const QString &home)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    env.insert(u"XDG_CACHE_HOME"_s, home + u"/cache"_s);
    env.insert(u"XDG_DATA_HOME"_s, home + u"/data"_s);
    return env;
}

} // namespace deskpack::test
