// SPDX-License-Identifier: MIT
#pragma once

namespace deskpack::launcher {

// The whole launcher: parses the command line, creates the right application
// object (no QApplication for --headless, doctor and plugins), locates and
// checks the bundle, takes the data directory's single-instance lock, then
// runs the window or the headless mode. Returns the process exit code.
int runLauncher(int argc, char **argv);

} // namespace deskpack::launcher
