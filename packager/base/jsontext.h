// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QByteArrayView>
#include <QString>

#include <nlohmann/json.hpp>

namespace deskpack {

// Parses JSON text from a file Deskpack was given (a lock, deskpack.json,
// bundle.json). Failures are ErrorKind::Unreadable with "FILE:LINE:COLUMN: what"
// messages; nesting deeper than `maxDepth` is refused before the parser runs,
// so hostile input cannot exhaust the stack of code that walks the tree; a key
// given twice in one object is refused ("FILE: $.a.b: duplicate key"), since
// readers disagree on which copy wins. Read the result through JsonNode
// (jsonaccess.h), never with nlohmann's throwing accessors.
Result<nlohmann::json> parseJsonText(QByteArrayView data, const QString &fileName,
                                     int maxDepth = 128);

} // namespace deskpack
