// SPDX-License-Identifier: MIT
#pragma once

// Shared by the plugin tests: building a demo bundle whose core has a
// namespace portion, the fixture wheels and index, and tree fingerprints.

#include "common/testutil.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QMap>

#include <nlohmann/json.hpp>

namespace deskpack::test {

// path -> "d" for directories, the SHA-256 for files: equal maps are equal trees.
inline QMap<QString, QString> treeHash(const QString &root)
{
    QMap<QString, QString> out;
    QDirIterator it(root, QDir::AllEntries | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QString value = QStringLiteral("d");
        if (it.fileInfo().isFile()) {
            QFile f(path);
            if (f.open(QIODevice::ReadOnly))
                value = QString::fromLatin1(
                    QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex());
        }
        out.insert(QDir(root).relativeFilePath(path), value);
    }
    return out;
}

inline QString demoWheelhouse()
{
    return QDir::cleanPath(binDir() + QStringLiteral("/../wheelhouse"));
}

// Writes the plugin fixture wheels into DIR/wheels and a PEP 503 index into DIR/index.
inline QString makePluginWheels(const QString &dir)
{
    const ProcessResult r = runProcess(
        systemPython(), {fixture(QStringLiteral("fixtures/plugins/make_plugin_wheels.py")),
                         dir + QStringLiteral("/wheels"), QStringLiteral("--index"),
                         dir + QStringLiteral("/index")});
    return r.exitCode == 0 ? QString() : QString::fromUtf8(r.out + r.err);
}

// Builds the demo bundle (demo_units + the deskns-base namespace portion from
// PLUGIN_WHEELS) into DIR/out; returns the bundle path, or empty with `error` set.
inline QString buildPluginTestBundle(const QString &dir, const QString &pluginWheels,
                                     QString *error)
{
    const QString core = dir + QStringLiteral("/core-wheels");
    QDir().mkpath(core);
    for (const QString &w : QDir(demoWheelhouse()).entryList({QStringLiteral("*.whl")}))
        QFile::copy(demoWheelhouse() + u'/' + w, core + u'/' + w);
    QFile::copy(pluginWheels + QStringLiteral("/deskns_base-1.0-py3-none-any.whl"),
                core + QStringLiteral("/deskns_base-1.0-py3-none-any.whl"));
    const nlohmann::json config = {
        {"id", "deskpack-demo"},
        {"name", "Deskpack Demo"},
        {"version", "1.0.0"},
        {"runtime", {{"python", "/usr/bin/python3.11"}}},
        {"wheelhouse", core.toStdString()},
        {"requirements", {"demo_units==0.3.1", "deskns-base==1.0"}},
        {"app",
         {{"source",
           QString(sourceDir() + QStringLiteral("/resources/demo/backend")).toStdString()},
          {"module", "demo_backend"},
          {"args", {"--port", "0"}}}},
        {"readiness", {{"heartbeat", true}, {"timeout", 20}}},
        {"lockEnv", "DESKPACK_DEMO_CORE_LOCK_PATH"},
        {"prune", {"tests", "idlelib", "tkinter", "ensurepip"}},
        {"byteCompile", false}};
    QFile f(dir + QStringLiteral("/deskpack.json"));
    if (!f.open(QIODevice::WriteOnly)) {
        *error = f.errorString();
        return {};
    }
    f.write(QByteArray::fromStdString(config.dump(2)));
    f.close();
    const ProcessResult r = runDeskpack({QStringLiteral("build"), f.fileName(),
                                         QStringLiteral("--out"), dir + QStringLiteral("/out")});
    if (r.exitCode != 0) {
        *error = QString::fromUtf8(r.err);
        return {};
    }
    return dir + QStringLiteral("/out/Deskpack Demo");
}

} // namespace deskpack::test
