// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace deskpack {

// "1 plugin", "2 plugins", "0 plugins": counts in messages and the window
// read as English, not as "1 plugin(s)".
inline QString counted(qsizetype n, const QString &one, const QString &many)
{
    return QString::number(n) + u' ' + (n == 1 ? one : many);
}

} // namespace deskpack
