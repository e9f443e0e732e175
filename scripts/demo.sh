#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and runs the main job: the runtime core lock
# of this machine's Python (/usr/bin/python3), generated and then validated
# against the files and against the interpreter itself.
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
build/bin/deskpack lock generate "${args[@]}" -o "$out/runtime-core-lock.json"
build/bin/deskpack lock validate "$out/runtime-core-lock.json" "${args[@]}" --python "$python"
cat "$out/runtime-core-lock.json"
echo "deskpack demo: wrote and validated $out/runtime-core-lock.json" >&2
