// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace deskpack {

// An app id names directories and files on the user's machine (the data dir
// ~/.local/share/<id>, ~/.local/opt/<id>, /opt/<id>, the launcher, the
// desktop entry): 1-64 of [a-z0-9._-], starting with a letter or digit, no
// "..". deskpack.json, bundle.json and the installer header all hold to it.
bool isValidAppId(const QString &id);

// Where an app keeps its user data unless told otherwise (--data-dir):
// <GenericDataLocation>/<id>, ~/.local/share/<id> on Linux.
QString defaultDataDir(const QString &appId);

} // namespace deskpack
