// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QByteArray>
#include <QString>

namespace deskpack::cli {

// The environment variable a CI job puts a secret key's password in.
inline constexpr char KeyPasswordVariable[] = "DESKPACK_KEY_PASSWORD";

// The password for `keyPath`: $DESKPACK_KEY_PASSWORD when set and not empty,
// else asked on the terminal (stdin) with echo off, twice when `confirm`
// (a new key). With neither: ErrorKind::Usage saying how to give one
// (`hint` adds e.g. "or pass -W"). The caller wipes the result
// (signing::wipe).
Result<QByteArray> readKeyPassword(const QString &keyPath, bool confirm, const QString &hint = {});

} // namespace deskpack::cli
