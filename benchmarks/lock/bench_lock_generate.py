#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Times `deskpack lock generate` against the importlib.metadata peer
(importlib_generator.py) on the same synthetic site-packages, interleaved in
the same run: a warm-up each, then REPEAT timed runs each; prints the medians,
the ratio, and whether both wrote byte-identical locks.

usage: bench_lock_generate.py --deskpack build/bin/deskpack [--count 2000] [--repeat 9] [--json]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--deskpack", required=True)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="deskpack-bench-") as tmp:
        site = os.path.join(tmp, "site-packages")
        subprocess.run([PYTHON, os.path.join(HERE, "make_site_packages.py"), site,
                        "--count", str(args.count)], check=True)
        ours_out = os.path.join(tmp, "ours.json")
        peer_out = os.path.join(tmp, "peer.json")
        ours = [args.deskpack, "lock", "generate", "--site-packages", site, "-o", ours_out]
        peer = [PYTHON, os.path.join(HERE, "importlib_generator.py"), site, "-o", peer_out]
        timed(ours)
        timed(peer)
        ours_times, peer_times = [], []
        for _ in range(args.repeat):
            ours_times.append(timed(ours))
            peer_times.append(timed(peer))
        with open(ours_out, "rb") as a, open(peer_out, "rb") as b:
            identical = a.read() == b.read()

    result = {
        "distributions": args.count,
        "repeat": args.repeat,
        "deskpack_median_ms": round(statistics.median(ours_times) * 1000, 1),
        "deskpack_min_ms": round(min(ours_times) * 1000, 1),
        "importlib_median_ms": round(statistics.median(peer_times) * 1000, 1),
        "importlib_min_ms": round(min(peer_times) * 1000, 1),
        "speedup_median": round(statistics.median(peer_times) / statistics.median(ours_times), 1),
        "identical_output": identical,
        "machine": f"{platform.platform()}, {os.cpu_count()} cores",
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"lock generate, {args.count} distributions, median of {args.repeat} runs")
        print(f"  deskpack          {result['deskpack_median_ms']:8.1f} ms (min {result['deskpack_min_ms']})")
        print(f"  importlib.metadata {result['importlib_median_ms']:7.1f} ms (min {result['importlib_min_ms']})")
        print(f"  speedup           {result['speedup_median']:8.1f}x")
        print(f"  identical output  {identical}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
