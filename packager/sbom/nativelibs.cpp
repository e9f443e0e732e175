// SPDX-License-Identifier: MIT
#include "nativelibs.h"

#include "base/parallel.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <algorithm>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::sbom {

namespace {

// Past this a library is identified by name only: the version strings sit in
// .rodata, well inside the first megabytes even of Qt6Core or libcrypto, and
// ICU's data library (30 MB) has none.
constexpr qint64 ScanLimit = 48 << 20;

struct Rule
{
    QString prefix; // file names starting with it ("libssl.so", "libQt6")
    QString project;
    QString family;
    QString license;
    QString pattern; // on each printable string of the file; capture 1 = version
};

// Only what a project writes into its own library. The licences are the ones
// upstream states for these versions (OpenSSL 3 moved to Apache-2.0).
const std::vector<Rule> &rules()
{
    static const QString exactTriple = u"^(\\d+\\.\\d+\\.\\d+)$"_s;
    static const std::vector<Rule> table = {
        {u"libcrypto.so"_s, u"OpenSSL"_s, u"openssl"_s, u"Apache-2.0"_s,
         u"^OpenSSL (\\d+\\.\\d+\\.\\d+[a-z]?) "_s},
        {u"libssl.so"_s, u"OpenSSL"_s, u"openssl"_s, u"Apache-2.0"_s,
         u"^OpenSSL (\\d+\\.\\d+\\.\\d+[a-z]?) "_s},
        {u"libsqlite3.so"_s, u"SQLite"_s, u"sqlite"_s, u"blessing"_s, u"^(3\\.\\d+\\.\\d+)$"_s},
        {u"libz.so"_s, u"zlib"_s, u"zlib"_s, u"Zlib"_s,
         u"(?:de|in)flate (\\d+\\.\\d+(?:\\.\\d+)*) Copyright"_s},
        {u"libexpat.so"_s, u"expat"_s, u"expat"_s, u"MIT"_s, u"^expat_(\\d+\\.\\d+\\.\\d+)$"_s},
        {u"liblzma.so"_s, u"XZ Utils"_s, u"xz"_s, QString(), exactTriple},
        {u"libbz2.so"_s, u"bzip2"_s, u"bzip2"_s, u"bzip2-1.0.6"_s,
         u"^(\\d+\\.\\d+\\.\\d+), \\d{1,2}-[A-Za-z]{3}-\\d{4}$"_s},
        {u"libffi.so"_s, u"libffi"_s, u"libffi"_s, u"MIT"_s, QString()},
        {u"libmpdec.so"_s, u"mpdecimal"_s, u"mpdecimal"_s, u"BSD-2-Clause"_s, exactTriple},
        {u"libtinfo"_s, u"ncurses"_s, u"ncurses"_s, QString(),
         u"^ncurses (\\d+\\.\\d+(?:\\.\\d+)?)$"_s},
        {u"libncurses"_s, u"ncurses"_s, u"ncurses"_s, QString(),
         u"^ncurses (\\d+\\.\\d+(?:\\.\\d+)?)$"_s},
        {u"libpanel"_s, u"ncurses"_s, u"ncurses"_s, QString(), QString()},
        {u"libform"_s, u"ncurses"_s, u"ncurses"_s, QString(), QString()},
        {u"libmenu"_s, u"ncurses"_s, u"ncurses"_s, QString(), QString()},
        {u"libreadline.so"_s, u"GNU Readline"_s, u"readline"_s, u"GPL-3.0-or-later"_s,
         u"^(\\d+\\.\\d+)$"_s},
        {u"libhistory.so"_s, u"GNU Readline"_s, u"readline"_s, u"GPL-3.0-or-later"_s, QString()},
        {u"libdb-"_s, u"Berkeley DB"_s, u"bdb"_s, u"Sleepycat"_s,
         u"^Berkeley DB (\\d+\\.\\d+\\.\\d+):"_s},
        {u"libkeyutils.so"_s, u"keyutils"_s, u"keyutils"_s, QString(),
         u"^keyutils-(\\d+\\.\\d+(?:\\.\\d+)*)$"_s},
        {u"libQt6"_s, u"Qt"_s, u"qt"_s, u"LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only"_s,
         u"(?:^|\\s)Qt (6\\.\\d+\\.\\d+)\\b"_s},
        {u"libicu"_s, u"ICU"_s, u"icu"_s, QString(), QString()},
        {u"libstdc++.so"_s, u"GCC libstdc++"_s, u"gcc"_s, QString(), QString()},
        {u"libgcc_s.so"_s, u"GCC libgcc"_s, u"gcc"_s, QString(), QString()},
        {u"libpython3"_s, u"CPython (libpython)"_s, u"python"_s, u"PSF-2.0"_s,
         u"^(3\\.\\d+\\.\\d+)(?:[abrc]+\\d+)? \\("_s},
    };
    return table;
}

const Rule *ruleFor(const QString &fileName)
{
    for (const Rule &rule : rules()) {
        if (fileName.startsWith(rule.prefix))
            return &rule;
    }
    return nullptr;
}

// Calls `visit` on every run of at least 3 printable ASCII bytes, as
// strings(1) finds them, until it returns true.
template <typename Visit> void forEachString(QByteArrayView data, Visit visit)
{
    qsizetype start = -1;
    for (qsizetype i = 0; i <= data.size(); ++i) {
        const bool printable =
            i < data.size() && ((data[i] >= 0x20 && data[i] < 0x7f) || data[i] == '\t');
        if (printable) {
            if (start < 0)
                start = i;
            continue;
        }
        if (start >= 0 && i - start >= 3 && i - start < 512 && visit(data.sliced(start, i - start)))
            return;
        start = -1;
    }
}

struct Scanned
{
    QString path; // relative to the bundle
    QString sha256;
    bool elf = false;
    LibraryIdentity identity;
    QString versionFrom; // the sibling file the version was read from
};

QString fileNameOf(const QString &path)
{
    return path.section(u'/', -1);
}

Component toComponent(const Scanned &s)
{
    const QString file = fileNameOf(s.path);
    Component c;
    c.kind = Component::Kind::NativeLibrary;
    c.ref = u"lib:"_s + s.path;
    c.name = s.identity.name == file ? file : u"%1 (%2)"_s.arg(s.identity.name, file);
    c.version = s.identity.version;
    c.versionSource = c.version.isEmpty() ? VersionSource::Unknown : VersionSource::FileContent;
    if (c.version.isEmpty()) {
        c.version = versionFromFileName(file);
        c.versionSource = c.version.isEmpty() ? VersionSource::Unknown : VersionSource::Soname;
    }
    if (!s.identity.license.isEmpty())
        c.license = {s.identity.license, QString(), u"upstream"_s};
    c.path = s.path;
    c.sha256 = s.sha256;
    c.properties.append({u"deskpack:file"_s, file});
    if (!s.identity.family.isEmpty())
        c.properties.append({u"deskpack:project"_s, s.identity.family});
    if (!s.versionFrom.isEmpty())
        c.properties.append({u"deskpack:version-read-from"_s, s.versionFrom});
    return c;
}

// libssl says no version, libcrypto beside it does: one project, one release.
void borrowSiblingVersions(std::vector<Scanned> &libs)
{
    for (Scanned &lib : libs) {
        if (!lib.identity.version.isEmpty() || lib.identity.family.isEmpty())
            continue;
        const QString dir = lib.path.section(u'/', 0, -2);
        for (const Scanned &other : libs) {
            if (&other != &lib && other.identity.family == lib.identity.family &&
                !other.identity.version.isEmpty() && other.path.section(u'/', 0, -2) == dir) {
                lib.identity.version = other.identity.version;
                lib.versionFrom = fileNameOf(other.path);
                break;
            }
        }
    }
}

} // namespace

