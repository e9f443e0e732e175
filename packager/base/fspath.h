// SPDX-License-Identifier: MIT
#pragma once

// QString <-> std::filesystem::path in the file system's encoding (what
// QFile::encodeName gives, so undecodable names round-trip), and the parent of
// a '/'-separated relative path. Shared by the tree walkers (bundle build,
// bundle.json verification, package staging).

#include <QByteArray>
#include <QFile>
#include <QString>

#include <filesystem>

namespace deskpack {

inline std::filesystem::path toFsPath(const QString &path)
{
    return std::filesystem::path(QFile::encodeName(path).toStdString());
}

inline QString fromFsPath(const std::filesystem::path &path)
{
    return QFile::decodeName(QByteArray::fromStdString(path.generic_string()));
}

// "a/b/c" -> "a/b"; "a" -> "".
inline QString parentOfRelative(const QString &relative)
{
    const qsizetype slash = relative.lastIndexOf(u'/');
    return slash < 0 ? QString() : relative.left(slash);
}

} // namespace deskpack
