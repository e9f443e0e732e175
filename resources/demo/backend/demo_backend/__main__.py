# SPDX-License-Identifier: MIT
"""The Deskpack demo backend.

A stdlib-only HTTP server. GET /status answers JSON describing the process as
the launcher started it: pid, uptime, the lock-path variables, sys.path, the
core and plugin site-packages and the plugins it loaded. It also imports its
bundled dependencies (demo_units, which needs demo_greeting) to prove the
runtime's core site-packages works.
"""
import argparse
import importlib
import json
import os
import pkgutil
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import demo_units

STARTED = time.monotonic()
LOCK_ALIAS = "DESKPACK_DEMO_CORE_LOCK_PATH"


def load_plugins(directory):
    """Imports every top-level module of the plugin site-packages named
    deskpack_demo_plugin_*; returns {name: "ok" | error}."""
    loaded = {}
    if not directory or not os.path.isdir(directory):
        return loaded
    for module in pkgutil.iter_modules([directory]):
        if not module.name.startswith("deskpack_demo_plugin_"):
            continue
        try:
            importlib.import_module(module.name)
            loaded[module.name] = "ok"
        except Exception as error:  # a broken plugin must not take the backend down
            loaded[module.name] = f"{type(error).__name__}: {error}"
    return loaded


PLUGINS = load_plugins(os.environ.get("DESKPACK_PLUGIN_SITE_PACKAGES"))


def status():
    # Where each plugin and every module it imported came from: a core module
    # must resolve to the core site-packages even when a plugin ships one too.
    def origin(module):
        return getattr(module, "__file__", None) or "built-in"

    plugin_modules = {}
    for name, state in PLUGINS.items():
        module = sys.modules.get(name)
        if module is None:
            plugin_modules[name] = {"status": state}
            continue
        imports = {value.__name__: origin(value) for value in vars(module).values()
                   if isinstance(value, type(sys))}
        plugin_modules[name] = {"status": state, "file": origin(module), "imports": imports}
    return {
        "app": "deskpack-demo",
        "pid": os.getpid(),
        "uptime": round(time.monotonic() - STARTED, 3),
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "prefix": sys.prefix,
        "DESKPACK_CORE_LOCK_PATH": os.environ.get("DESKPACK_CORE_LOCK_PATH"),
        LOCK_ALIAS: os.environ.get(LOCK_ALIAS),
        "sys_path": sys.path,
        "core_site_packages": next((p for p in sys.path if p.endswith("site-packages")), None),
        "plugin_site_packages": os.environ.get("DESKPACK_PLUGIN_SITE_PACKAGES"),
        "plugins": PLUGINS,
        "plugin_modules": plugin_modules,
        "greeting": demo_units.greet(os.environ.get("DESKPACK_DEMO_GREETING", "world")),
        "demo_units_file": demo_units.__file__,
    }


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] != "/status":
            self.send_error(404, "try /status")
            return
        body = json.dumps(status(), indent=2).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("demo_backend: " + fmt % args + "\n")


def main():
    parser = argparse.ArgumentParser(prog="demo_backend")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--print-status", action="store_true",
                        help="print the status JSON and exit instead of serving")
    args = parser.parse_args()
    if args.print_status:
        print(json.dumps(status(), indent=2))
        return 0
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    # SystemExit unwinds serve_forever() in this thread; shutdown() here would deadlock.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"demo_backend: serving http://{args.host}:{server.server_port}/status", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
