#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and runs the main job:
#  1. the runtime core lock of this machine's Python (/usr/bin/python3),
#     generated and validated against the files and the interpreter;
#  2. the demo app bundle (resources/demo) built offline from /usr/bin/python3.11,
#     verified, moved to another directory and started there.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

python=/usr/bin/python3
mapfile -t dirs < <("$python" -I -c 'import site, os
for d in site.getsitepackages():
    if os.path.isdir(d): print(d)')
args=()
for d in "${dirs[@]}"; do args+=(--site-packages "$d"); done

out=build/demo
mkdir -p "$out"
echo "== 1. the runtime core lock of $python" >&2
build/bin/deskpack lock generate "${args[@]}" -o "$out/runtime-core-lock.json"
build/bin/deskpack lock validate "$out/runtime-core-lock.json" "${args[@]}" --python "$python"
cat "$out/runtime-core-lock.json"

echo "== 2. the demo bundle" >&2
build/bin/deskpack build resources/demo/deskpack.json --out "$out/dist"
bundle="$out/dist/Deskpack Demo"
build/bin/deskpack verify "$bundle"
cat "$bundle/app/runtime-core-lock.json"

# A bundle is relocatable: move it and run the backend from the new place.
moved="$out/moved/Deskpack Demo"
rm -rf "$out/moved" && mkdir -p "$out/moved"
cp -a "$bundle" "$moved"
build/bin/deskpack verify "$moved"
# Until the launcher exists, set by hand what it will set (DESIGN.md).
env -i DESKPACK_PLUGIN_SITE_PACKAGES="$PWD/$out/plugins" \
    DESKPACK_CORE_LOCK_PATH="$PWD/$moved/app/runtime-core-lock.json" \
    DESKPACK_DEMO_CORE_LOCK_PATH="$PWD/$moved/app/runtime-core-lock.json" \
    PYTHONNOUSERSITE=1 PYTHONUTF8=1 PYTHONUNBUFFERED=1 PYTHONIOENCODING=utf-8 \
    "$moved/runtime/bin/python3.11" -s "$moved/resources/launch_backend.py" "$moved" --print-status
echo "deskpack demo: lock of $python and the demo bundle built, verified and run after a move" >&2
