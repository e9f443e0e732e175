// SPDX-License-Identifier: MIT
// deskpack-launcher (shipped in every bundle as <app-id>): see launcherapp.h.
#include "launcher/ui/launcherapp.h"

int main(int argc, char **argv)
{
    return deskpack::launcher::runLauncher(argc, argv);
}
