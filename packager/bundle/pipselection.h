// SPDX-License-Identifier: MIT
#pragma once

#include "base/result.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace deskpack::bundle {

// Where the pip that builds a runtime comes from, in the order they are tried
// (DESIGN.md "Which pip builds a runtime").
enum class PipSource
{
    Runtime,     // pip already in the runtime's site-packages: python -m pip
    Ensurepip,   // the interpreter's own ensurepip/_bundled/pip-*.whl
    Config,      // "pip" in deskpack.json
    Environment, // $DESKPACK_PIP_WHEEL
    System,      // Debian's /usr/share/python-wheels/pip-*.whl (python3-pip-whl)
};

// "runtime", "ensurepip", "config", "environment", "system": the names of the
// build summary's --json output.
QString pipSourceName(PipSource source);

struct PipChoice
{
    PipSource source = PipSource::Runtime;
    QString wheel;          // the wheel pip runs from; empty for PipSource::Runtime
    QString location;       // what the summary names: the wheel, or the runtime's pip package
    QString version;        // pip's version, from the wheel's or the dist-info's name
    QStringList passedOver; // "Debian's pip-23.0.1...: why not" for candidates not used
};

struct PipSelectionInput
{
    QString interpreter;       // the runtime's interpreter, which runs pip
    QString pythonVersion;     // its version, "3.12.1"
    QString sitePackages;      // the runtime's core site-packages
    QStringList ensurepipDirs; // stdlib directories whose ensurepip/_bundled may hold pip
    QString configWheel;       // "pip" from deskpack.json (absolute), may be empty
    QString configSha256;      // its expected SHA-256, may be empty
    QString environmentWheel;  // $DESKPACK_PIP_WHEEL as read by the caller, may be empty
    QString systemWheelDir = u"/usr/share/python-wheels"_s;
    QString logFile; // the trial's pip output is appended here when set
    // Runs the chosen pip once before anything is installed; the default runs
    // `pip list --path SITE_PACKAGES` under the interpreter, which imports
    // pip's metadata backend (the part that breaks on too new a Python:
    // `pip --version` alone still succeeds with pip 23.0.1 on 3.12).
    std::function<Result<void>(const PipSelectionInput &, const PipChoice &)> trial;
};

// Chooses the pip for a runtime: the runtime's own, else the interpreter's
// ensurepip wheel, else the configured wheel (hash-checked when a SHA-256 is
// given), else $DESKPACK_PIP_WHEEL, else the newest pip-*.whl of
// `systemWheelDir` when its Requires-Python admits the interpreter and the
// trial passes. The first of the first four that exists must pass the trial:
// if it does not, the build stops with ErrorKind::Environment naming the
// interpreter's version and the pip tried. A configured wheel whose hash does
// not match is ErrorKind::Invalid; one that is missing, ErrorKind::Unreadable.
Result<PipChoice> selectPip(const PipSelectionInput &input);

// The trial selectPip runs by default.
Result<void> trialPip(const PipSelectionInput &input, const PipChoice &choice);

// The Requires-Python field of a wheel's METADATA; nullopt when the wheel
// cannot be read or has no such field.
std::optional<QString> wheelRequiresPython(const QString &wheel);

// Whether `version` ("3.12.1") satisfies a PEP 440 specifier set
// (">=3.7,!=3.8.*"); nullopt when the specifier cannot be parsed.
std::optional<bool> versionSatisfies(const QString &version, const QString &specifiers);

// pip's version from a wheel name ("pip-24.2-py3-none-any.whl" -> "24.2").
QString pipVersionFromWheel(const QString &wheel);

} // namespace deskpack::bundle
