// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QProcessEnvironment>
#include <QString>

namespace deskpack::installer {

// Where one app lives on this machine for this user (docs/installing.md):
//
//   <root>/versions/<version>/   one bundle per version (current + previous kept)
//   <root>/current -> versions/<version>    switched by rename, never rewritten
//   <root>/previous -> versions/<version>   what --rollback returns to
//   <root>/.deskpack-install.lock
//   <root>/.staging-<pid>/       a run's work area, removed by the next run
//   <bin>/<app-id> -> <root>/current/<app-id>
//   <data>/applications/<app-id>.desktop, <data>/icons/hicolor/<size>/apps/<app-id>.<ext>
//   <data>/<app-id>/             the user's data: never under <root>, kept unless --purge
//
// <root> is --prefix, else ~/.local/opt/<app-id>; <data> is $XDG_DATA_HOME
// (an absolute value), else ~/.local/share.
struct InstallLayout
{
    QString appId;
    QString root;
    QString binDir;
    QString xdgDataHome;

    QString versionsDir() const { return root + u"/versions"; }
    QString versionDir(const QString &version) const { return versionsDir() + u'/' + version; }
    QString currentLink() const { return root + u"/current"; }
    QString previousLink() const { return root + u"/previous"; }
    QString lockFile() const { return root + u"/.deskpack-install.lock"; }
    QString binLink() const { return binDir + u'/' + appId; }
    QString desktopEntry() const { return xdgDataHome + u"/applications/" + appId + u".desktop"; }
    QString iconTheme() const { return xdgDataHome + u"/icons/hicolor"; }
    QString dataDir() const { return xdgDataHome + u'/' + appId; }
};

// The layout for `appId` from HOME and XDG_DATA_HOME in `environment`; an
// empty `prefix` means ~/.local/opt/<app-id>. A relative prefix is taken from
// the current directory. No HOME is ErrorKind::Environment; a prefix that is
// the home directory itself, "/" or the data directory is ErrorKind::Usage.
Result<InstallLayout> layoutFor(const QString &appId, const QString &prefix,
                                const QProcessEnvironment &environment);

} // namespace deskpack::installer
