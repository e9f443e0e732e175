// SPDX-License-Identifier: MIT
#include "debpackage.h"
#include "base/sha256.h"

#include "archive/archivewriter.h"
#include "base/fileio.h"
#include "debcontrol.h"
#include "formats/appicon.h"
#include "runtime/elffile.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QRegularExpression>
#include <QTimeZone>

#include <nlohmann/json.hpp>

#include <elf.h>

namespace deskpack::package {

using namespace Qt::Literals::StringLiterals;

QString debianArchitecture()
{
    switch (runtime::hostMachine()) {
    case EM_X86_64:
        return u"amd64"_s;
    case EM_AARCH64:
        return u"arm64"_s;
    case EM_RISCV:
        return u"riscv64"_s;
    case EM_PPC64:
        return u"ppc64el"_s;
    case EM_S390:
        return u"s390x"_s;
    }
    return u"unknown"_s;
}

QString checkDebianPackageName(const QString &name)
{
    static const QRegularExpression valid(u"^[a-z0-9][a-z0-9+.-]+\\z"_s);
    if (valid.match(name).hasMatch())
        return {};
    return u"'%1' is not a valid Debian package name (lowercase letters, digits, '+', '-', "
           "'.', at least two characters, starting with a letter or digit)"_s.arg(name);
}

namespace {

using deb::controlText;

// The optional packaging keys of bundle.json ("maintainer", "description"),
// when they are strings.
QString manifestString(const QString &bundleDir, const char *key)
{
    QFile file(QDir(bundleDir).filePath(QLatin1StringView(formats::BundleManifest::FileName)));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray data = file.readAll();
    const nlohmann::json doc =
        nlohmann::json::parse(data.constData(), data.constData() + data.size(), nullptr, false);
    if (!doc.is_object() || !doc.contains(key) || !doc[key].is_string())
        return {};
    return QString::fromStdString(doc[key].get<std::string>());
}

// Where the icon goes under /usr/share/icons/hicolor: scalable for SVG, the
// PNG's own size otherwise (read from its IHDR chunk).
QString iconDirFor(const QString &iconPath)
{
    if (iconPath.endsWith(u".svg"_s, Qt::CaseInsensitive))
        return u"scalable"_s;
    QFile file(iconPath);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QSize size = formats::pngImageSize(file.read(24));
    return size.isValid() ? u"%1x%2"_s.arg(size.width()).arg(size.height()) : QString();
}

quint32 crc32(const QByteArray &data)
{
    quint32 crc = 0xffffffffu;
    for (const char c : data) {
        crc ^= quint8(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

// gzip with no name and mtime 0 (reproducible), from zlib's deflate stream
// inside qCompress()'s output (4-byte length, 2-byte header, ..., Adler-32).
QByteArray gzipBytes(const QByteArray &data)
{
    const QByteArray z = qCompress(data, 9);
    QByteArray out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03", 10);
    out += z.mid(6, z.size() - 6 - 4);
    auto le32 = [&](quint32 v) {
        for (int i = 0; i < 4; ++i)
            out += char((v >> (8 * i)) & 0xff);
    };
    le32(crc32(data));
    le32(quint32(data.size()));
    return out;
}

QByteArray desktopEntry(const formats::BundleManifest &m, const QString &comment)
{
    QString text = u"[Desktop Entry]\nType=Application\nName=%1\n"_s.arg(controlText(m.name));
    if (!comment.isEmpty())
        text += u"Comment=%1\n"_s.arg(controlText(comment));
    text += u"Exec=/usr/bin/%1\nIcon=%1\nTerminal=false\nCategories=Utility;\n"_s.arg(m.id);
    return text.toUtf8();
}

using Entries = QList<archive::ArchiveEntry>;

void addDirectory(Entries &data, const QString &name)
{
    data.append({name, archive::ArchiveEntry::Kind::Directory, {}, {}, {}, false});
}

void addFile(Entries &data, const QString &name, const QByteArray &bytes)
{
    data.append({name, archive::ArchiveEntry::Kind::File, {}, bytes, {}, false});
}

// The directories above the bundle and the files under /usr, and the command.
void addUsrLayout(Entries &data, const QString &id, const QString &opt)
{
    for (const QString &d : QStringList{u"./"_s, u"./opt"_s, opt, u"./usr"_s, u"./usr/bin"_s,
                                        u"./usr/share"_s, u"./usr/share/applications"_s,
                                        u"./usr/share/icons"_s, u"./usr/share/icons/hicolor"_s,
                                        u"./usr/share/doc"_s, QString(u"./usr/share/doc/"_s + id)})
        addDirectory(data, d);
    // Absolute, as Debian policy (10.5) wants for links between top-level directories.
    data.append({u"./usr/bin/"_s + id,
                 archive::ArchiveEntry::Kind::Symlink,
                 {},
                 {},
                 u"/opt/%1/%1"_s.arg(id),
                 false});
}

// The command-line value, else bundle.json's.
QString packagingText(const QString &given, const QString &bundleDir, const char *key)
{
    return given.isEmpty() ? manifestString(bundleDir, key) : given;
}

QString debMaintainer(const PackageOptions &options, const QString &bundleDir,
                      const formats::BundleManifest &manifest)
{
    const QString maintainer = packagingText(options.maintainer, bundleDir, "maintainer");
    if (!maintainer.isEmpty())
        return maintainer;
    return u"%1 Maintainers <%2@users.noreply.invalid>"_s.arg(manifest.name, manifest.id);
}

void addIcon(Entries &data, const QString &bundleDir, const formats::BundleManifest &manifest,
             QStringList &warnings)
{
    QString iconDir = u"scalable"_s;
    QString iconExt = u"svg"_s;
    QByteArray iconBytes = formats::generatedAppIconSvg(manifest.name);
    if (!manifest.icon.isEmpty()) {
        const QString iconPath = QDir(bundleDir).filePath(manifest.icon);
        const QString dirName = iconDirFor(iconPath);
        QFile icon(iconPath);
        if (!dirName.isEmpty() && icon.open(QIODevice::ReadOnly)) {
            iconDir = dirName;
            iconExt = QFileInfo(iconPath).suffix().toLower();
            iconBytes = icon.readAll();
        } else {
            warnings.append(
                u"%1: not an SVG or PNG icon; the deb ships a generated one"_s.arg(iconPath));
        }
    }
    const QString iconBase = u"./usr/share/icons/hicolor/"_s + iconDir;
    addDirectory(data, iconBase);
    addDirectory(data, iconBase + u"/apps"_s);
    addFile(data, iconBase + u"/apps/%1.%2"_s.arg(manifest.id, iconExt), iconBytes);
}

void addDocs(Entries &data, const formats::BundleManifest &manifest, const QString &maintainer,
             qint64 mtime)
{
    const QString &id = manifest.id;
    const QString date = QLocale::c().toString(QDateTime::fromSecsSinceEpoch(mtime, Qt::UTC),
                                               u"ddd, dd MMM yyyy hh:mm:ss +0000"_s);
    addFile(data, u"./usr/share/doc/%1/changelog.gz"_s.arg(id),
            gzipBytes(u"%1 (%2) unstable; urgency=medium\n\n  * Packaged by Deskpack from the %3 "
                      "bundle.\n\n -- %4  %5\n"_s
                          .arg(id, controlText(manifest.version), controlText(manifest.name),
                               controlText(maintainer), date)
                          .toUtf8()));
    addFile(
        data, u"./usr/share/doc/%1/copyright"_s.arg(id),
        u"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: %1\n\nFiles: *\nCopyright: Copyright (C) the authors of %1; packaged by "
        "%2\nLicense: other\n"
        " See the licence files shipped under /opt/%3 with the app and its Python packages.\n"_s
            .arg(controlText(manifest.name), controlText(maintainer), id)
            .toUtf8());
}

// Depends: the packages owning the system libraries the bundle's ELF files load.
Result<void> resolveDepends(const QString &bundleDir, const PackageOptions &options,
                            PackageResult &result)
{
    if (options.depends) {
        result.depends = *options.depends;
        return {};
    }
    QStringList unowned;
    Result<QStringList> owners = debianPackagesOwning(systemLibrariesNeeded(bundleDir), &unowned);
    if (!owners)
        return owners.error();
    result.depends = *owners;
    for (const QString &f : std::as_const(unowned))
        result.warnings.append(u"%1: needed at run time but no Debian package owns it; "
                               "not in Depends"_s.arg(f));
    return {};
}

} // namespace

Result<PackageResult> writeDeb(const QString &bundleDir, const formats::BundleManifest &manifest,
                               const PackageOptions &options, qint64 mtime, const QString &debPath)
{
    PackageResult result;
    result.mtime = mtime;
    result.launcher = !manifest.launcher.isEmpty();
    const QString id = manifest.id;
    const QString opt = u"./opt/"_s + id;

    // data.tar: the bundle under /opt/<id>, the command, menu entry, icon and
    // copyright file under /usr.
    Result<Entries> tree = archive::listTree(bundleDir, opt);
    if (!tree)
        return tree.error();
    Entries data = *tree;
    addUsrLayout(data, id, opt);
    if (!result.launcher)
        result.warnings.append(
            u"%1: no launcher in the bundle yet: /usr/bin/%2 and the menu entry "
            "point at /opt/%2/%2, which the launcher will provide"_s.arg(bundleDir, id));

    const QString description = packagingText(options.description, bundleDir, "description");
    const QString maintainer = debMaintainer(options, bundleDir, manifest);

    addFile(data, u"./usr/share/applications/%1.desktop"_s.arg(id),
            desktopEntry(manifest, description));
    addIcon(data, bundleDir, manifest, result.warnings);
    addDocs(data, manifest, maintainer, mtime);
    if (Result<void> depends = resolveDepends(bundleDir, options, result); !depends)
        return depends.error();

    Result<QByteArray> bytes =
        deb::debArchive(manifest, {maintainer, description, result.depends}, std::move(data),
                        options, mtime, debPath, &result.entries);
    if (!bytes)
        return bytes.error();
    if (Result<void> written = writeFileAtomically(debPath, *bytes); !written)
        return written.error();
    result.path = debPath;
    result.sha256 = QString::fromLatin1(Sha256::hash(*bytes).toHex());
    result.size = bytes->size();
    return result;
}

} // namespace deskpack::package
