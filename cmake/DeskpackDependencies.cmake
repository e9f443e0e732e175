# SPDX-License-Identifier: MIT
# Every external dependency is found here, once, with the Debian package that
# provides it named in the failure message.

macro(deskpack_require found what debian_package)
    if(NOT ${found})
        message(FATAL_ERROR
            "Deskpack needs ${what}, which was not found.\n"
            "On Debian 12 install it with: apt-get install ${debian_package}\n"
            "(or run scripts/setup.sh, which installs everything the build needs).")
    endif()
endmacro()

find_package(Qt6 6.4 QUIET COMPONENTS Core Network Widgets Test)
deskpack_require(Qt6_FOUND "Qt 6 (Core, Network, Widgets, Test)" "qt6-base-dev")

find_package(nlohmann_json 3.11 QUIET)
deskpack_require(nlohmann_json_FOUND "nlohmann/json 3.11" "nlohmann-json3-dev")

find_package(LibArchive 3.6 QUIET)
deskpack_require(LibArchive_FOUND "libarchive 3.6" "libarchive-dev")

find_package(QuaZip-Qt6 1.4 QUIET)
deskpack_require(QuaZip-Qt6_FOUND "QuaZip 1.4 for Qt 6" "libquazip1-qt6-dev")

find_package(Threads REQUIRED)

# libelf (elfutils) reads ELF headers and dynamic sections for the runtime's
# ELF normalisation and audit (docs/runtime.md): never by running the loader.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
    pkg_check_modules(LIBELF QUIET IMPORTED_TARGET libelf)
endif()
deskpack_require(LIBELF_FOUND "libelf from elfutils" "libelf-dev")

# libsodium signs and verifies (Ed25519, BLAKE2b, scrypt: minisign's formats).
# Linked statically when libsodium.a is there, so the launcher that verifies
# updates needs no libsodium.so in every bundle.
if(PkgConfig_FOUND)
    pkg_check_modules(SODIUM QUIET IMPORTED_TARGET libsodium>=1.0.18)
endif()
deskpack_require(SODIUM_FOUND "libsodium 1.0.18" "libsodium-dev")
find_library(DESKPACK_SODIUM_STATIC NAMES libsodium.a HINTS ${SODIUM_LIBRARY_DIRS} NO_CACHE)
if(DESKPACK_SODIUM_STATIC)
    add_library(Sodium::sodium STATIC IMPORTED GLOBAL)
    set_target_properties(Sodium::sodium PROPERTIES
        IMPORTED_LOCATION ${DESKPACK_SODIUM_STATIC}
        INTERFACE_INCLUDE_DIRECTORIES "${SODIUM_INCLUDE_DIRS}"
        INTERFACE_LINK_LIBRARIES Threads::Threads)
else()
    add_library(Sodium::sodium INTERFACE IMPORTED GLOBAL)
    set_target_properties(Sodium::sodium PROPERTIES INTERFACE_LINK_LIBRARIES PkgConfig::SODIUM)
endif()

# libzstd makes and applies the update deltas (packager/delta: --patch-from's
# prefix API, ZSTD_CCtx_refPrefix).
if(PkgConfig_FOUND)
    pkg_check_modules(ZSTD QUIET IMPORTED_TARGET libzstd>=1.4.5)
endif()
deskpack_require(ZSTD_FOUND "libzstd 1.4.5" "libzstd-dev")
