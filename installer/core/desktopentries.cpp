// SPDX-License-Identifier: MIT
#include "desktopentries.h"

#include "appicons.h"
#include "base/fileio.h"
#include "formats/bundlemanifest.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>

#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

namespace {

// Desktop Entry Specification, "The Exec key": quote the argument, escape
// the four characters special inside quotes, then escape backslashes once
// more for the string value itself.
QString execArgument(const QString &path)
{
    QString quoted;
    for (const QChar c : path) {
        if (c == u'"' || c == u'`' || c == u'$' || c == u'\\')
            quoted.append(u'\\');
        quoted.append(c);
    }
    quoted = u'"' + quoted + u'"';
    return quoted.replace(u"\\"_s, u"\\\\"_s);
}

QString entryValue(QString text)
{
    return text.replace(u'\n', u' ').replace(u'\r', u' ');
}

QString launcherName(const formats::InstallerHeader &header)
{
    return header.launcher.isEmpty() ? header.id : header.launcher;
}

} // namespace

QByteArray desktopEntryText(const InstallLayout &layout, const formats::InstallerHeader &header)
{
    QString text = u"[Desktop Entry]\nType=Application\nVersion=1.5\n"_s;
    text += u"Name="_s + entryValue(header.name) + u'\n';
    text += u"Exec="_s + execArgument(layout.currentLink() + u'/' + launcherName(header)) + u'\n';
    text += u"Icon="_s + header.id + u'\n';
    text += u"Terminal=false\nCategories=Utility;\nStartupNotify=true\n"_s;
    text += u"X-Deskpack-Root="_s + entryValue(layout.root) + u'\n';
    return text.toUtf8();
}

Result<QString> writeDesktopIntegration(const InstallLayout &layout,
                                        const formats::InstallerHeader &header)
{
    if (!QDir().mkpath(layout.binDir))
        return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(layout.binDir));
    const QString link = layout.binLink();
    const QString target = layout.currentLink() + u'/' + launcherName(header);
    const QFileInfo existing(link);
    if (existing.exists() && !existing.isSymLink())
        return makeError(ErrorKind::Environment,
                         u"%1: a file that is not the installer's link is in the way; move it "
                         "and install again"_s.arg(link));
    if (readLinkTarget(link) != target) {
        const QString fresh =
            layout.binDir + u"/."_s + layout.appId + u".new-"_s + QString::number(::getpid());
        ::unlink(QFile::encodeName(fresh).constData());
        if (::symlink(QFile::encodeName(target).constData(),
                      QFile::encodeName(fresh).constData()) != 0 ||
            ::rename(QFile::encodeName(fresh).constData(), QFile::encodeName(link).constData()) !=
                0) {
            const QString why = QString::fromLocal8Bit(std::strerror(errno));
            ::unlink(QFile::encodeName(fresh).constData());
            return makeError(ErrorKind::Environment,
                             u"%1: cannot create the link: %2"_s.arg(link, why));
        }
    }
    const QString entry = layout.desktopEntry();
    if (!QDir().mkpath(QFileInfo(entry).absolutePath()))
        return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(entry));
    if (Result<void> ok = writeFileAtomically(entry, desktopEntryText(layout, header)); !ok)
        return ok.error();
    if (Result<QStringList> icons = installThemeIcons(layout, themeIcons(header)); !icons)
        return icons.error();
    return link;
}

Result<formats::InstallerHeader> installedHeader(const QString &bundleDir)
{
    Result<formats::BundleManifest> manifest = formats::readManifest(bundleDir);
    if (!manifest)
        return manifest.error();
    formats::InstallerHeader header;
    header.id = manifest->id;
    header.name = manifest->name;
    header.version = manifest->version;
    header.launcher = manifest->launcher;
    if (!manifest->icon.isEmpty()) {
        // As `deskpack package` puts it in the header: up to 4 MiB, else none.
        QFile icon(bundleDir + u'/' + manifest->icon);
        if (icon.open(QIODevice::ReadOnly) && icon.size() <= (4 << 20)) {
            header.icon = icon.readAll();
            header.iconName = QFileInfo(manifest->icon).fileName();
        }
    }
    return header;
}

QStringList removeDesktopIntegration(const InstallLayout &layout)
{
    QStringList removed;
    const QString link = layout.binLink();
    if (QFileInfo(link).isSymLink() && readLinkTarget(link).startsWith(layout.root + u'/') &&
        QFile::remove(link))
        removed.append(link);
    if (QFile::remove(layout.desktopEntry()))
        removed.append(layout.desktopEntry());
    removed += removeThemeIcons(layout);
    return removed;
}

} // namespace deskpack::installer
