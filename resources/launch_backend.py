# SPDX-License-Identifier: MIT
"""Starts a bundle's backend with the sys.path DESIGN.md prescribes.

Run by the launcher as `<bundle>/runtime/bin/python3.X -s launch_backend.py
BUNDLE_DIR` (not -I: the launcher's PYTHONUTF8/PYTHONUNBUFFERED must apply).
sys.path becomes: the app directory, the stdlib, the core site-packages, and
the plugin site-packages ($DESKPACK_PLUGIN_SITE_PACKAGES) LAST, so a core module
always wins over a plugin's copy. Then the entry module or script from
bundle.json runs as __main__ with the manifest's arguments.

Two launcher contracts are kept here (docs/launcher.md):
- $DESKPACK_PARENT_PIPE_FD names the read end of a pipe whose only write end
  the launcher holds. A small watchdog process (forked first, so it shares the
  backend's process group) blocks on it; EOF means the launcher is gone, however
  it died, and the watchdog SIGKILLs the whole group (only the backend
  process when it does not lead its own group, i.e. was not started by the
  launcher). It is a process, not a thread: PR_SET_PDEATHSIG kills this
  interpreter at the same moment, and a thread would die with it before it
  could take the backend's children along.
- $DESKPACK_HEARTBEAT_FILE: with a "heartbeat" readiness probe this script
  writes the file ({pid, state, updated_at_ms}, via a rename) every 2 s from
  just before the entry runs, unless the manifest's env sets
  DESKPACK_HEARTBEAT_BY_BACKEND=1: then the backend writes it itself when ready.
"""
import json
import os
import runpy
import signal
import sys


def fail(message):
    sys.stderr.write(f"launch_backend: {message}\n")
    sys.exit(3)


def watch_parent():
    value = os.environ.pop("DESKPACK_PARENT_PIPE_FD", None)
    if not value or not hasattr(os, "fork"):
        return
    try:
        fd = int(value)
        os.fstat(fd)
    except (ValueError, OSError):
        return
    backend = os.getpid()
    # Only a backend that leads its own process group (as the launcher starts
    # it) may have its group killed; run by hand, kill just the backend.
    leads_group = os.getpgrp() == backend
    if os.fork() == 0:
        try:
            devnull = os.open(os.devnull, os.O_RDWR)
            for target in (0, 1, 2):
                os.dup2(devnull, target)
            while True:
                try:
                    if not os.read(fd, 64):
                        break  # EOF: the launcher is gone
                except InterruptedError:
                    continue
                except OSError:
                    break
        finally:
            try:
                if leads_group:
                    os.killpg(backend, signal.SIGKILL)
                else:
                    os.kill(backend, signal.SIGKILL)
            finally:
                os._exit(0)
    os.close(fd)


def start_heartbeat(manifest):
    path = os.environ.get("DESKPACK_HEARTBEAT_FILE")
    readiness = manifest.get("readiness")
    if (not path or not isinstance(readiness, dict) or readiness.get("kind") != "heartbeat"
            or os.environ.get("DESKPACK_HEARTBEAT_BY_BACKEND") == "1"):
        return
    import threading
    import time

    def beat():
        temporary = f"{path}.{os.getpid()}.tmp"
        while True:
            try:
                with open(temporary, "w", encoding="utf-8") as f:
                    json.dump({"pid": os.getpid(), "state": "running",
                               "updated_at_ms": int(time.time() * 1000)}, f)
                os.replace(temporary, path)
            except OSError:
                pass
            time.sleep(2)

    threading.Thread(target=beat, name="deskpack-heartbeat", daemon=True).start()


def main():
    watch_parent()
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
    start_heartbeat(manifest)
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
