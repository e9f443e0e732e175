// SPDX-License-Identifier: MIT
#include "appicons.h"

#include "base/childprocess.h"
#include "base/fileio.h"
#include "formats/appicon.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QRegularExpression>
#include <QStandardPaths>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::installer {

namespace {

// The PNG at `side` pixels: scaled (never up but to reach `side`) with its
// aspect kept, centred on a transparent square.
QByteArray pngAt(const QImage &image, int side)
{
    QImage square(side, side, QImage::Format_ARGB32_Premultiplied);
    square.fill(Qt::transparent);
    const QImage scaled = image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    QPainter p(&square);
    p.drawImage((side - scaled.width()) / 2, (side - scaled.height()) / 2, scaled);
    p.end();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    square.save(&buffer, "PNG");
    return bytes;
}

QList<ThemeIcon> pngIcons(const QString &id, const QByteArray &png)
{
    QImage image;
    if (!image.loadFromData(png, "PNG") || image.isNull())
        return {};
    const int side = qMax(image.width(), image.height());
    QList<int> sides;
    for (int s : {48, 128, 256}) {
        if (s <= side)
            sides.append(s);
    }
    if (image.width() == image.height() && formats::isHicolorSize(side) && !sides.contains(side))
        sides.append(side);
    if (sides.isEmpty())
        sides.append(48);
    QList<ThemeIcon> icons;
    for (int s : std::as_const(sides)) {
        const bool asItIs = s == side && image.width() == image.height();
        icons.append({u"%1x%1/apps/%2.png"_s.arg(s).arg(id), asItIs ? png : pngAt(image, s)});
    }
    return icons;
}

// What xdg-icon-resource does: tell caches the theme changed (its directory's
// time), and rebuild a cache only where one already is, since a cache
// nobody keeps up to date hides icons added later. Never fails an install.
void refreshIconCache(const QString &theme)
{
    const QString touch = theme + u"/.deskpack-icons-changed"_s;
    if (QFile file(touch); file.open(QIODevice::WriteOnly))
        file.remove();
    const QString tool = QStandardPaths::findExecutable(u"gtk-update-icon-cache"_s);
    if (tool.isEmpty() || !QFileInfo::exists(theme + u"/icon-theme.cache"_s))
        return;
    ChildCommand command;
    command.program = tool;
    // --force: the cache is newer than the theme's directory, so without it
    // the tool takes it as up to date and writes nothing.
    command.arguments = {u"--force"_s, u"--quiet"_s, u"--ignore-theme-index"_s, theme};
    command.timeoutMs = 10'000;
    [[maybe_unused]] const Result<ChildOutput> ignored = runToCompletion(command);
}

} // namespace

QList<ThemeIcon> themeIcons(const formats::InstallerHeader &header)
{
    if (header.iconName.endsWith(u".svg"_s, Qt::CaseInsensitive) && !header.icon.isEmpty())
        return {{u"scalable/apps/%1.svg"_s.arg(header.id), header.icon}};
    if (formats::pngImageSize(header.icon).isValid()) {
        if (QList<ThemeIcon> icons = pngIcons(header.id, header.icon); !icons.isEmpty())
            return icons;
    }
    return {{u"scalable/apps/%1.svg"_s.arg(header.id), formats::generatedAppIconSvg(header.name)}};
}

Result<QStringList> installThemeIcons(const InstallLayout &layout, const QList<ThemeIcon> &icons)
{
    QStringList written;
    for (const ThemeIcon &icon : icons) {
        const QString path = layout.iconTheme() + u'/' + icon.path;
        if (!QDir().mkpath(QFileInfo(path).absolutePath()))
            return makeError(ErrorKind::Environment, u"%1: cannot create"_s.arg(path));
        if (Result<void> ok = writeFileAtomically(path, icon.bytes); !ok)
            return ok.error();
        written.append(path);
    }
    removeThemeIcons(layout, written);
    return written;
}

QStringList removeThemeIcons(const InstallLayout &layout, const QStringList &keep)
{
    static const QRegularExpression sizeDir(u"^(scalable|[0-9]+x[0-9]+)$"_s);
    QStringList removed;
    const QDir theme(layout.iconTheme());
    for (const QString &size : theme.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (!sizeDir.match(size).hasMatch())
            continue;
        for (const char *ext : {".png", ".svg"}) {
            const QString path =
                theme.filePath(size + u"/apps/"_s + layout.appId) + QLatin1StringView(ext);
            const QFileInfo info(path);
            if (keep.contains(path) || !(info.isFile() || info.isSymLink()))
                continue;
            if (QFile::remove(path))
                removed.append(path);
        }
    }
    if (!removed.isEmpty() || !keep.isEmpty())
        refreshIconCache(layout.iconTheme());
    return removed;
}

} // namespace deskpack::installer
