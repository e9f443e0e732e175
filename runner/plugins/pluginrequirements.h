// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

namespace deskpack::plugins {

// One requirement of a plugin, with where it was written. `text` is a PEP 508
// requirement (name, extras, specifiers, marker) with nothing else: the
// requirements-file options pip would honour have been refused before.
struct RequirementLine
{
    QString text;
    QString file;
    int line = 0;
    bool operator==(const RequirementLine &) const = default;
};

// Limits a plugin requirements file must fit (a real one is a few lines).
constexpr qint64 MaxRequirementsFileSize = 1 << 20;
constexpr int MaxRequirementLineLength = 4096;
constexpr int MaxRequirements = 1000;

// Reads a plugin's requirements file and refuses anything but plain PEP 508
// requirements: options (--index-url, -r, -c, -e, -f, per-requirement
// --config-settings...; only --hash is accepted and dropped), URLs and direct
// references, local paths, ${VARIABLE} expansion, NUL bytes, invalid UTF-8,
// over-long lines or files. A refusal fails with ErrorKind::Usage and a message
// "FILE:LINE: what is wrong and what to do instead".
Result<QList<RequirementLine>> parseRequirements(QByteArrayView data, const QString &fileName);
Result<QList<RequirementLine>> readRequirementsFile(const QString &path);

// Whether `name` can name a plugin: 1-64 characters, letters, digits, ".", "_",
// "-", starting with a letter or digit (it becomes a JSON key and a file name).
bool isValidPluginName(const QString &name);

} // namespace deskpack::plugins
