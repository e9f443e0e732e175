// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <nlohmann/json_fwd.hpp>

#include <optional>

namespace deskpack {
class JsonNode;
}

namespace deskpack::formats {

// Where a bundle's Python runtime came from, recorded at build time for the
// SBOM (bundle.json "runtimeOrigin", optional: older bundles have none).
// `source` never holds a path private to the build machine: for "debian" it is
// the interpreter's path as dpkg knows it (/usr/bin/python3.11, the same on every
// Debian machine), for "pyenv" the version directory's name (3.12.7), for
// "prefix" the prefix directory's name, for "archive" the archive's file name.
struct RuntimeOrigin
{
    QString kind;           // "debian", "pyenv", "prefix" or "archive"
    QString source;         // see above
    QString package;        // "debian": the package owning the interpreter
    QString packageVersion; // "debian": that package's version
    QString sha256;         // "archive": the archive's SHA-256 (lower-case hex)

    bool operator==(const RuntimeOrigin &) const = default;
};

// {"kind": ..., "source": ..., and the other members when not empty}.
nlohmann::json runtimeOriginToJson(const RuntimeOrigin &origin);
// Reads the optional "runtimeOrigin" member; absent or null is nullopt,
// anything malformed is reported on `node`'s problems.
std::optional<RuntimeOrigin> readRuntimeOrigin(const JsonNode &node);

} // namespace deskpack::formats
