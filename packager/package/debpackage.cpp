// SPDX-License-Identifier: MIT
#include "debpackage.h"

#include "archive/archivewriter.h"
#include "base/fileio.h"
#include "runtime/elfaudit.h"
#include "runtime/elffile.h"
#include "runtime/sharedlibraries.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
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

QStringList systemLibrariesNeeded(const QString &bundleDir)
{
    const QStringList elfs = runtime::elfFilesUnder(bundleDir);
    QSet<QString> carried;
    for (const QString &file : elfs) {
        carried.insert(QFileInfo(file).fileName());
        if (Result<runtime::ElfInfo> info = runtime::readElf(file); info && !info->soname.isEmpty())
            carried.insert(info->soname);
    }
    // Symlinked sonames (libfoo.so.1 -> libfoo.so.1.2.3) count as carried too.
    for (const QString &file : elfs) {
        const QDir dir = QFileInfo(file).absoluteDir();
        for (const QString &name : dir.entryList(QDir::System | QDir::Files | QDir::Hidden))
            carried.insert(name);
    }
    const runtime::HostLibrarySearch host = runtime::HostLibrarySearch::load();
    QSet<QString> out;
    for (const QString &file : elfs) {
        Result<runtime::ElfInfo> info = runtime::readElf(file);
        if (!info || !info->isLoadable())
            continue;
        if (!info->interpreter.isEmpty())
            out.insert(info->interpreter);
        for (const QString &soname : std::as_const(info->needed)) {
            if (carried.contains(soname))
                continue;
            const QString found = host.find(soname, *info, file);
            if (!found.isEmpty())
                out.insert(found);
        }
    }
    QStringList sorted(out.cbegin(), out.cend());
    sorted.sort();
    return sorted;
}

namespace {

// /lib/x -> /usr/lib/x and back: Debian 12 is /usr-merged, but dpkg's
// database still records some libraries under /lib.
QString mergedTwin(const QString &path)
{
    for (const QString &top : {u"/lib/"_s, u"/lib64/"_s, u"/bin/"_s, u"/sbin/"_s}) {
        if (path.startsWith(top))
            return u"/usr"_s + path;
        if (path.startsWith(u"/usr"_s + top))
            return path.mid(4);
    }
    return {};
}

} // namespace

