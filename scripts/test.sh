#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and runs every test: first the release
# build (build/), then the same suites built with AddressSanitizer and
# UBSan (build-asan/), so memory errors and undefined behaviour fail CI too.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/sbom-schemas.sh
export QT_QPA_PLATFORM=offscreen
ctest --preset default -j "$(nproc)"

echo "deskpack tests: again under AddressSanitizer + UBSan" >&2
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ctest --preset asan -j "$(nproc)"
