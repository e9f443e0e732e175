// SPDX-License-Identifier: MIT
#include "installlayout.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

Result<InstallLayout> layoutFor(const QString &appId, const QString &prefix,
                                const QProcessEnvironment &environment)
{
    const QString home = environment.value(u"HOME"_s);
    if (home.isEmpty() || !QDir::isAbsolutePath(home))
        return makeError(
            ErrorKind::Environment,
            u"HOME is not set to an absolute directory: cannot find where to install"_s);
    InstallLayout layout;
    layout.appId = appId;
    const QString xdg = environment.value(u"XDG_DATA_HOME"_s);
    // The XDG spec: a relative value is invalid and ignored.
    layout.xdgDataHome =
        QDir::cleanPath(QDir::isAbsolutePath(xdg) ? xdg : home + u"/.local/share"_s);
    layout.binDir = QDir::cleanPath(home + u"/.local/bin"_s);
    layout.root = QDir::cleanPath(prefix.isEmpty() ? home + u"/.local/opt/"_s + appId
                                                   : QFileInfo(prefix).absoluteFilePath());
    const QString cleanHome = QDir::cleanPath(home);
    if (layout.root == u"/" || layout.root == cleanHome || layout.root == layout.xdgDataHome ||
        layout.root == layout.dataDir() || layout.root == layout.binDir)
        return makeError(ErrorKind::Usage,
                         u"--prefix %1: choose a directory of its own for the app (such as "
                         "%2/.local/opt/%3)"_s.arg(layout.root, cleanHome, appId));
    if (layout.dataDir().startsWith(layout.root + u'/'))
        return makeError(ErrorKind::Usage,
                         u"--prefix %1: the user data directory %2 would be inside the install "
                         "directory"_s.arg(layout.root, layout.dataDir()));
    return layout;
}

} // namespace deskpack::installer
