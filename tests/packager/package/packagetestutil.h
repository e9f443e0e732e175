// SPDX-License-Identifier: MIT
#pragma once

// Shared by the tst_package* binaries: the demo bundle built by `deskpack
// build` (byte-compile off, for speed) and re-manifesting a bundle after a
// test changed it on purpose.
#include "base/fileio.h"
#include "common/demobundle.h"
#include "common/testutil.h"
#include "formats/bundlemanifest.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

#include <nlohmann/json.hpp>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::test {

inline bool copyTree(const QString &from, const QString &to)
{
    return runProcess(u"/bin/cp"_s, {u"-a"_s, from, to}).exitCode == 0;
}

// Re-hashes the bundle into its bundle.json, as `deskpack build` would have.
inline bool remanifest(const QString &bundle)
{
    Result<formats::BundleManifest> manifest = formats::readManifest(bundle);
    if (!manifest)
        return false;
    Result<formats::BundleTree> tree = formats::scanBundleFiles(bundle);
    if (!tree)
        return false;
    manifest->files = std::move(tree->files);
    manifest->dirs = std::move(tree->emptyDirs);
    return bool(
        writeFileAtomically(bundle + u"/bundle.json"_s, formats::serializeManifest(*manifest)));
}

inline QByteArray readAllOf(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace deskpack::test
