#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Times a dependency install of the demo plugin through `deskpack-run
--deps-install` against the plugin boundary called directly (the test helper
`plugintool install`, a minimal program around PluginBoundary::install), in
one run, alternating which goes first each round. Both are a fresh process
on a fresh data dir: open the bundle and its lock, vet the requirements,
resolve with the bundle's pip, stage, audit, commit. deskpack-run adds its
command line, a KernelSession and the worker thread the request runs on (no
kernel is started). One warm-up round is discarded; medians are reported.

usage: bench_deps.py --bin build/bin --bundle BUNDLE --find-links DIR
                     [--requirement NAME] [--repeat 7] [--json]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--bundle", required=True)
    parser.add_argument("--find-links", required=True)
    parser.add_argument("--requirement", default="deskpack-demo-plugin-weather")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-deps-")
    try:
        req = os.path.join(work, "requirements.txt")
        with open(req, "w") as f:
            f.write(args.requirement + "\n")

        def via_run(data):
            return timed([os.path.join(args.bin, "deskpack-run"), "--bundle", args.bundle,
                          "--data-dir", data, "--deps-install", "weather", "-r", req,
                          "--no-index", "--find-links", args.find_links])

        def direct(data):
            return timed([os.path.join(args.bin, "plugintool"), "install", args.bundle, data,
                          "weather", req, args.find_links])

        times = {"deskpack-run": [], "boundary": []}
        for round_ in range(args.repeat + 1):
            order = [("deskpack-run", via_run), ("boundary", direct)]
            if round_ % 2:
                order.reverse()
            for name, fn in order:
                data = os.path.join(work, f"{name}-{round_}")
                t = fn(data)
                shutil.rmtree(data)
                if round_ > 0:
                    times[name].append(t)
        run_ms = statistics.median(times["deskpack-run"]) * 1000
        direct_ms = statistics.median(times["boundary"]) * 1000
        result = {"repeat": args.repeat, "deskpackRunMs": round(run_ms, 1),
                  "boundaryMs": round(direct_ms, 1), "overheadMs": round(run_ms - direct_ms, 1),
                  "ratio": round(run_ms / direct_ms, 3),
                  "load": os.getloadavg()[0]}
        if args.json:
            print(json.dumps(result))
        else:
            print(f"deskpack-run --deps-install: {run_ms:.0f} ms, boundary directly: "
                  f"{direct_ms:.0f} ms (median of {args.repeat}); overhead "
                  f"{run_ms - direct_ms:+.0f} ms, ratio {run_ms / direct_ms:.3f}; "
                  f"load {result['load']:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
