#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and runs the main job:
#  1. the runtime core lock of this machine's Python (/usr/bin/python3),
#     generated and validated against the files and the interpreter;
#  2. the demo app bundle (resources/demo) built offline from /usr/bin/python3.11,
#     verified, moved to another directory;
#  3. its installer: packaged and signed with a throwaway key (a .minisig, the
#     SBOMs, SHA256SUMS), checked with stock minisign when it is installed,
#     installed silently for a temporary HOME, the installed app started
#     headless, then uninstalled;
#  4. its launcher started from the moved bundle: the status window when a
#     display is there (DISPLAY or WAYLAND_DISPLAY), else --headless --exit-when-ready.
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

# 3. What end users get: the installer (one file carrying the bundle and its
#    own Qt), installed silently for a throwaway user, started from
#    ~/.local/bin, uninstalled again (the user data stays unless --purge).
echo "== 3. the end-user installer: package, install for a temporary HOME, start, uninstall" >&2
rm -rf "$out/installer" "$out/home" && mkdir -p "$out/home"
# A throwaway key (-W: no password) stands for the release key a CI job keeps secret.
rm -rf "$out/keys" && mkdir -p "$out/keys"
build/bin/deskpack keygen -p "$out/keys/demo.pub" -s "$out/keys/demo.sec" -W
build/bin/deskpack package "$moved" --format installer --out "$out/installer" --sign "$out/keys/demo.sec"
installer=("$out"/installer/*.run)
build/bin/deskpack verify-signature "${installer[0]}" -p "$out/keys/demo.pub"
if command -v minisign >/dev/null; then minisign -Vm "${installer[0]}" -p "$out/keys/demo.pub"; fi
(cd "$out/installer" && sha256sum -c SHA256SUMS)
home="$(cd "$out/home" && pwd)"
HOME="$home" XDG_DATA_HOME= "${installer[0]}" --silent
HOME="$home" XDG_DATA_HOME= "$home/.local/bin/deskpack-demo" --headless --exit-when-ready
HOME="$home" XDG_DATA_HOME= "${installer[0]}" --uninstall

# 4. The bundle's own launcher (deskpack-launcher, shipped as <app-id>).
launcher="$moved/deskpack-demo"
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
    echo "== 4. the launcher's window (close it or use Quit to stop the backend)" >&2
    exec "$launcher"
fi
echo "== 4. the launcher, headless (no display): start, wait for ready, stop" >&2
"$launcher" --headless --exit-when-ready
echo "deskpack demo: lock of $python, the demo bundle built, verified, moved, installed and started" >&2
