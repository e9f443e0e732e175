// SPDX-License-Identifier: MIT
#include "appid.h"

#include <QRegularExpression>

using namespace Qt::Literals::StringLiterals;

namespace deskpack {

bool isValidAppId(const QString &id)
{
    static const QRegularExpression pattern(u"^[a-z0-9][a-z0-9._-]{0,63}\\z"_s);
    return pattern.match(id).hasMatch() && !id.contains(u".."_s);
}

} // namespace deskpack
