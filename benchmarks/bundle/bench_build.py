#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Times `deskpack build` of the demo app per interpreter version, and in the
same run a naive peer doing the same work with stock tools (copy the
interpreter, its shared libpython if any, and its stdlib; `pip install
--target` from the same wheelhouse with the same pip; `compileall`), which
yields a tree that is neither relocatable, validated, locked nor reproducible.

For each interpreter (Debian's /usr/bin/python3.11 and pyenv's 3.10.13, 3.12.1,
3.13.0 when present) it measures:
  host   `deskpack build` with "runtime": {"python": EXE} (the copy every time)
  cold   `deskpack build` from a `deskpack runtime pack` archive, empty cache
  warm   the same build again, runtime cache warm (extraction skipped)
  peer   the naive copy + pip --target + compileall
Rounds alternate the four; medians are reported with the phase times of the
host build and the pip each build used.

usage: bench_build.py --deskpack build/bin/deskpack [--repeat 3] [--python EXE]... [--json]
"""
import argparse
import glob
import hashlib
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
DEMO = os.path.join(ROOT, "resources/demo")
PYENV = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
DEFAULT_PYTHONS = ["/usr/bin/python3.11"] + [
    os.path.join(PYENV, "versions", v, "bin", "python" + v.rsplit(".", 1)[0])
    for v in ("3.10.13", "3.12.1", "3.13.0")]
PRUNED = ("test", "idlelib", "tkinter", "ensurepip")


def du(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                total += os.path.getsize(p)
    return total


def probe(python):
    code = ("import json, sys, sysconfig; print(json.dumps({'version': '%d.%d.%d' % "
            "sys.version_info[:3], 'short': '%d.%d' % sys.version_info[:2], "
            "'stdlib': sysconfig.get_path('stdlib'), 'libdir': sysconfig.get_config_var('LIBDIR'), "
            "'ldlibrary': sysconfig.get_config_var('LDLIBRARY'), "
            "'shared': bool(sysconfig.get_config_var('Py_ENABLE_SHARED'))}))")
    return json.loads(subprocess.run([python, "-I", "-c", code], check=True,
                                     stdout=subprocess.PIPE, text=True).stdout)


def needs_libpython(python, info):
    """Whether the interpreter binary itself has libpython as NEEDED (Debian's
    is built with a shared libpython but links it statically)."""
    out = subprocess.run(["readelf", "-d", os.path.realpath(python)], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout
    return bool(info["ldlibrary"]) and "[" + info["ldlibrary"].split(".so")[0] in out


def peer_pip(info):
    """The pip deskpack would pick for a host runtime: ensurepip's, else Debian's."""
    bundled = sorted(glob.glob(os.path.join(info["stdlib"], "ensurepip/_bundled/pip-*.whl")))
    if bundled:
        return bundled[-1]
    return sorted(glob.glob("/usr/share/python-wheels/pip-*.whl"))[-1]


def peer_build(python, info, out, wheelhouse):
    """The same work without Deskpack: copy, pip --target, compileall."""
    start = time.perf_counter()
    short = info["short"]
    rt = os.path.join(out, "runtime")
    os.makedirs(os.path.join(rt, "bin"))
    os.makedirs(os.path.join(rt, "lib"))
    shutil.copy2(os.path.realpath(python), os.path.join(rt, "bin", "python" + short))
    if needs_libpython(python, info):  # pyenv builds: the interpreter links libpython
        for lib in glob.glob(os.path.join(info["libdir"], info["ldlibrary"] + "*")):
            shutil.copy2(lib, os.path.join(rt, "lib"), follow_symlinks=False)
    stdlib = os.path.join(rt, "lib", "python" + short)
    shutil.copytree(info["stdlib"], stdlib, symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "site-packages", "dist-packages",
                                                  "config-*", *PRUNED))
    pip = peer_pip(info)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    subprocess.run([python, os.path.join(pip, "pip"), "install", "-q", "--isolated", "--no-index",
                    "--find-links", wheelhouse, "--no-compile", "--target",
                    os.path.join(stdlib, "site-packages"), "demo_units==0.3.1", pip],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.copytree(os.path.join(DEMO, "backend"), os.path.join(out, "app"))
    subprocess.run([python, "-m", "compileall", "-q", "-j", "0", stdlib, os.path.join(out, "app")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def write_config(path, runtime, wheelhouse):
    with open(os.path.join(DEMO, "deskpack.json")) as f:
        config = json.load(f)
    config["runtime"] = runtime
    config["wheelhouse"] = wheelhouse
    config["requirements"] = os.path.join(DEMO, "requirements.txt")
    config["app"]["source"] = os.path.join(DEMO, "backend")
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return path


def deskpack_build(deskpack, config, out, cache):
    start = time.perf_counter()
    result = subprocess.run([deskpack, "build", config, "--out", out, "--cache-dir", cache,
                             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench_build.py: {config} failed:\n{result.stderr}")
    return elapsed, json.loads(result.stdout)


def bench_one(deskpack, python, wheelhouse, tmp, repeat):
    info = probe(python)
    work = os.path.join(tmp, info["version"])
    os.makedirs(work)
    env = {k: v for k, v in os.environ.items() if k != "DESKPACK_PIP_WHEEL"}
    archive = os.path.join(work, f"python-{info['version']}.tar.gz")
    start = time.perf_counter()
    subprocess.run([deskpack, "runtime", "pack", "--python", python, "-o", archive] +
                   [a for m in ("test", "idlelib", "tkinter") for a in ("--exclude", m)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    pack_s = time.perf_counter() - start
    with open(archive, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    host_config = write_config(os.path.join(work, "host.json"), {"python": python}, wheelhouse)
    archive_config = write_config(os.path.join(work, "archive.json"),
                                  {"archive": archive, "sha256": sha}, wheelhouse)

    times = {"host": [], "cold": [], "warm": [], "peer": []}
    phases, pips, summary = {}, {}, None
    kind_phases = {}  # kind -> phase -> [ms]: the runtime and pip phases of each kind
    for i in range(repeat):
        cache = os.path.join(work, f"cache{i}")
        for kind in ("host", "cold", "warm"):
            out = os.path.join(work, f"{kind}{i}")
            config = host_config if kind == "host" else archive_config
            elapsed, summary_i = deskpack_build(deskpack, config, out, cache)
            if kind == "cold" and summary_i["runtimeFromCache"]:
                sys.exit("bench_build.py: the cold build found the runtime in the cache")
            if kind == "warm" and not summary_i["runtimeFromCache"]:
                sys.exit("bench_build.py: the warm build did not reuse the runtime cache")
            times[kind].append(elapsed)
            pips[kind] = f"{summary_i['pip']['version']} ({summary_i['pip']['source']})"
            for name in ("runtime", "pip"):
                kind_phases.setdefault(kind, {}).setdefault(name, []).append(
                    summary_i["phasesMs"][name])
            if kind == "host":
                summary = summary_i
                for name, ms in summary_i["phasesMs"].items():
                    phases.setdefault(name, []).append(ms)
            shutil.rmtree(out)
        shutil.rmtree(cache)
        peer_out = os.path.join(work, f"peer{i}")
        times["peer"].append(peer_build(python, info, peer_out, wheelhouse))
        peer_bytes = du(peer_out)
        shutil.rmtree(peer_out)
    return {
        "python": python,
        "version": info["version"],
        "needs_libpython": needs_libpython(python, info),
        "pack_s": round(pack_s, 2),
        "median_s": {k: round(statistics.median(v), 2) for k, v in times.items()},
        "host_phases_ms": {k: statistics.median(v) for k, v in phases.items()},
        "runtime_pip_phases_ms": {kind: {k: statistics.median(v) for k, v in p.items()}
                                  for kind, p in kind_phases.items()},
        "pip": pips,
        "peer_pip": os.path.basename(peer_pip(info)),
        "bundle_bytes": summary["bytes"],
        "bundle_files": summary["files"],
        "peer_bytes": peer_bytes,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--deskpack", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--python", action="append", help="interpreter(s); default: "
                        "Debian 3.11 and pyenv 3.10.13/3.12.1/3.13.0 when present")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    deskpack = os.path.abspath(args.deskpack)
    wheelhouse = os.path.join(os.path.dirname(os.path.dirname(deskpack)), "wheelhouse")
    pythons = args.python or [p for p in DEFAULT_PYTHONS if os.access(p, os.X_OK)]
    missing = [p for p in (args.python or DEFAULT_PYTHONS) if not os.access(p, os.X_OK)]

    results = []
    with tempfile.TemporaryDirectory(prefix="deskpack-bench-build-") as tmp:
        for python in pythons:
            results.append(bench_one(deskpack, python, wheelhouse, tmp, args.repeat))
    load = os.getloadavg()
    report = {"repeat": args.repeat, "results": results, "missing": missing,
              "machine": f"{platform.platform()}, {os.cpu_count()} cores",
              "load_average_after": [round(x, 1) for x in load]}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"deskpack build of the demo, median of {args.repeat} (seconds); load average after: "
          f"{report['load_average_after']}")
    print(f"{'Python':10} {'host':>6} {'cold':>6} {'warm':>6} {'peer':>6}  pip (deskpack / peer)")
    for r in results:
        m = r["median_s"]
        print(f"{r['version']:10} {m['host']:6.2f} {m['cold']:6.2f} {m['warm']:6.2f} "
              f"{m['peer']:6.2f}  {r['pip']['host']} / {r['peer_pip']}")
    print("runtime / pip phase (ms): host, cold cache, warm cache")
    for r in results:
        p = r["runtime_pip_phases_ms"]
        print(f"  {r['version']:10} " + ", ".join(
            f"{p[k]['runtime']:.0f} / {p[k]['pip']:.0f}" for k in ("host", "cold", "warm")))
    for r in results:
        print(f"{r['version']}: pack {r['pack_s']} s; bundle {r['bundle_bytes'] / 1e6:.1f} MB in "
              f"{r['bundle_files']} files; peer tree {r['peer_bytes'] / 1e6:.1f} MB; host phases:")
        for k, v in r["host_phases_ms"].items():
            print(f"  {k:14} {v:8.0f} ms")
    for p in missing:
        print(f"skipped (missing): {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