Result<QStringList> debianPackagesOwning(const QStringList &files, QStringList *unowned)
{
    QStringList queries;
    QHash<QString, QString> queryFor; // candidate path -> the file asked about
    for (const QString &file : files) {
        QStringList candidates{file, QFileInfo(file).canonicalFilePath()};
        for (const QString &c : QStringList(candidates))
            candidates.append(mergedTwin(c));
        for (const QString &c : std::as_const(candidates)) {
            if (!c.isEmpty() && !queryFor.contains(c)) {
                queryFor.insert(c, file);
                queries.append(c);
            }
        }
    }
    QSet<QString> packages;
    QSet<QString> owned;
    if (!queries.isEmpty()) {
        QProcess dpkg;
        dpkg.start(u"dpkg-query"_s, QStringList{u"-S"_s} + queries);
        if (!dpkg.waitForStarted(10000))
            return makeError(ErrorKind::Environment,
                             u"cannot run dpkg-query to derive Depends (%1); on a system without "
                             "dpkg, pass --depends"_s.arg(dpkg.errorString()));
        dpkg.waitForFinished(60000);
        // "libc6:amd64: /lib/x86_64-linux-gnu/libc.so.6"; "a, b: path" when shared;
        // "diversion by ..." lines are not ownership.
        const QList<QByteArray> lines = dpkg.readAllStandardOutput().split('\n');
        for (const QByteArray &raw : lines) {
            const QString line = QString::fromUtf8(raw);
            const qsizetype sep = line.indexOf(u": /"_s);
            if (sep < 0 || line.startsWith(u"diversion "_s))
                continue;
            const QString path = line.mid(sep + 2).trimmed();
            if (!queryFor.contains(path))
                continue;
            owned.insert(queryFor.value(path));
            for (const QString &pkg : line.left(sep).split(u", "_s))
                packages.insert(pkg.section(u':', 0, 0).trimmed());
        }
    }
    if (unowned) {
        for (const QString &file : files) {
            if (!owned.contains(file))
                unowned->append(file);
        }
    }
    QStringList sorted(packages.cbegin(), packages.cend());
    sorted.sort();
    return sorted;
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

QByteArray desktopEntry(const formats::BundleManifest &m, const QString &comment)
{
    QString text = u"[Desktop Entry]\nType=Application\nName=%1\n"_s.arg(controlText(m.name));
    if (!comment.isEmpty())
        text += u"Comment=%1\n"_s.arg(controlText(comment));
    text += u"Exec=/usr/bin/%1\nIcon=%1\nTerminal=false\nCategories=Utility;\n"_s.arg(m.id);
    return text.toUtf8();
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
    Result<QList<archive::ArchiveEntry>> tree = archive::listTree(bundleDir, opt);
    if (!tree)
        return tree.error();
    QList<archive::ArchiveEntry> data = *tree;
    auto dir = [&](const QString &name) {
        data.append({name, archive::ArchiveEntry::Kind::Directory, {}, {}, {}, false});
    };
    auto file = [&](const QString &name, const QByteArray &bytes) {
        data.append({name, archive::ArchiveEntry::Kind::File, {}, bytes, {}, false});
    };
    for (const QString &d : QStringList{u"./"_s, u"./opt"_s, opt, u"./usr"_s, u"./usr/bin"_s,
                                        u"./usr/share"_s, u"./usr/share/applications"_s,
                                        u"./usr/share/icons"_s, u"./usr/share/icons/hicolor"_s,
                                        u"./usr/share/doc"_s, QString(u"./usr/share/doc/"_s + id)})
        dir(d);
    // Absolute, as Debian policy (10.5) wants for links between top-level directories.
    data.append({u"./usr/bin/"_s + id,
                 archive::ArchiveEntry::Kind::Symlink,
                 {},
                 {},
                 u"/opt/%1/%1"_s.arg(id),
                 false});
    if (!result.launcher)
        result.warnings.append(
            u"%1: no launcher in the bundle yet: /usr/bin/%2 and the menu entry "
            "point at /opt/%2/%2, which the launcher will provide"_s.arg(bundleDir, id));

    QString description = options.description;
    if (description.isEmpty())
        description = manifestString(bundleDir, "description");
    QString maintainer = options.maintainer;
    if (maintainer.isEmpty())
        maintainer = manifestString(bundleDir, "maintainer");
    if (maintainer.isEmpty())
        maintainer = u"%1 Maintainers <%2@users.noreply.invalid>"_s.arg(manifest.name, id);

    file(u"./usr/share/applications/%1.desktop"_s.arg(id), desktopEntry(manifest, description));
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
            result.warnings.append(
                u"%1: not an SVG or PNG icon; the deb ships a generated one"_s.arg(iconPath));
        }
    }
    const QString iconBase = u"./usr/share/icons/hicolor/"_s + iconDir;
    dir(iconBase);
    dir(iconBase + u"/apps"_s);
    file(iconBase + u"/apps/%1.%2"_s.arg(id, iconExt), iconBytes);
    const QString date = QLocale::c().toString(QDateTime::fromSecsSinceEpoch(mtime, Qt::UTC),
                                               u"ddd, dd MMM yyyy hh:mm:ss +0000"_s);
    file(u"./usr/share/doc/%1/changelog.gz"_s.arg(id),
         gzipBytes(u"%1 (%2) unstable; urgency=medium\n\n  * Packaged by Deskpack from the %3 "
                   "bundle.\n\n -- %4  %5\n"_s
                       .arg(id, controlText(manifest.version), controlText(manifest.name),
                            controlText(maintainer), date)
                       .toUtf8()));
    file(u"./usr/share/doc/%1/copyright"_s.arg(id),
         u"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
         "Upstream-Name: %1\n\nFiles: *\nCopyright: Copyright (C) the authors of %1; packaged by "
         "%2\nLicense: other\n"
         " See the licence files shipped under /opt/%3 with the app and its Python packages.\n"_s
             .arg(controlText(manifest.name), controlText(maintainer), id)
             .toUtf8());

    // Depends: the packages owning the system libraries the bundle's ELF files load.
    if (options.depends) {
        result.depends = *options.depends;
    } else {
        QStringList unowned;
        Result<QStringList> owners =
            debianPackagesOwning(systemLibrariesNeeded(bundleDir), &unowned);
        if (!owners)
            return owners.error();
        result.depends = *owners;
        for (const QString &f : std::as_const(unowned))
            result.warnings.append(u"%1: needed at run time but no Debian package owns it; "
                                   "not in Depends"_s.arg(f));
    }

    // md5sums and Installed-Size over the regular files, as dpkg-deb expects.
    std::stable_sort(data.begin(), data.end(), [](const auto &a, const auto &b) {
        return archive::entryNameLess(a.name, b.name);
    });
    QByteArray md5sums;
    qint64 installedBytes = 0;
    qint64 installedKiB = 0;
    for (const archive::ArchiveEntry &e : std::as_const(data)) {
        if (e.kind != archive::ArchiveEntry::Kind::File) {
            ++installedKiB; // dpkg-gencontrol counts every inode as at least 1 KiB
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
        installedBytes += size;
        installedKiB += (size + 1023) / 1024;
        md5sums += digest + "  " + e.name.mid(2).toUtf8() + '\n';
    }
    Q_UNUSED(installedBytes);

    QString control =
        u"Package: %1\nVersion: %2\nArchitecture: %3\nMaintainer: %4\n"
        "Installed-Size: %5\n"_s
            .arg(id, controlText(manifest.version), debianArchitecture(), controlText(maintainer))
            .arg(installedKiB);
    if (!result.depends.isEmpty())
        control += u"Depends: %1\n"_s.arg(result.depends.join(u", "_s));
    control += u"Section: misc\nPriority: optional\nDescription: %1 desktop application\n"_s.arg(
        controlText(manifest.name));
    control += wrapDescription(
        description.isEmpty()
            ? u"%1 %2 with its own Python runtime and launcher, installed under /opt/%3 by "
              "Deskpack."_s.arg(controlText(manifest.name), controlText(manifest.version), id)
            : description);

    QList<archive::ArchiveEntry> controlEntries{
        {u"./"_s, archive::ArchiveEntry::Kind::Directory, {}, {}, {}, false},
        {u"./control"_s, archive::ArchiveEntry::Kind::File, {}, control.toUtf8(), {}, false},
        {u"./md5sums"_s, archive::ArchiveEntry::Kind::File, {}, md5sums, {}, false},
        {u"./postrm"_s, archive::ArchiveEntry::Kind::File, {}, postrmScript(id), {}, true},
    };

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

    auto readAll = [](const QString &path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    const QByteArray deb = arArchive({{"debian-binary", "2.0\n"},
                                      {"control.tar.xz", readAll(controlPath)},
                                      {"data.tar.xz", readAll(dataPath)}});
    if (Result<void> written = writeFileAtomically(debPath, deb); !written)
        return written.error();
    result.path = debPath;
    result.sha256 =
        QString::fromLatin1(QCryptographicHash::hash(deb, QCryptographicHash::Sha256).toHex());
    result.size = deb.size();
    result.entries = dataWritten->entries;
    return result;
}

} // namespace deskpack::package
