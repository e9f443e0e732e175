# SPDX-License-Identifier: MIT
"""Run by a moved bundle's interpreter with its sources hidden (tst_runtimematrix).

    BUNDLE/runtime/bin/python3.X -I check_moved_bundle.py BUNDLE HIDDEN...

Proves each HIDDEN path is empty from here, imports ssl, sqlite3, ctypes and
the fixture C extension, starts the demo backend through launch_backend.py
(port 0), GETs /status, and prints one JSON object.
"""
import ctypes
import json
import os
import sqlite3
import ssl
import subprocess
import sys
import urllib.request

import deskpack_cext

bundle, hidden = sys.argv[1], sys.argv[2:]
for path in hidden:
    if os.path.isdir(path) and os.listdir(path):
        sys.exit(f"check_moved_bundle: {path} is not hidden")
    if os.path.isfile(path) and os.path.getsize(path):
        sys.exit(f"check_moved_bundle: {path} is not hidden")

# The path is the sixth field of a maps line and may contain spaces.
loaded = sorted({line.split(None, 5)[5].rstrip("\n") for line in open("/proc/self/maps")
                 if "deskpack_cext" in line or "libdeskpack_vendored" in line})
backend = subprocess.Popen(
    [sys.executable, "-s", os.path.join(bundle, "resources", "launch_backend.py"), bundle],
    stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
try:
    line = backend.stdout.readline()
    if "serving http://" not in line:
        sys.exit(f"check_moved_bundle: the backend did not start: {line!r}")
    url = line.split("serving ", 1)[1].strip()
    with urllib.request.urlopen(url, timeout=20) as response:
        status = json.load(response)
finally:
    backend.terminate()
    backend.wait(timeout=20)

print(json.dumps({
    "cext": deskpack_cext.answer(),
    "ssl": ssl.OPENSSL_VERSION,
    "sqlite": sqlite3.sqlite_version,
    "ctypes": ctypes.sizeof(ctypes.c_void_p),
    "hidden": len(hidden),
    "loaded": loaded,
    "status": status,
}))