QString versionFromFileName(const QString &fileName)
{
    static const QRegularExpression afterSo(u"\\.so\\.(\\d+(?:\\.\\d+)*)$"_s);
    static const QRegularExpression beforeSo(u"-(\\d+(?:\\.\\d+)+)\\.so$"_s);
    if (const auto m = afterSo.match(fileName); m.hasMatch())
        return m.captured(1);
    if (const auto m = beforeSo.match(fileName); m.hasMatch())
        return m.captured(1);
    return {};
}

LibraryIdentity identifyLibrary(const QString &fileName, QByteArrayView content)
{
    LibraryIdentity id;
    id.name = fileName;
    const Rule *rule = ruleFor(fileName);
    if (!rule)
        return id;
    id.name = rule->project;
    id.family = rule->family;
    id.license = rule->license;
    if (rule->pattern.isEmpty() || content.isEmpty())
        return id;
    const QRegularExpression pattern(rule->pattern);
    forEachString(content.first(std::min<qsizetype>(content.size(), ScanLimit)),
                  [&](QByteArrayView text) {
                      const auto m = pattern.match(QString::fromLatin1(text));
                      if (m.hasMatch())
                          id.version = m.captured(1);
                      return m.hasMatch();
                  });
    if (id.family == u"openssl" && id.version.startsWith(u"1."))
        id.license = u"OpenSSL"_s; // Apache-2.0 only from 3.0 on
    return id;
}

bool isLibraryCandidate(const QString &path, const QString &coreSitePackages)
{
    static const QRegularExpression soName(u"\\.so(\\.\\d+)*$|-\\d+(\\.\\d+)*\\.so$"_s);
    const QString file = fileNameOf(path);
    if (!soName.match(file).hasMatch())
        return false;
    if (!coreSitePackages.isEmpty() && path.startsWith(coreSitePackages + u'/'))
        return path.section(u'/', -2, -2).endsWith(u".libs"_s); // auditwheel's vendored copies
    if (!path.startsWith(u"runtime/"_s) && !path.startsWith(u"lib/"_s))
        return false;
    return !path.contains(u"/lib-dynload/"_s) && !file.contains(u".cpython-"_s) &&
           !file.contains(u".abi3."_s);
}

QList<Component> nativeLibraries(const QString &bundleDir, const formats::BundleManifest &manifest)
{
    std::vector<Scanned> libs;
    for (const formats::BundleFile &f : manifest.files) {
        if (f.linkTarget.isEmpty() && isLibraryCandidate(f.path, manifest.coreSitePackages))
            libs.push_back({f.path, f.sha256, false, {}, {}});
    }
    forEachInParallel(
        qsizetype(libs.size()),
        [&](qsizetype i) {
            Scanned &s = libs[std::size_t(i)];
            QFile file(QDir(bundleDir).filePath(s.path));
            if (!file.open(QIODevice::ReadOnly))
                return;
            const qint64 size = std::min<qint64>(file.size(), ScanLimit);
            const uchar *mapped = size >= 4 ? file.map(0, size) : nullptr;
            if (!mapped)
                return;
            const QByteArrayView bytes(reinterpret_cast<const char *>(mapped), size);
            s.elf = bytes.startsWith("\x7f"
                                     "ELF");
            if (s.elf)
                s.identity = identifyLibrary(fileNameOf(s.path), bytes);
            file.unmap(const_cast<uchar *>(mapped));
        },
        4);
    std::erase_if(libs, [](const Scanned &s) { return !s.elf; });
    borrowSiblingVersions(libs);
    QList<Component> out;
    for (const Scanned &s : libs)
        out.append(toComponent(s));
    return out;
}

} // namespace deskpack::sbom
