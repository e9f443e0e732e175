// SPDX-License-Identifier: MIT
#pragma once

namespace deskpack::installer {

// The installer executable: `[--silent] [--prefix DIR] | --rollback |
// --uninstall [--purge]` (DESIGN.md). Without --silent, --rollback or
// --uninstall it shows the wizard. Returns the exit code.
int runInstaller(int argc, char **argv);

} // namespace deskpack::installer
