// SPDX-License-Identifier: MIT
#include "bundleenvironment.h"

#include "pythonenvironment.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::runner {

QString pluginSitePackages(const QString &dataDir)
{
    return QDir(dataDir).filePath(u"site-packages"_s);
}

QProcessEnvironment bundleEnvironment(const formats::BundleManifest &manifest, const QString &bundleDir,
                                      const QString &dataDir, bool safeMode,
                                      const QProcessEnvironment &base)
{
    QProcessEnvironment env = sanitizedPythonEnvironment(base);
    const QDir root(bundleDir);
    const QString lock = root.filePath(manifest.lock);
    if (!manifest.lock.isEmpty() && QFileInfo::exists(lock)) {
        QStringList names{QString::fromLatin1(formats::BundleManifest::LockEnvironmentVariable)};
        if (!manifest.lockEnvAlias.isEmpty())
            names.append(manifest.lockEnvAlias);
        for (const QString &name : names) {
            if (!env.contains(name))
                env.insert(name, lock);
        }
    }
    if (safeMode)
        env.remove(u"DESKPACK_PLUGIN_SITE_PACKAGES"_s);
    else
        env.insert(u"DESKPACK_PLUGIN_SITE_PACKAGES"_s, pluginSitePackages(dataDir));
    env.insert(u"DESKPACK_DATA_DIR"_s, dataDir);
    env.insert(u"DESKPACK_BUNDLE_DIR"_s, root.absolutePath());
    for (const auto &[name, value] : manifest.env)
        env.insert(name, value);
    return env;
}

} // namespace deskpack::runner
