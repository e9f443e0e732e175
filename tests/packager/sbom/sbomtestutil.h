// SPDX-License-Identifier: MIT
#pragma once

// A small bundle made by hand in a few milliseconds: four distributions with
// the licence and dependency cases that matter, copies of the system's own
// OpenSSL, SQLite, zlib, expat... and Qt (so their versions have an oracle:
// Debian's Python and qVersion() read the same files), a lib-dynload module
// and a non-ELF ".so" that must not count, a launcher, bundle.json and lock.

#include "common/testutil.h"
#include "formats/bundlemanifest.h"
#include "lock/lockfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace deskpack::test {

inline bool writeBytes(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

// The system libraries the synthetic bundle carries (Debian 12's names).
inline QStringList systemLibraries()
{
    return {u"libz.so.1"_s,     u"libcrypto.so.3"_s, u"libssl.so.3"_s,  u"libsqlite3.so.0"_s,
            u"libexpat.so.1"_s, u"libffi.so.8"_s,    u"liblzma.so.5"_s, u"libbz2.so.1.0"_s,
            u"libtinfo.so.6"_s, u"libpanelw.so.6"_s};
}

inline QString systemLibDir()
{
    return u"/usr/lib/x86_64-linux-gnu"_s;
}

struct DistSpec
{
    QString dirName; // alpha-1.0.dist-info
    QByteArray metadata;
    bool record = true;
    QStringList extraFiles; // relative to the dist-info, written with a line of text
};

inline QList<DistSpec> syntheticDistributions()
{
    return {
        {u"alpha-1.0.dist-info"_s,
         "Metadata-Version: 2.4\nName: Alpha\nVersion: 1.0\nSummary: first\n"
         "License-Expression: MIT OR Apache-2.0\nLicense-File: LICENSE\n"
         "Requires-Dist: beta>=1\nRequires-Dist: gamma; extra == \"test\"\n"
         "Requires-Dist: absent-dist (>=2)\nRequires-Dist: delta_pkg[x]; python_version >= \"3\"\n"
         "\nLong description: Name: Fake\n",
         true,
         {u"licenses/LICENSE"_s}},
        {u"beta-2.0.dist-info"_s,
         "Metadata-Version: 2.1\nName: beta\nVersion: 2.0\nLicense: BSD\n"
         "Classifier: License :: OSI Approved :: BSD License\n",
         true,
         {u"LICENSE.txt"_s, u"COPYING"_s}},
        {u"gamma-0.1.dist-info"_s,
         "Metadata-Version: 2.1\nName: gamma\nVersion: 0.1\n"
         "License: Copyright (c) Gamma Corp.\n        All rights reserved, see the text.\n",
         true,
         {}},
        {u"Delta_Pkg-1.0+local.dist-info"_s,
         "Metadata-Version: 2.1\nName: Delta_Pkg\nVersion: 1.0+local\n"
         "Classifier: License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)\n",
         false,
         {}},
    };
}

// Builds the bundle under `root`; returns "" or what went wrong.
inline QString makeSyntheticBundle(const QString &root)
{
    const QString site = u"runtime/lib/python3.11/site-packages"_s;
    lock::Lock lockModel;
    for (const DistSpec &d : syntheticDistributions()) {
        const QString dir = root + u'/' + site + u'/' + d.dirName;
        if (!writeBytes(dir + u"/METADATA"_s, d.metadata))
            return dir + u": cannot write"_s;
        if (d.record)
            writeBytes(dir + u"/RECORD"_s, (d.dirName + u"/METADATA,,\n"_s).toUtf8());
        for (const QString &f : d.extraFiles)
            writeBytes(dir + u'/' + f, "licence text\n");
        const QString name = d.dirName.section(u'-', 0, 0);
        const QString version =
            d.dirName.section(u'-', 1).chopped(QStringLiteral(".dist-info").size());
        lockModel.distributions.push_back({name, version, {name.toLower()}, {}});
    }
    writeBytes(root + u"/runtime/bin/python3.11"_s, "not really python\n");
    for (const QString &lib : systemLibraries()) {
        if (!QFile::copy(systemLibDir() + u'/' + lib, root + u"/runtime/lib/"_s + lib))
            return systemLibDir() + u'/' + lib + u": cannot copy"_s;
    }
    QDir().mkpath(root + u"/lib"_s);
    if (!QFile::copy(systemLibDir() + u"/libQt6Core.so.6"_s, root + u"/lib/libQt6Core.so.6"_s))
        return u"libQt6Core.so.6: cannot copy"_s;
    writeBytes(root + u"/runtime/lib/python3.11/lib-dynload/_x.cpython-311-x86_64-linux-gnu.so"_s,
               elf32Header());
    writeBytes(root + u"/runtime/lib/libnotelf.so.1"_s, "INPUT(-lfoo)\n"); // a linker script
    writeBytes(root + u"/demo"_s, "\x7f"
                                  "ELF...deskpack-launcher-version: 9.8.7\0...Qt_6.2\0Qt_6.4\0"_ba);
    lock::normalizeLock(lockModel);
    QDir().mkpath(root + u"/app"_s);
    if (!lock::writeLockFile(root + u"/app/runtime-core-lock.json"_s, lockModel))
        return u"cannot write the lock"_s;
    formats::BundleManifest m;
    m.id = u"demo"_s;
    m.name = u"Demo"_s;
    m.version = u"1.2.3"_s;
    m.entryModule = u"demo"_s;
    m.python = u"runtime/bin/python3.11"_s;
    m.pythonVersion = u"3.11.2"_s;
    m.coreSitePackages = site;
    m.lock = u"app/runtime-core-lock.json"_s;
    m.launcher = u"demo"_s;
    m.runtimeOrigin =
        formats::RuntimeOrigin{u"archive"_s, u"cpython-3.11.2.tar.gz"_s, {}, {}, QString(64, u'b')};
    Result<formats::BundleTree> tree = formats::scanBundleFiles(root);
    if (!tree)
        return tree.error().message;
    m.files = tree->files;
    m.dirs = tree->emptyDirs;
    return writeBytes(root + u"/bundle.json"_s, formats::serializeManifest(m))
               ? QString()
               : u"cannot write bundle.json"_s;
}

// Where the official CycloneDX schemas are: $DESKPACK_SBOM_SCHEMAS (may also
// hold SPDX's spdx-schema.json), else the CycloneDX project's npm package that
// scripts/sbom-schemas.sh installs under build/third_party.
inline QString schemaDir()
{
    QStringList candidates;
    if (const QString env = qEnvironmentVariable("DESKPACK_SBOM_SCHEMAS"); !env.isEmpty())
        candidates.append(env);
    candidates.append(sourceDir() + u"/build/third_party/cyclonedx-library/package/res/schema"_s);
    for (const QString &c : std::as_const(candidates)) {
        if (QFileInfo::exists(c + u"/bom-1.6.schema.json"_s) ||
            QFileInfo::exists(c + u"/bom-1.6.SNAPSHOT.schema.json"_s))
            return QDir::cleanPath(c);
    }
    return {};
}

// validate_sbom.py with Debian's python3-jsonschema; "" when valid.
inline QString validateSbom(const QString &kind, const QString &file)
{
    const ProcessResult r =
        runProcess(systemPython(), {sourceDir() + u"/tests/packager/sbom/validate_sbom.py"_s,
                                    schemaDir(), kind, file});
    return r.exitCode == 0 ? QString()
                           : u"exit %1: %2%3"_s.arg(r.exitCode)
                                 .arg(QString::fromUtf8(r.out), QString::fromUtf8(r.err));
}

} // namespace deskpack::test
