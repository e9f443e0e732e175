# SPDX-License-Identifier: MIT
"""The Deskpack demo backend.

A stdlib-only HTTP server. GET / answers a small HTML page (what the launcher's
Open button shows): the status, the lock path and the plugins. GET /status answers JSON describing the process as
the launcher started it: pid, uptime, the lock-path variables, sys.path, the
core and plugin site-packages and the plugins it loaded. It also imports its
bundled dependencies (demo_units, which needs demo_greeting) to prove the
runtime's core site-packages works.
"""
import argparse
import html
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


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Deskpack Demo</title>
<style>
 body {{ font-family: system-ui, sans-serif; margin: 2.5rem auto; max-width: 46rem;
        color: #1f2937; line-height: 1.45; padding: 0 1rem; }}
 h1 {{ font-size: 1.6rem; margin-bottom: .2rem; }}
 .ok {{ display: inline-block; background: #15803d; color: white; border-radius: 1rem;
       padding: .15rem .8rem; font-weight: 600; font-size: .9rem; }}
 table {{ border-collapse: collapse; width: 100%; margin-top: 1.2rem; }}
 th {{ text-align: right; color: #6b7280; font-weight: 500; padding: .35rem 1rem .35rem 0;
      vertical-align: top; white-space: nowrap; width: 12rem; }}
 td {{ padding: .35rem 0; word-break: break-all; }}
 code {{ font-size: .9rem; }}
 footer {{ margin-top: 2rem; color: #6b7280; font-size: .9rem; }}
</style></head>
<body>
<h1>Deskpack Demo</h1>
<p><span class="ok">running</span> &nbsp;{greeting}</p>
<table>
<tr><th>Process</th><td>pid {pid}, up {uptime} s</td></tr>
<tr><th>Python</th><td>{python} <code>{executable}</code></td></tr>
<tr><th>Core lock</th><td><code>{lock}</code></td></tr>
<tr><th>Core site-packages</th><td><code>{core}</code></td></tr>
<tr><th>Plugin site-packages</th><td><code>{plugin_dir}</code></td></tr>
<tr><th>Plugins</th><td>{plugins}</td></tr>
</table>
<footer>The same facts as JSON: <a href="/status">/status</a>.
Served by the demo backend the Deskpack launcher supervises.</footer>
</body></html>
"""


def page():
    s = status()
    e = lambda value: html.escape(str(value if value is not None else "(not set)"))
    plugins = ", ".join(f"{e(name)}: {e(result)}" for name, result in s["plugins"].items())
    safe_mode = s["plugin_site_packages"] is None
    return PAGE.format(
        greeting=e(s["greeting"]), pid=s["pid"], uptime=s["uptime"], python=e(s["python"]),
        executable=e(s["executable"]), lock=e(s["DESKPACK_CORE_LOCK_PATH"]),
        core=e(s["core_site_packages"]),
        plugin_dir=e(s["plugin_site_packages"]) + (" (safe mode: off sys.path)" if safe_mode else ""),
        plugins=plugins or "none loaded")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/status":
            body = json.dumps(status(), indent=2).encode("utf-8")
            content_type = "application/json"
        elif path in ("/", "/index.html"):
            body = page().encode("utf-8")
            content_type = "text/html; charset=utf-8"
        else:
            self.send_error(404, "try / or /status")
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
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
