# SPDX-License-Identifier: MIT
"""Starts a bundle's backend with the sys.path DESIGN.md prescribes.

Run by the launcher as `<bundle>/runtime/bin/python3.X -s launch_backend.py
BUNDLE_DIR` (not -I: the launcher's PYTHONUTF8/PYTHONUNBUFFERED must apply).
sys.path becomes: the app directory, the stdlib, the core site-packages, and
the plugin site-packages ($DESKPACK_PLUGIN_SITE_PACKAGES) LAST, so a core module
always wins over a plugin's copy. Then the entry module or script from
bundle.json runs as __main__ with the manifest's arguments.
"""
import json
import os
import runpy
import sys


def fail(message):
    sys.stderr.write(f"launch_backend: {message}\n")
    sys.exit(3)


def main():
    if len(sys.argv) < 2:
        fail("usage: launch_backend.py BUNDLE_DIR [ARGS...]")
    bundle = os.path.abspath(sys.argv[1])
    try:
        with open(os.path.join(bundle, "bundle.json"), encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as error:
        fail(f"{bundle}/bundle.json: {error}")

    app_dir = os.path.join(bundle, "app")
    core = os.path.normpath(os.path.join(bundle, manifest["coreSitePackages"]))
    plugins = os.environ.get("DESKPACK_PLUGIN_SITE_PACKAGES")

    # Drop this script's directory (sys.path[0]) and any plugin path that leaked
    # in; keep the stdlib entries in their order; put the core after them.
    here = os.path.dirname(os.path.abspath(__file__))
    stdlib = [p for p in sys.path
              if p and os.path.abspath(p) not in (here, core, app_dir)
              and (not plugins or os.path.abspath(p) != os.path.abspath(plugins))]
    sys.path[:] = [app_dir] + stdlib + [core] + ([plugins] if plugins else [])

    entry = manifest["entry"]
    args = list(entry.get("args", [])) + sys.argv[2:]
    if "module" in entry:
        sys.argv = [entry["module"]] + args
        runpy.run_module(entry["module"], run_name="__main__", alter_sys=True)
    else:
        script = os.path.join(bundle, entry["script"])
        sys.argv = [script] + args
        runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
