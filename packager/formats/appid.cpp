// SPDX-License-Identifier: MIT
#include "appid.h"

#include <QDir>
#include <QRegularExpression>
#include <QStandardPaths>

using namespace Qt::Literals::StringLiterals;

namespace deskpack {

bool isValidAppId(const QString &id)
{
    static const QRegularExpression pattern(u"^[a-z0-9][a-z0-9._-]{0,63}\\z"_s);
    return pattern.match(id).hasMatch() && !id.contains(u".."_s);
}

QString defaultDataDir(const QString &appId)
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(appId);
}

} // namespace deskpack
