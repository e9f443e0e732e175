// SPDX-License-Identifier: MIT
#pragma once

// Shared by the tst_installer* binaries: the demo bundle at several versions,
// its installers from `deskpack package --format installer`, and a private
// HOME for the installer and the installed app.
#include "packager/package/packagetestutil.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QProcessEnvironment>

namespace deskpack::test {

// A copy of `bundle` at `version`, with app/release.txt naming it, re-manifested.
inline QString bundleAtVersion(const QString &bundle, const QString &dest, const QString &version,
                               const QByteArray &licence = {})
{
    if (!copyTree(bundle, dest))
        return {};
    QFile mark(dest + u"/app/release.txt"_s);
    if (!mark.open(QIODevice::WriteOnly))
        return {};
    mark.write(version.toUtf8() + '\n');
    mark.close();
    if (!licence.isEmpty()) {
        QFile l(dest + u"/app/LICENSE"_s);
        if (!l.open(QIODevice::WriteOnly))
            return {};
        l.write(licence);
    }
    Result<formats::BundleManifest> manifest = formats::readManifest(dest);
    if (!manifest)
        return {};
    manifest->version = version;
    if (!writeFileAtomically(dest + u"/bundle.json"_s, formats::serializeManifest(*manifest)) ||
        !remanifest(dest))
        return {};
    return dest;
}

// `deskpack package BUNDLE --format installer --out OUT`; the installer's path.
inline QString packageInstaller(const QString &bundle, const QString &out, QString *error)
{
    const ProcessResult r =
        runDeskpack({u"package"_s, bundle, u"--format"_s, u"installer"_s, u"--out"_s, out});
    if (r.exitCode != 0) {
        *error = QString::fromUtf8(r.err);
        return {};
    }
    return QString::fromUtf8(r.out).trimmed();
}

// The installer's and the installed app's environment: everything under `home`.
inline QProcessEnvironment homeEnvironment(const QString &home)
{
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert(u"HOME"_s, home);
    e.insert(u"XDG_DATA_HOME"_s, home + u"/.local/share"_s);
    e.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    e.remove(u"DESKPACK_INSTALLER_KILL_AT"_s);
    return e;
}

// Every path under `dir` (relative, sorted), links not followed.
inline QStringList listTree(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        out.append(QDir(dir).relativeFilePath(it.next()));
    out.sort();
    return out;
}

} // namespace deskpack::test
