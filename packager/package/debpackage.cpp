// SPDX-License-Identifier: MIT
#include "debpackage.h"

#include "archive/archivewriter.h"
#include "base/fileio.h"
#include "runtime/elffile.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimeZone>

#include <nlohmann/json.hpp>

#include <algorithm>
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

QByteArray arArchive(const QList<QPair<QByteArray, QByteArray>> &members)
{
    QByteArray out("!<arch>\n");
    auto field = [](const QByteArray &value, int width) {
        return value.leftJustified(width, ' ', true);
    };
    for (const auto &[name, data] : members) {
        out += field(name, 16) + field("0", 12) + field("0", 6) + field("0", 6) +
               field("100644", 8) + field(QByteArray::number(data.size()), 10) + "`\n";
        out += data;
        if (data.size() % 2)
            out += '\n';
    }
    return out;
}

namespace {

QString controlText(const QString &value)
{
    // One line; control fields cannot hold newlines unescaped.
    return value.simplified();
}

// The optional packaging keys of bundle.json ("maintainer", "description"),
// when they are strings.
QString manifestString(const QString &bundleDir, const char *key)
{
    QFile file(QDir(bundleDir).filePath(QLatin1StringView(runner::BundleManifest::FileName)));
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
    if (file.open(QIODevice::ReadOnly)) {
        const QByteArray head = file.read(24);
        if (head.size() == 24 && head.startsWith("\x89PNG")) {
            auto be32 = [&](int at) {
                return (quint32(quint8(head[at])) << 24) | (quint32(quint8(head[at + 1])) << 16) |
                       (quint32(quint8(head[at + 2])) << 8) | quint32(quint8(head[at + 3]));
            };
            return u"%1x%2"_s.arg(be32(16)).arg(be32(20));
        }
    }
    return {};
}

// Shown when the bundle has no icon of its own: a plain rounded square with
// the app's initial, so menus never show a broken image.
QByteArray defaultIcon(const QString &name)
{
    const QString initial = name.isEmpty() ? u"?"_s : name.left(1).toUpper().toHtmlEscaped();
    return u"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" viewBox=\"0 0 64 "
           u"64\">"
           "<rect x=\"4\" y=\"4\" width=\"56\" height=\"56\" rx=\"12\" fill=\"#2a6f97\"/>"
           "<text x=\"32\" y=\"44\" font-family=\"sans-serif\" font-size=\"32\" "
           "text-anchor=\"middle\" fill=\"#ffffff\">%1</text></svg>\n"_s.arg(initial)
               .toUtf8();
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

// Lines of at most 79 characters for a control field's extended description.
QString wrapDescription(const QString &text)
{
    QString out;
    QString line;
    for (const QString &word : text.simplified().split(u' ', Qt::SkipEmptyParts)) {
        if (!line.isEmpty() && line.size() + 1 + word.size() > 78) {
            out += u' ' + line + u'\n';
            line.clear();
        }
        line += (line.isEmpty() ? QString() : u" "_s) + word;
    }
    if (!line.isEmpty())
        out += u' ' + line + u'\n';
    return out;
}

// Python writes __pycache__ beside the modules it imports when the app runs
// with write access to /opt (as root). dpkg does not own those files, so they
// would keep /opt/<id> alive after removal; this removes them, and only them.
QByteArray postrmScript(const QString &id)
{
    return u"#!/bin/sh\nset -e\n"
           "if [ \"$1\" = remove ] || [ \"$1\" = purge ]; then\n"
           "    if [ -d /opt/%1 ]; then\n"
           "        find /opt/%1 -depth -type d -name __pycache__ -exec rm -rf {} + || true\n"
           "        find /opt/%1 -depth -type d -empty -delete || true\n"
           "    fi\n"
           "fi\n"
           "exit 0\n"_s.arg(id)
               .toUtf8();
}

QByteArray desktopEntry(const runner::BundleManifest &m, const QString &comment)
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

void addIcon(Entries &data, const QString &bundleDir, const runner::BundleManifest &manifest,
             QStringList &warnings)
{
    QString iconDir = u"scalable"_s;
    QString iconExt = u"svg"_s;
    QByteArray iconBytes = defaultIcon(manifest.name);
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

void addDocs(Entries &data, const runner::BundleManifest &manifest, const QString &maintainer,
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

struct Md5Sums
{
    QByteArray text;
    qint64 installedKiB = 0;
};

// md5sums and Installed-Size over the regular files, as dpkg-deb expects.
Result<Md5Sums> md5Sums(const Entries &data)
{
    Md5Sums out;
    for (const archive::ArchiveEntry &e : data) {
        if (e.kind != archive::ArchiveEntry::Kind::File) {
            ++out.installedKiB; // dpkg-gencontrol counts every inode as at least 1 KiB
            continue;
        }
        QByteArray digest;
        qint64 size = 0;
        if (!e.data.isNull()) {
            digest = QCryptographicHash::hash(e.data, QCryptographicHash::Md5).toHex();
            size = e.data.size();
        } else {
            QFile in(e.sourcePath);
            if (!in.open(QIODevice::ReadOnly))
                return makeError(ErrorKind::Unreadable,
                                 u"%1: cannot open: %2"_s.arg(e.sourcePath, in.errorString()));
            QCryptographicHash md5(QCryptographicHash::Md5);
            md5.addData(&in);
            digest = md5.result().toHex();
            size = in.size();
        }
        out.installedKiB += (size + 1023) / 1024;
        out.text += digest + "  " + e.name.mid(2).toUtf8() + '\n';
    }
    return out;
}

QString controlFile(const runner::BundleManifest &manifest, const QString &maintainer,
                    const QString &description, qint64 installedKiB, const QStringList &depends)
{
    const QString &id = manifest.id;
    QString control =
        u"Package: %1\nVersion: %2\nArchitecture: %3\nMaintainer: %4\n"
        "Installed-Size: %5\n"_s
            .arg(id, controlText(manifest.version), debianArchitecture(), controlText(maintainer))
            .arg(installedKiB);
    if (!depends.isEmpty())
        control += u"Depends: %1\n"_s.arg(depends.join(u", "_s));
    control += u"Section: misc\nPriority: optional\nDescription: %1 desktop application\n"_s.arg(
        controlText(manifest.name));
    control += wrapDescription(
        description.isEmpty()
            ? u"%1 %2 with its own Python runtime and launcher, installed under /opt/%3 by "
              "Deskpack."_s.arg(controlText(manifest.name), controlText(manifest.version), id)
            : description);
    return control;
}

// control.tar.xz and data.tar.xz, written in a work directory beside the
// .deb, then joined into the ar container.
Result<QByteArray> debBytes(const Entries &controlEntries, const Entries &data,
                            const PackageOptions &options, qint64 mtime, const QString &debPath,
                            qint64 *dataEntries)
{
    QTemporaryDir work(QFileInfo(debPath).absolutePath() + u"/.deskpack-deb-XXXXXX"_s);
    if (!work.isValid())
        return makeError(ErrorKind::Environment, u"%1: cannot create a work directory: %2"_s.arg(
                                                     debPath, work.errorString()));
    archive::WriteOptions write;
    write.format = archive::ArchiveFormat::TarXz;
    write.mtime = mtime;
    write.allowAbsoluteLinks = true;
    write.compressionLevel = options.compressionLevel;
    const QString controlPath = work.filePath(u"control.tar.xz"_s);
    const QString dataPath = work.filePath(u"data.tar.xz"_s);
    if (Result<archive::WriteSummary> w = archive::writeEntries(controlEntries, controlPath, write);
        !w)
        return w.error();
    Result<archive::WriteSummary> dataWritten = archive::writeEntries(data, dataPath, write);
    if (!dataWritten)
        return dataWritten.error();
    *dataEntries = dataWritten->entries;

    auto readAll = [](const QString &path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    return arArchive({{"debian-binary", "2.0\n"},
                      {"control.tar.xz", readAll(controlPath)},
                      {"data.tar.xz", readAll(dataPath)}});
}

} // namespace

Result<PackageResult> writeDeb(const QString &bundleDir, const runner::BundleManifest &manifest,
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
    QString maintainer = packagingText(options.maintainer, bundleDir, "maintainer");
    if (maintainer.isEmpty())
        maintainer = u"%1 Maintainers <%2@users.noreply.invalid>"_s.arg(manifest.name, id);

    addFile(data, u"./usr/share/applications/%1.desktop"_s.arg(id),
            desktopEntry(manifest, description));
    addIcon(data, bundleDir, manifest, result.warnings);
    addDocs(data, manifest, maintainer, mtime);
    if (Result<void> depends = resolveDepends(bundleDir, options, result); !depends)
        return depends.error();

    std::stable_sort(data.begin(), data.end(), [](const auto &a, const auto &b) {
        return archive::entryNameLess(a.name, b.name);
    });
    Result<Md5Sums> sums = md5Sums(data);
    if (!sums)
        return sums.error();
    const QString control =
        controlFile(manifest, maintainer, description, sums->installedKiB, result.depends);
    const Entries controlEntries{
        {u"./"_s, archive::ArchiveEntry::Kind::Directory, {}, {}, {}, false},
        {u"./control"_s, archive::ArchiveEntry::Kind::File, {}, control.toUtf8(), {}, false},
        {u"./md5sums"_s, archive::ArchiveEntry::Kind::File, {}, sums->text, {}, false},
        {u"./postrm"_s, archive::ArchiveEntry::Kind::File, {}, postrmScript(id), {}, true},
    };

    Result<QByteArray> deb =
        debBytes(controlEntries, data, options, mtime, debPath, &result.entries);
    if (!deb)
        return deb.error();
    if (Result<void> written = writeFileAtomically(debPath, *deb); !written)
        return written.error();
    result.path = debPath;
    result.sha256 =
        QString::fromLatin1(QCryptographicHash::hash(*deb, QCryptographicHash::Sha256).toHex());
    result.size = deb->size();
    return result;
}

} // namespace deskpack::package
