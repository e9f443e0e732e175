#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what a fresh Debian 12 machine is missing, then configures and builds
# Deskpack into ./build. Sourced by demo.sh and test.sh; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev libquazip1-qt6-dev libarchive-dev nlohmann-json3-dev
    python3 python3-venv python3-pip-whl python3-setuptools-whl python3-wheel-whl
    python3-setuptools python3-wheel
    python3-jupyter-client python3-ipykernel
    patchelf zstd xz-utils xvfb xauth ccache python3-tk idle-python3.11 libelf-dev bubblewrap
    python3.11-dev
    zlib1g-dev  # the installer stub links zlib statically (libz.a)
    lintian  # tst_packagedeb checks the deb of deskpack package
    libsodium-dev  # minisign-format keys and signatures (packager/signing)
    libzstd-dev    # per-file update deltas (packager/delta: zstd patch-from)
    libssl-dev     # SHA-256 with the CPU's SHA instructions (static libcrypto: packager/base/sha256.h)
    minisign python3-jsonschema python3-license-expression  # interop and SBOM validation tests
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "deskpack setup: installing ${missing[*]}" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" </dev/null
fi

cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"
