#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""What the plugin audit costs: `<app-id> plugins audit` and the audit at launch.

With one plugin installed (`<app-id> plugins install weather -r ...` from
FIND_LINKS) in a fresh data directory, it times:

1. `<app-id> plugins audit --json`, the whole process (open the boundary: read
   bundle.json and the lock, index the core's RECORDs; audit), REPEAT runs;
2. the launch audit as `--headless --exit-when-ready` logs it ("plugin audit:
   ... (N ms)": open + audit inside the launcher), and the wall time of the
   whole start-ready-stop against `--safe-mode` (which skips the audit),
   alternating, paired differences. One warm-up round of each is discarded.

usage: benchmarks/launcher/bench_launch_audit.py --bundle BUNDLE --find-links WHEELS
       [--requirement deskpack-demo-plugin-weather] [--repeat 11] [--json]
WHEELS: tests/fixtures/plugins/make_plugin_wheels.py's output.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time


def run(cmd, env):
    start = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    return (time.perf_counter() - start) * 1000.0, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--find-links", required=True)
    ap.add_argument("--requirement", default="deskpack-demo-plugin-weather")
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    bundle = os.path.abspath(args.bundle)
    app = next(os.path.join(bundle, n) for n in os.listdir(bundle)
               if os.path.isfile(os.path.join(bundle, n)) and os.access(os.path.join(bundle, n), os.X_OK))
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "cache"))
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        data = os.path.join(tmp, "data")
        req = os.path.join(tmp, "requirements.txt")
        with open(req, "w", encoding="utf-8") as f:
            f.write(args.requirement + "\n")
        _, p = run([app, "plugins", "install", "weather", "-r", req, "--no-index",
                    "--find-links", os.path.abspath(args.find_links), "--data-dir", data], env)
        if p.returncode != 0:
            sys.exit(f"install failed: {p.stderr}")

        audit = []
        for i in range(args.repeat + 1):
            ms, p = run([app, "plugins", "audit", "--json", "--data-dir", data], env)
            if p.returncode != 0:
                sys.exit(f"audit failed ({p.returncode}): {p.stderr}")
            if i:
                audit.append(ms)

        inside, normal, safe, diff = [], [], [], []
        start = [app, "--headless", "--exit-when-ready", "--data-dir", data]
        for i in range(args.repeat + 1):
            order = [False, True] if i % 2 else [True, False]
            times = {}
            for safe_mode in order:
                ms, p = run(start + (["--safe-mode"] if safe_mode else []), env)
                if p.returncode != 0:
                    sys.exit(f"start failed ({p.returncode}): {p.stderr}")
                times[safe_mode] = ms
                m = re.search(r"plugin audit: [^\n]*\((\d+) ms\)", p.stderr)
                if not safe_mode and m and i:
                    inside.append(float(m.group(1)))
            if i:
                normal.append(times[False])
                safe.append(times[True])
                diff.append(times[False] - times[True])
    result = {
        "repeat": args.repeat,
        "pluginsAuditProcessMedianMs": statistics.median(audit),
        "launchAuditMedianMs": statistics.median(inside) if inside else None,
        "launchAuditMaxMs": max(inside) if inside else None,
        "startNormalMedianMs": statistics.median(normal),
        "startSafeModeMedianMs": statistics.median(safe),
        "pairedDifferenceMedianMs": statistics.median(diff),
        "loadAverage": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"`plugins audit` process: median {result['pluginsAuditProcessMedianMs']:.1f} ms; "
              f"launch audit (open + audit, as logged): median {result['launchAuditMedianMs']} ms, "
              f"max {result['launchAuditMaxMs']} ms; --headless --exit-when-ready: "
              f"{result['startNormalMedianMs']:.0f} ms vs --safe-mode {result['startSafeModeMedianMs']:.0f} ms, "
              f"paired difference median {result['pairedDifferenceMedianMs']:.1f} ms "
              f"(load {result['loadAverage']:.1f}; {args.repeat} rounds)")


if __name__ == "__main__":
    main()
