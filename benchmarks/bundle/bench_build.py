#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Times `deskpack build` of the demo app per phase, and in the same run a
naive peer doing the same work with stock tools (copy the interpreter and its
stdlib, `pip install --target` from the same wheelhouse, `compileall`), which
yields a bundle that is neither relocatable, validated, locked nor
reproducible. Reports medians, bundle size against the source runtime, and
the size of each part.

usage: bench_build.py --deskpack build/bin/deskpack [--repeat 3] [--json]
"""
import argparse
import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = "/usr/bin/python3.11"


def du(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                total += os.path.getsize(p)
    return total


def peer_build(out, wheelhouse):
    """The same work without Deskpack: copy, pip --target, compileall."""
    start = time.perf_counter()
    phases = {}
    t = time.perf_counter()
    os.makedirs(os.path.join(out, "runtime/bin"))
    shutil.copy2(PY, os.path.join(out, "runtime/bin/python3.11"))
    shutil.copytree("/usr/lib/python3.11", os.path.join(out, "runtime/lib/python3.11"), symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "dist-packages", "config-*", "test",
                                                  "idlelib", "tkinter", "ensurepip"))
    phases["runtime"] = time.perf_counter() - t
    t = time.perf_counter()
    pip = sorted(glob.glob("/usr/share/python-wheels/pip-*.whl"))[-1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    subprocess.run([PY, os.path.join(pip, "pip"), "install", "-q", "--isolated", "--no-index",
                    "--find-links", wheelhouse, "--no-compile", "--target",
                    os.path.join(out, "runtime/lib/python3.11/site-packages"), "demo_units==0.3.1", pip],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    phases["dependencies"] = time.perf_counter() - t
    t = time.perf_counter()
    shutil.copytree(os.path.join(ROOT, "resources/demo/backend"), os.path.join(out, "app"))
    subprocess.run([PY, "-m", "compileall", "-q", "-j", "0", os.path.join(out, "runtime/lib/python3.11"),
                    os.path.join(out, "app")], stdout=subprocess.DEVNULL)
    phases["byte-compile"] = time.perf_counter() - t
    return time.perf_counter() - start, phases


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--deskpack", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    deskpack = os.path.abspath(args.deskpack)
    wheelhouse = os.path.join(os.path.dirname(os.path.dirname(deskpack)), "wheelhouse")
    config = os.path.join(ROOT, "resources/demo/deskpack.json")

    ours, peer, phases, peer_phases = [], [], {}, {}
    summary = None
    with tempfile.TemporaryDirectory(prefix="deskpack-bench-build-") as tmp:
        for i in range(args.repeat):
            out = os.path.join(tmp, f"ours{i}")
            start = time.perf_counter()
            result = subprocess.run([deskpack, "build", config, "--out", out, "--json"],
                                    check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            ours.append(time.perf_counter() - start)
            summary = json.loads(result.stdout)
            for name, ms in summary["phasesMs"].items():
                phases.setdefault(name, []).append(ms)
            bundle = summary["bundle"]
            parts = {
                "runtime (interpreter, stdlib, libraries)": du(os.path.join(bundle, "runtime")) -
                du(os.path.join(bundle, "runtime/lib/python3.11/site-packages")),
                "core site-packages": du(os.path.join(bundle, "runtime/lib/python3.11/site-packages")),
                "app + resources + manifest": du(os.path.join(bundle, "app")) +
                du(os.path.join(bundle, "resources")) + os.path.getsize(os.path.join(bundle, "bundle.json")),
            }
            pyc = sum(os.path.getsize(p) for p in glob.glob(os.path.join(bundle, "**/*.pyc"), recursive=True))
            shutil.rmtree(out)
            total, p = peer_build(os.path.join(tmp, f"peer{i}"), wheelhouse)
            peer.append(total)
            for name, s in p.items():
                peer_phases.setdefault(name, []).append(s * 1000)
            peer_bytes = du(os.path.join(tmp, f"peer{i}"))
            shutil.rmtree(os.path.join(tmp, f"peer{i}"))

    result = {
        "repeat": args.repeat,
        "deskpack_total_s": round(statistics.median(ours), 2),
        "deskpack_phases_ms": {k: statistics.median(v) for k, v in phases.items()},
        "peer_total_s": round(statistics.median(peer), 2),
        "peer_phases_ms": {k: round(statistics.median(v)) for k, v in peer_phases.items()},
        "bundle_bytes": summary["bytes"],
        "bundle_files": summary["files"],
        "runtime_source_bytes": summary["runtimeSourceBytes"],
        "pyc_bytes": pyc,
        "parts_bytes": parts,
        "peer_bytes": peer_bytes,
        "machine": f"{platform.platform()}, {os.cpu_count()} cores",
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"deskpack build of the demo, median of {args.repeat}: {result['deskpack_total_s']} s")
        for k, v in result["deskpack_phases_ms"].items():
            print(f"  {k:14} {v:8.0f} ms")
        print(f"naive peer (copy + pip --target + compileall): {result['peer_total_s']} s")
        for k, v in result["peer_phases_ms"].items():
            print(f"  {k:14} {v:8.0f} ms")
        mb = lambda b: f"{b / 1e6:.1f} MB"
        print(f"bundle {mb(result['bundle_bytes'])} in {result['bundle_files']} files; "
              f"runtime before dependencies and pruning {mb(result['runtime_source_bytes'])}; "
              f".pyc {mb(pyc)}; peer tree {mb(peer_bytes)}")
        for k, v in parts.items():
            print(f"  {k:42} {mb(v)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
