// SPDX-License-Identifier: MIT
#pragma once

// Shared by the tst_package* binaries: the demo bundle built by `deskpack
// build` (byte-compile off, for speed) and re-manifesting a bundle after a
// test changed it on purpose.
#include "base/fileio.h"
#include "common/testutil.h"
#include "runner/bundlemanifest.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

#include <nlohmann/json.hpp>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::test {

inline QString buildDemoBundle(const QString &work, QString *error)
{
    using nlohmann::json;
    const json config = {
        {"id", "deskpack-demo"},
        {"name", "Deskpack Demo"},
        {"version", "1.0.0"},
        {"runtime", {{"python", "/usr/bin/python3.11"}}},
        {"wheelhouse", QDir::cleanPath(binDir() + u"/../wheelhouse"_s).toStdString()},
        {"requirements", {"demo_units==0.3.1"}},
        {"app",
         {{"source", fixture(u"../resources/demo/backend"_s).toStdString()},
          {"module", "demo_backend"},
          {"args", {"--port", "0"}}}},
        {"readiness", {{"heartbeat", true}, {"timeout", 20}}},
        {"lockEnv", "DESKPACK_DEMO_CORE_LOCK_PATH"},
        {"prune", {"tests", "idlelib", "tkinter", "ensurepip"}},
        {"byteCompile", false}};
    QDir().mkpath(work);
    QFile f(work + u"/deskpack.json"_s);
    if (!f.open(QIODevice::WriteOnly)) {
        *error = f.errorString();
        return {};
    }
    f.write(QByteArray::fromStdString(config.dump(2)));
    f.close();
    const ProcessResult r = runDeskpack({u"build"_s, f.fileName(), u"--out"_s, work + u"/out"_s});
    if (r.exitCode != 0) {
        *error = QString::fromUtf8(r.err);
        return {};
    }
    return work + u"/out/Deskpack Demo"_s;
}

inline bool copyTree(const QString &from, const QString &to)
{
    return runProcess(u"/bin/cp"_s, {u"-a"_s, from, to}).exitCode == 0;
}

// Re-hashes the bundle into its bundle.json, as `deskpack build` would have.
inline bool remanifest(const QString &bundle)
{
    Result<runner::BundleManifest> manifest = runner::readManifest(bundle);
    if (!manifest)
        return false;
    Result<runner::BundleTree> tree = runner::scanBundleFiles(bundle);
    if (!tree)
        return false;
    manifest->files = std::move(tree->files);
    manifest->dirs = std::move(tree->emptyDirs);
    return bool(
        writeFileAtomically(bundle + u"/bundle.json"_s, runner::serializeManifest(*manifest)));
}

inline QByteArray readAllOf(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace deskpack::test
