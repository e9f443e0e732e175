// SPDX-License-Identifier: MIT
#pragma once

// Small bundle trees written by hand for the delta suites (files, executables,
// links, empty directories and a bundle.json with the right hashes), and the
// delta file taken apart and put back together, for hostile variants.

#include "formats/bundlemanifest.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QMap>
#include <QSet>
#include <QString>
#include <QtEndian>

#include <random>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::test {

struct TreeSpec
{
    QString version = u"1.0.0"_s;
    QMap<QString, QByteArray> files;
    QSet<QString> executables;
    QMap<QString, QString> links; // path -> relative target
    QStringList emptyDirs;
};

// Bytes that do not compress, the same for the same seed.
inline QByteArray noise(qsizetype size, unsigned seed)
{
    std::mt19937 random(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char(random() & 0xff);
    return bytes;
}

// Text-like bytes (compressible, like source code).
inline QByteArray lines(int count, const QByteArray &tag)
{
    QByteArray text;
    for (int i = 0; i < count; ++i)
        text += "def function_" + QByteArray::number(i) + "(x):  # " + tag + "\n    return x * " +
                QByteArray::number(i * 7 % 13) + "\n";
    return text;
}

// A tree a delta starts from: a runtime, an app, an executable, a link and an empty dir.
inline TreeSpec baseSpec()
{
    TreeSpec spec;
    spec.files[u"runtime/bin/python3.11"_s] = noise(40000, 1);
    spec.files[u"runtime/lib/python3.11/site-packages/demo/__init__.py"_s] = lines(50, "demo");
    spec.files[u"runtime/lib/python3.11/site-packages/demo/big.py"_s] = lines(4000, "big");
    spec.files[u"app/runtime-core-lock.json"_s] = "{\"lock\": 1}\n";
    spec.files[u"app/main.py"_s] = lines(30, "main");
    spec.files[u"app/data/table.bin"_s] = noise(20000, 2);
    spec.files[u"app/tool.sh"_s] = "#!/bin/sh\necho tool\n";
    spec.files[u"app/empty.txt"_s] = QByteArray();
    spec.executables = {u"runtime/bin/python3.11"_s, u"app/tool.sh"_s};
    spec.links[u"runtime/bin/python3"_s] = u"python3.11"_s;
    spec.emptyDirs = {u"app/cache"_s};
    return spec;
}

inline bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

inline QByteArray readBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Writes the tree at `dir` (which must not exist) with its bundle.json.
inline bool writeTree(const QString &dir, const TreeSpec &spec)
{
    if (!QDir().mkpath(dir))
        return false;
    for (auto it = spec.files.cbegin(); it != spec.files.cend(); ++it) {
        const QString path = dir + u'/' + it.key();
        if (!writeBytes(path, it.value()))
            return false;
        QFile::Permissions p =
            QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther;
        if (spec.executables.contains(it.key()))
            p |= QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther;
        QFile::setPermissions(path, p);
    }
    for (auto it = spec.links.cbegin(); it != spec.links.cend(); ++it) {
        QDir().mkpath(QFileInfo(dir + u'/' + it.key()).absolutePath());
        if (!QFile::link(it.value(), dir + u'/' + it.key()))
            return false;
    }
    for (const QString &empty : spec.emptyDirs)
        QDir().mkpath(dir + u'/' + empty);
    formats::BundleManifest m;
    m.id = u"delta-demo"_s;
    m.name = u"Delta Demo"_s;
    m.version = spec.version;
    m.entryModule = u"demo"_s;
    m.python = u"runtime/bin/python3.11"_s;
    m.pythonVersion = u"3.11.2"_s;
    m.coreSitePackages = u"runtime/lib/python3.11/site-packages"_s;
    m.lock = u"app/runtime-core-lock.json"_s;
    Result<formats::BundleTree> tree = formats::scanBundleFiles(dir);
    if (!tree)
        return false;
    m.files = tree->files;
    m.dirs = tree->emptyDirs;
    return writeBytes(dir + u"/bundle.json"_s, formats::serializeManifest(m));
}

// A delta file's parts: the header JSON text and the payload.
struct DeltaParts
{
    QByteArray header;
    QByteArray payload;
};

inline DeltaParts splitDelta(const QByteArray &delta)
{
    const quint64 length = qFromLittleEndian<quint64>(delta.constData() + 10);
    return DeltaParts{delta.mid(50, qsizetype(length)), delta.mid(50 + qsizetype(length))};
}

// The parts put together again with a correct length and digest.
inline QByteArray joinDelta(const QByteArray &header, const QByteArray &payload)
{
    char length[8];
    qToLittleEndian<quint64>(quint64(header.size()), length);
    return QByteArray("DPKDELTA1\n") + QByteArray(length, 8) +
           QCryptographicHash::hash(header, QCryptographicHash::Sha256) + header + payload;
}

} // namespace deskpack::test
