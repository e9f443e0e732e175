// SPDX-License-Identifier: MIT
#include "runtimeinfo.h"
#include "base/wording.h"

#include "lock/lockvalidator.h"

#include <QDir>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::launcher {

QString RuntimeInfo::summary() const
{
    if (distributions < 0)
        return problems.isEmpty() ? u"lock not read"_s : problems.constFirst();
    if (lockVerified)
        return u"verified: %1 distributions match the core site-packages"_s.arg(distributions);
    return u"drift: %1 between the lock and the core site-packages"_s.arg(
        counted(errors, u"problem"_s, u"problems"_s));
}

RuntimeInfo inspectRuntime(const formats::BundleManifest &manifest, const QString &bundleDir)
{
    const QDir root(bundleDir);
    RuntimeInfo info;
    info.pythonVersion = manifest.pythonVersion;
    info.interpreter = root.filePath(manifest.python);
    info.lockPath = root.filePath(manifest.lock);
    info.coreSitePackages = root.filePath(manifest.coreSitePackages);
    Result<lock::LockFileCheck> checked =
        lock::checkLockFile(info.lockPath, QStringList{info.coreSitePackages});
    if (!checked) {
        info.problems.append(checked.error().message);
        return info;
    }
    info.distributions = int(checked->parsed.lock.distributions.size());
    QStringList warnings;
    for (const lock::Problem &p : checked->problems)
        (p.severity == lock::Severity::Error ? info.problems : warnings).append(p.toString());
    info.errors = int(info.problems.size());
    info.lockVerified = info.errors == 0;
    info.problems += warnings;
    return info;
}

} // namespace deskpack::launcher
