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
#  4. updates: demo 1.0.0 and 1.0.1 (one changed line) published with
#     `deskpack release` to a signed feed served on 127.0.0.1; 1.0.0 installed
#     for a temporary HOME, checked, downloaded (a delta of a few KiB) and
#     updated to 1.0.1, which then starts headless;
#  5. its launcher started from the moved bundle: the status window when a
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

# 4. Updates from a signed feed, as end users get them.
echo "== 4. updates: publish 1.0.0 and 1.0.1, serve the feed on 127.0.0.1, install 1.0.0, update to 1.0.1" >&2
up="$out/update"
rm -rf "$up" && mkdir -p "$up/feed" "$up/home"
python3 tests/common/feedserver.py "$up/feed" >"$up/server.out" 2>"$up/server.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^PORT ' "$up/server.out" 2>/dev/null && break; sleep 0.1; done
port="$(sed -n 's/^PORT //p' "$up/server.out")"
[[ -n "$port" ]] || { echo "deskpack demo: the feed server did not start:" >&2; cat "$up/server.log" >&2; exit 1; }
feed_url="http://127.0.0.1:$port"
for version in 1.0.0 1.0.1; do
    # The demo's deskpack.json with this version, the demo key and the feed;
    # 1.0.1 changes one line of the backend.
    python3 - "$version" "$up/app-$version" "$(sed -n '/^RW/p' "$out/keys/demo.pub")" "$feed_url" <<'PY'
import json, os, shutil, sys
version, app, key, feed = sys.argv[1:]
shutil.copytree("resources/demo", app)
with open("resources/demo/deskpack.json") as f:
    config = json.load(f)
config["version"] = version
config["wheelhouse"] = os.path.abspath("build/wheelhouse")
config["signing"] = {"publicKey": key}
config["update"] = {"feed": feed, "channel": "stable"}
with open(os.path.join(app, "deskpack.json"), "w") as f:
    json.dump(config, f, indent=2)
if version != "1.0.0":
    with open(os.path.join(app, "backend/demo_backend/__init__.py"), "a") as f:
        f.write("\n# %s: one changed line\n" % version)
PY
    build/bin/deskpack build "$up/app-$version/deskpack.json" --out "$up/dist-$version"
    build/bin/deskpack release "$up/dist-$version/Deskpack Demo" --feed "$up/feed" --channel stable \
        -s "$out/keys/demo.sec"
done
ls -l "$up/feed/packages" "$up/feed/deltas"
build/bin/deskpack package "$up/dist-1.0.0/Deskpack Demo" --format installer --out "$up/installer"
uhome="$(cd "$up/home" && pwd)"
HOME="$uhome" XDG_DATA_HOME= "$up"/installer/*.run --silent
app="$uhome/.local/bin/deskpack-demo"
HOME="$uhome" XDG_DATA_HOME= "$app" update check
HOME="$uhome" XDG_DATA_HOME= "$app" update download
HOME="$uhome" XDG_DATA_HOME= "$app" update apply
HOME="$uhome" XDG_DATA_HOME= "$app" update status
HOME="$uhome" XDG_DATA_HOME= "$app" --headless --exit-when-ready
[[ "$(readlink "$uhome/.local/opt/deskpack-demo/current")" == versions/1.0.1 ]] ||
    { echo "deskpack demo: the update did not switch to 1.0.1" >&2; exit 1; }
kill "$server" 2>/dev/null || true

# 5. The bundle's own launcher (deskpack-launcher, shipped as <app-id>).
launcher="$moved/deskpack-demo"
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
    echo "== 5. the launcher's window (close it or use Quit to stop the backend)" >&2
    exec "$launcher"
fi
echo "== 5. the launcher, headless (no display): start, wait for ready, stop" >&2
"$launcher" --headless --exit-when-ready
echo "deskpack demo: lock of $python, the demo bundle built, verified, moved, installed, updated from a signed feed and started" >&2
