// SPDX-License-Identifier: MIT
#pragma once

namespace deskpack::launcher {

// The whole launcher: the modes without a window (--headless, doctor, plugins,
// --help, --version) go to runWithoutWindow() (launcher/core, no QApplication);
// otherwise a QApplication and runLauncherWith() with the status window as its
// front end. Returns the process exit code.
int runLauncher(int argc, char **argv);

} // namespace deskpack::launcher
