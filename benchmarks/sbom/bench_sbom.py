#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Times `deskpack sbom` (CycloneDX 1.6 and SPDX 2.3) on the demo bundle and on
a 90-distribution bundle, against the peer in the same run:

  pip inspect --path <core site-packages>, run by the bundle's own Python and
  pip (python -I -m pip inspect): pip's JSON inventory of the installed
  distributions (name, version, METADATA as JSON, installer, direct URL).

The peer does strictly less: no native libraries and their versions, no
runtime origin, no licence mapping to SPDX, no licence files, no dependency
graph, no schema-valid SBOM. Both read the same files; both are whole
processes timed from start to exit, alternating which goes first each round.

The 90-distribution bundle is a copy of the demo bundle with 87 synthetic
distributions added to its core site-packages (dist-info with METADATA,
RECORD, a licence file, licences as License-Expression, License: or
classifiers, and Requires-Dist chains) and its lock regenerated with
`deskpack lock generate`.

usage: bench_sbom.py --deskpack build/bin/deskpack [--bundle DIR] [--repeat 10] [--json]
Without --bundle the demo bundle is built first (byte-compile off).
"""
import argparse
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
EXTRA = 87
LICENCES = [
    "License-Expression: MIT",
    "License-Expression: Apache-2.0 OR BSD-3-Clause",
    "License: BSD",
    "Classifier: License :: OSI Approved :: MIT License",
    "Classifier: License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
    "License: Copyright (c) Synthetic Corp. All rights reserved.",
]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def build_demo(deskpack, work):
    config = {
        "id": "deskpack-demo", "name": "Deskpack Demo", "version": "1.0.0",
        "runtime": {"python": "/usr/bin/python3.11"},
        "wheelhouse": os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(deskpack))),
                                   "wheelhouse"),
        "requirements": ["demo_units==0.3.1"],
        "app": {"source": os.path.join(ROOT, "resources/demo/backend"), "module": "demo_backend",
                "args": ["--port", "0"]},
        "readiness": {"heartbeat": True, "timeout": 20},
        "prune": ["tests", "idlelib", "tkinter", "ensurepip"], "byteCompile": False,
    }
    path = os.path.join(work, "deskpack.json")
    with open(path, "w") as f:
        json.dump(config, f)
    run([deskpack, "build", path, "--out", os.path.join(work, "out")])
    return os.path.join(work, "out", "Deskpack Demo")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def add_distributions(deskpack, bundle, count):
    manifest = json.load(open(os.path.join(bundle, "bundle.json")))
    site = os.path.join(bundle, manifest["coreSitePackages"])
    for i in range(count):
        name, version = f"synth-dist-{i:03d}", f"1.{i % 7}.{i}"
        module = name.replace("-", "_")
        info = f"{module}-{version}.dist-info"
        requires = "".join(f"Requires-Dist: synth-dist-{j:03d}>=1\n" for j in (i + 1, i + 2) if j < count)
        requires += "Requires-Dist: pytest; extra == \"test\"\n"
        write(os.path.join(site, module, "__init__.py"), "")
        write(os.path.join(site, info, "METADATA"),
              f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
              f"Summary: synthetic distribution {i}\n{LICENCES[i % len(LICENCES)]}\n"
              f"License-File: LICENSE\n{requires}\n" + "Long description.\n" * 200)
        write(os.path.join(site, info, "licenses", "LICENSE"), "Licence text\n" * 20)
        write(os.path.join(site, info, "top_level.txt"), module + "\n")
        write(os.path.join(site, info, "RECORD"),
              f"{module}/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n"
              f"{info}/METADATA,,\n{info}/RECORD,,\n")
    lock = os.path.join(bundle, manifest["lock"])
    run([deskpack, "lock", "generate", "--site-packages", site, "-o", lock])
    return len(json.load(open(lock))["distributions"])


def timed(cmd):
    start = time.perf_counter()
    out = run(cmd)
    return time.perf_counter() - start, out.stdout


def bench(deskpack, bundle, repeat):
    manifest = json.load(open(os.path.join(bundle, "bundle.json")))
    python = os.path.join(bundle, manifest["python"])
    site = os.path.join(bundle, manifest["coreSitePackages"])
    commands = {
        "deskpack sbom --format cyclonedx": [deskpack, "sbom", bundle, "--format", "cyclonedx"],
        "deskpack sbom --format spdx": [deskpack, "sbom", bundle, "--format", "spdx"],
        "pip inspect --path (peer)": [python, "-I", "-m", "pip", "inspect", "--path", site],
    }
    times = {k: [] for k in commands}
    sizes = {}
    names = list(commands)
    for k in names:  # warm the page cache once
        sizes[k] = len(timed(commands[k])[1])
    for r in range(repeat):
        order = names if r % 2 == 0 else list(reversed(names))
        for k in order:
            times[k].append(timed(commands[k])[0])
    cdx = json.loads(run(commands[names[0]]).stdout)
    return {k: {"median_ms": round(statistics.median(v) * 1000, 1),
                "min_ms": round(min(v) * 1000, 1), "output_bytes": sizes[k]}
            for k, v in times.items()} | {"components": len(cdx["components"])}


def machine():
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deskpack", required=True)
    parser.add_argument("--bundle")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    deskpack = os.path.abspath(args.deskpack)
    with tempfile.TemporaryDirectory(prefix="bench-sbom-") as work:
        demo = args.bundle or build_demo(deskpack, work)
        big = os.path.join(work, "big", os.path.basename(demo))
        shutil.copytree(demo, big, symlinks=True)
        dists = add_distributions(deskpack, big, EXTRA)
        results = {"machine": machine(), "repeat": args.repeat,
                   "demo": bench(deskpack, demo, args.repeat),
                   f"{dists} distributions": bench(deskpack, big, args.repeat)}
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
        return
    print(f"machine: {results['machine']}; median of {args.repeat}")
    for bundle in [k for k in results if k not in ("machine", "repeat")]:
        r = results[bundle]
        print(f"\n{bundle} ({r['components']} components)")
        for k, v in r.items():
            if k != "components":
                print(f"  {k:36s} {v['median_ms']:8.1f} ms  (min {v['min_ms']:.1f}, {v['output_bytes']} B)")


if __name__ == "__main__":
    main()
