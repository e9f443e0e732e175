// SPDX-License-Identifier: MIT
#pragma once

#include <QProcessEnvironment>

namespace deskpack::runner {

// The environment every Python process Deskpack starts gets (DESIGN.md, "the
// backend's environment"): inherited Python variables that would redirect the
// interpreter (PYTHONHOME, PYTHONPATH, PYTHONSTARTUP, VIRTUAL_ENV,
// PYTHONUSERBASE) removed; user site off; UTF-8 and unbuffered I/O on.
QProcessEnvironment sanitizedPythonEnvironment(
    const QProcessEnvironment &base = QProcessEnvironment::systemEnvironment());

} // namespace deskpack::runner
