// SPDX-License-Identifier: MIT
#pragma once

#include "sitepackages.h"

#include <QByteArray>
#include <QLatin1StringView>
#include <QString>

#include <optional>

// The small files of a site-packages directory (METADATA, top_level.txt,
// RECORD), read relative to its index's open directory handle.
namespace deskpack::lock {

inline QString joinPath(const QString &a, const QString &b)
{
    return a + u'/' + b;
}

inline bool endsWithCaseInsensitive(const QString &s, QLatin1StringView suffix)
{
    return s.endsWith(suffix, Qt::CaseInsensitive);
}

// Reads a whole small file, or nothing when it does not exist.
std::optional<QByteArray> readSmallFile(const SitePackagesIndex &index, const QString &relative);

// Reads the header block of a METADATA/PKG-INFO file: the body after the first
// blank line can be a long README and is never needed.
std::optional<QByteArray> readHeaderBlock(const SitePackagesIndex &index, const QString &relative);

} // namespace deskpack::lock
