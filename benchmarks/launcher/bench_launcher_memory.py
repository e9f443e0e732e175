#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The launcher's own resident memory with its status window open.

Starts BUNDLE/<app-id> (the launcher as `deskpack build` ships it) with a fresh
data directory, waits until the backend answers its readiness URL and the
window has been up for SETTLE seconds, then reads VmRSS (and VmHWM, RssAnon,
RssFile) of the launcher process alone from /proc — the backend is a separate
process and not counted. REPEAT runs; prints the medians. Goal: < 60 MB.

usage: xvfb-run -a benchmarks/launcher/bench_launcher_memory.py --bundle BUNDLE [--repeat 5] [--json]
Without DISPLAY/WAYLAND_DISPLAY it uses Qt's offscreen platform.
"""
import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def proc_status(pid):
    fields = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                fields[key] = int(value.split()[0]) / 1024.0  # MiB
    return fields


def wait_ready(url, process, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the launcher exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status < 400:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} not ready within {timeout} s")


def one_run(launcher, url, settle, env):
    with tempfile.TemporaryDirectory() as data:
        process = subprocess.Popen([launcher, "--data-dir", data], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(url, process, 60)
            time.sleep(settle)  # the window drawn, the runtime panel's lock check done
            return proc_status(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with open(os.path.join(args.bundle, "bundle.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    readiness = manifest.get("readiness", {})
    if readiness.get("kind") != "http":
        sys.exit("bench_launcher_memory: the bundle needs an HTTP readiness probe")
    launcher = os.path.join(args.bundle, manifest["id"])
    env = dict(os.environ)
    display = env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
    if not display:
        env["QT_QPA_PLATFORM"] = "offscreen"
    platform_name = env.get("QT_QPA_PLATFORM") or ("xcb" if env.get("DISPLAY") else "wayland")

    runs = [one_run(launcher, readiness["url"], args.settle, env) for _ in range(args.repeat)]
    result = {
        "platform": platform_name,
        "runs": args.repeat,
        "vmrss_mib": round(statistics.median(r["VmRSS"] for r in runs), 1),
        "vmhwm_mib": round(statistics.median(r["VmHWM"] for r in runs), 1),
        "rss_anon_mib": round(statistics.median(r.get("RssAnon", 0) for r in runs), 1),
        "rss_file_mib": round(statistics.median(r.get("RssFile", 0) for r in runs), 1),
        "goal_mib": 60,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
    }
    result["within_goal"] = result["vmrss_mib"] < result["goal_mib"]
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"launcher resident memory, window open ({platform_name}, median of {args.repeat}): "
              f"VmRSS {result['vmrss_mib']} MiB (anon {result['rss_anon_mib']}, "
              f"file {result['rss_file_mib']}), peak VmHWM {result['vmhwm_mib']} MiB; "
              f"goal < 60 MB: {'met' if result['within_goal'] else 'MISSED'}")
    return 0 if result["within_goal"] else 1


if __name__ == "__main__":
    sys.exit(main())
