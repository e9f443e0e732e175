// SPDX-License-Identifier: MIT
#include "debcontrol.h"

#include "debpackage.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>

namespace deskpack::package {

using namespace Qt::Literals::StringLiterals;

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

namespace deb {

QString controlText(const QString &value)
{
    return value.simplified();
}

namespace {

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

struct Md5Sums
{
    QByteArray text;
    qint64 installedKiB = 0;
};

// md5sums and Installed-Size over the regular files, as dpkg-deb expects.
Result<Md5Sums> md5Sums(const QList<archive::ArchiveEntry> &data)
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

QString controlFile(const formats::BundleManifest &manifest, const QString &maintainer,
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
Result<QByteArray> debBytes(const QList<archive::ArchiveEntry> &controlEntries,
                            const QList<archive::ArchiveEntry> &data, const PackageOptions &options,
                            qint64 mtime, const QString &debPath, qint64 *dataEntries)
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

Result<QByteArray> debArchive(const formats::BundleManifest &manifest, const ControlFields &fields,
                              QList<archive::ArchiveEntry> data, const PackageOptions &options,
                              qint64 mtime, const QString &debPath, qint64 *dataEntries)
{
    std::stable_sort(data.begin(), data.end(), [](const auto &a, const auto &b) {
        return archive::entryNameLess(a.name, b.name);
    });
    Result<Md5Sums> sums = md5Sums(data);
    if (!sums)
        return sums.error();
    const QString control = controlFile(manifest, fields.maintainer, fields.description,
                                        sums->installedKiB, fields.depends);
    const QList<archive::ArchiveEntry> controlEntries{
        {u"./"_s, archive::ArchiveEntry::Kind::Directory, {}, {}, {}, false},
        {u"./control"_s, archive::ArchiveEntry::Kind::File, {}, control.toUtf8(), {}, false},
        {u"./md5sums"_s, archive::ArchiveEntry::Kind::File, {}, sums->text, {}, false},
        {u"./postrm"_s, archive::ArchiveEntry::Kind::File, {}, postrmScript(manifest.id), {}, true},
    };
    return debBytes(controlEntries, data, options, mtime, debPath, dataEntries);
}

} // namespace deb

} // namespace deskpack::package
