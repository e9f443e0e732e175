// SPDX-License-Identifier: MIT
#include "inventoryparts.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::sbom {

namespace {

const formats::BundleFile *fileEntry(const formats::BundleManifest &m, const QString &path)
{
    const auto it =
        std::lower_bound(m.files.begin(), m.files.end(), path,
                         [](const formats::BundleFile &f, const QString &p) { return f.path < p; });
    return it != m.files.end() && it->path == path ? &*it : nullptr;
}

QString encoded(const QString &text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text, "._-~"));
}

// What the launcher's bytes say: its marker, and the highest Qt_6.N it needs.
struct LauncherFacts
{
    QString version;
    QString qtNeeded;
};

LauncherFacts readLauncher(const QString &path)
{
    LauncherFacts facts;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return facts;
    const qint64 size = std::min<qint64>(file.size(), qint64(256) << 20);
    const uchar *mapped = size > 0 ? file.map(0, size) : nullptr;
    if (!mapped)
        return facts;
    const QByteArrayView bytes(reinterpret_cast<const char *>(mapped), size);
    static const QByteArray marker = "deskpack-launcher-version: ";
    if (const qsizetype at = bytes.indexOf(marker); at >= 0) {
        const QByteArrayView rest = bytes.sliced(at + marker.size());
        const qsizetype end = rest.indexOf('\0');
        facts.version =
            QString::fromLatin1(rest.first(end < 0 ? std::min<qsizetype>(rest.size(), 64) : end));
    }
    static const QRegularExpression qtNeed(u"^6\\.(\\d+)$"_s);
    int minor = -1;
    for (qsizetype at = bytes.indexOf("Qt_6."); at >= 0; at = bytes.indexOf("Qt_6.", at + 5)) {
        qsizetype end = at + 3;
        while (end < bytes.size() && bytes[end] != '\0' && end - at < 16)
            ++end;
        const auto m = qtNeed.match(QString::fromLatin1(bytes.sliced(at + 3, end - at - 3)));
        if (m.hasMatch())
            minor = std::max(minor, m.captured(1).toInt());
    }
    if (minor >= 0)
        facts.qtNeeded = u"6.%1"_s.arg(minor);
    file.unmap(const_cast<uchar *>(mapped));
    return facts;
}

} // namespace

QString manifestSha256(const formats::BundleManifest &manifest, const QString &path)
{
    QString current = path;
    for (int hops = 0; hops < 8; ++hops) {
        const formats::BundleFile *f = fileEntry(manifest, current);
        if (!f)
            return {};
        if (f->linkTarget.isEmpty())
            return f->sha256;
        current = QDir::cleanPath(current.section(u'/', 0, -2) + u'/' + f->linkTarget);
    }
    return {};
}

Component runtimeComponent(const formats::BundleManifest &m)
{
    Component c;
    c.kind = Component::Kind::Runtime;
    c.ref = u"runtime:python"_s;
    c.name = u"CPython"_s;
    c.version = m.pythonVersion;
    c.versionSource = m.pythonVersion.isEmpty() ? VersionSource::Unknown : VersionSource::Metadata;
    c.license = {u"PSF-2.0"_s, QString(), u"upstream"_s};
    c.path = m.python;
    c.sha256 = manifestSha256(m, m.python);
    c.purl = u"pkg:generic/cpython@"_s + encoded(m.pythonVersion);
    const RuntimeOrigin origin = m.runtimeOrigin.value_or(RuntimeOrigin{});
    c.properties.append(
        {u"deskpack:runtime-origin"_s, origin.kind.isEmpty() ? u"unknown"_s : origin.kind});
    const auto add = [&c](const QString &key, const QString &value) {
        if (!value.isEmpty())
            c.properties.append({key, value});
    };
    add(u"deskpack:runtime-source"_s, origin.source);
    add(u"deskpack:debian-package"_s, origin.package);
    add(u"deskpack:debian-package-version"_s, origin.packageVersion);
    add(u"deskpack:runtime-archive-sha256"_s, origin.sha256);
    if (origin.kind == u"debian" && !origin.package.isEmpty() && !origin.packageVersion.isEmpty())
        c.purl =
            u"pkg:deb/debian/%1@%2"_s.arg(encoded(origin.package), encoded(origin.packageVersion));
    else if (origin.kind == u"archive" && !origin.sha256.isEmpty())
        c.purl += u"?checksum=sha256:"_s + origin.sha256;
    return c;
}

void addLauncher(const QString &bundleDir, const formats::BundleManifest &m, Inventory &inv)
{
    if (m.launcher.isEmpty())
        return;
    const LauncherFacts facts = readLauncher(QDir(bundleDir).filePath(m.launcher));
    Component launcher;
    launcher.kind = Component::Kind::Application;
    launcher.ref = u"app:launcher"_s;
    launcher.name = u"Deskpack launcher"_s;
    launcher.version = facts.version;
    launcher.versionSource =
        facts.version.isEmpty() ? VersionSource::Unknown : VersionSource::FileContent;
    launcher.license = {u"MIT"_s, QString(), u"upstream"_s};
    launcher.path = m.launcher;
    launcher.sha256 = manifestSha256(m, m.launcher);
    launcher.properties.append({u"deskpack:file"_s, m.launcher});
    bool bundledQt = false;
    for (const Component &c : std::as_const(inv.components)) {
        if (c.kind == Component::Kind::NativeLibrary &&
            c.path.section(u'/', -1).startsWith(u"libQt6"_s)) {
            inv.dependencies.append({launcher.ref, c.ref});
            bundledQt = true;
        }
    }
    if (!bundledQt && !facts.qtNeeded.isEmpty()) {
        Component qt;
        qt.kind = Component::Kind::NativeLibrary;
        qt.ref = u"qt:system"_s;
        qt.name = u"Qt"_s;
        qt.version = facts.qtNeeded;
        qt.versionSource = VersionSource::FileContent;
        qt.license = {u"LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only"_s, QString(), u"upstream"_s};
        qt.properties = {{u"deskpack:bundled"_s, u"false"_s},
                         {u"deskpack:note"_s,
                          u"not in the bundle: the launcher uses the Qt of the machine it runs on; "
                          "the version is the lowest it needs (its Qt_6.N symbol versions)"_s}};
        inv.dependencies.append({launcher.ref, qt.ref});
        inv.components.append(qt);
    }
    inv.components.append(launcher);
}

} // namespace deskpack::sbom
