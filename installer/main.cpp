// SPDX-License-Identifier: MIT
#include "installerapp.h"

int main(int argc, char **argv)
{
    return deskpack::installer::runInstaller(argc, argv);
}
