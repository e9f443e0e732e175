// SPDX-License-Identifier: MIT
#pragma once

// Shared by the plugin tests: building a demo bundle whose core has a
// namespace portion, the fixture wheels and index, and tree fingerprints.

#include "common/demobundle.h"
#include "common/testutil.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QMap>

#include <nlohmann/json.hpp>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::test {

// path -> "d" for directories, the SHA-256 for files: equal maps are equal trees.
inline QMap<QString, QString> treeHash(const QString &root)
{
    QMap<QString, QString> out;
    QDirIterator it(root, QDir::AllEntries | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QString value = u"d"_s;
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

// Writes the plugin fixture wheels into DIR/wheels and a PEP 503 index into DIR/index.
inline QString makePluginWheels(const QString &dir)
{
    const ProcessResult r =
        runProcess(systemPython(), {fixture(u"fixtures/plugins/make_plugin_wheels.py"_s),
                                    dir + u"/wheels"_s, u"--index"_s, dir + u"/index"_s});
    return r.exitCode == 0 ? QString() : QString::fromUtf8(r.out + r.err);
}

// Builds the demo bundle (demo_units + the deskns-base namespace portion from
// PLUGIN_WHEELS) into DIR/out; returns the bundle path, or empty with `error` set.
// `overrides` is a JSON merge patch of the deskpack.json (null removes a key).
inline QString buildPluginTestBundle(const QString &dir, const QString &pluginWheels,
                                     QString *error, const nlohmann::json &overrides = {})
{
    const QString core = dir + u"/core-wheels"_s;
    QDir().mkpath(core);
    for (const QString &w : QDir(demoWheelhouse()).entryList({u"*.whl"_s}))
        QFile::copy(demoWheelhouse() + u'/' + w, core + u'/' + w);
    QFile::copy(pluginWheels + u"/deskns_base-1.0-py3-none-any.whl"_s,
                core + u"/deskns_base-1.0-py3-none-any.whl"_s);
    nlohmann::json patch = {{"wheelhouse", core.toStdString()},
                            {"requirements", {"demo_units==0.3.1", "deskns-base==1.0"}}};
    if (overrides.is_object())
        patch.update(overrides); // top-level keys: nested nulls reach demoConfig()
    return buildDemoBundle(dir, error, patch);
}

} // namespace deskpack::test
