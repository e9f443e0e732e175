#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Times a dependency install of the demo plugin through `deskpack-run
--deps-install` against the plugin boundary called directly (the test helper
`plugintool install`, a minimal program around PluginBoundary::install), in
one run, alternating which goes first each round. Wall time and CPU time
(the process and the pip processes it waited for, from wait4) are reported;
CPU time is the steadier figure on a shared machine. Both are a fresh process
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
    """(wall seconds, CPU seconds of the process and the children it waited for: pip)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


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
        cpu = {"deskpack-run": [], "boundary": []}
        for round_ in range(args.repeat + 1):
            order = [("deskpack-run", via_run), ("boundary", direct)]
            if round_ % 2:
                order.reverse()
            for name, fn in order:
                data = os.path.join(work, f"{name}-{round_}")
                t, c = fn(data)
                shutil.rmtree(data)
                if round_ > 0:
                    times[name].append(t)
                    cpu[name].append(c)
        run_ms = statistics.median(times["deskpack-run"]) * 1000
        direct_ms = statistics.median(times["boundary"]) * 1000
        run_cpu = statistics.median(cpu["deskpack-run"]) * 1000
        direct_cpu = statistics.median(cpu["boundary"]) * 1000
        result = {"repeat": args.repeat, "deskpackRunMs": round(run_ms, 1),
                  "deskpackRunCpuMs": round(run_cpu, 1), "boundaryCpuMs": round(direct_cpu, 1),
                  "boundaryMs": round(direct_ms, 1), "overheadMs": round(run_ms - direct_ms, 1),
                  "ratio": round(run_ms / direct_ms, 3),
                  "load": os.getloadavg()[0]}
        if args.json:
            print(json.dumps(result))
        else:
            print(f"deskpack-run --deps-install: {run_ms:.0f} ms, boundary directly: "
                  f"{direct_ms:.0f} ms (median of {args.repeat}); overhead "
                  f"{run_ms - direct_ms:+.0f} ms, ratio {run_ms / direct_ms:.3f}; CPU "
                  f"{run_cpu:.0f} ms vs {direct_cpu:.0f} ms ({run_cpu - direct_cpu:+.0f} ms); "
                  f"load {result['load']:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
