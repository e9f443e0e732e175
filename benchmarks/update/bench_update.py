#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Bytes downloaded and time to apply an update, for three kinds of release of
the demo app, against the peers in the same run:

  one-file   1.0.1 changes one line of the backend's source
  dependency 1.0.1 bumps demo_units 0.3.1 -> 0.3.2 (a wheel rebuilt from the
             fixture with a new version and one changed line)
  python     1.0.1 moves the runtime from Debian's python3.11 to pyenv's 3.11.7
             (a new Python patch release: interpreter, stdlib, lib-dynload)

For each, 1.0.0 and 1.0.1 are built, published with `deskpack release` into
one feed (signed), 1.0.0 is installed with its installer for a temporary
HOME, and then:

  bytes      the full package (what a client without a delta downloads), our
             per-file delta, and the peer: a whole-archive
             `zstd -19 --long=31 --patch-from=OLD.tar NEW.tar` of the two packages
  apply      `<app-id> update apply` from the downloaded delta (builds
             versions/1.0.1 from the installed tree, checks every file, backs
             up state, switches current), against the bare peer
             `tar --zstd -xf NEW.tar.zst` into a fresh directory (no check) and
             the whole-archive patch peer (zstd -d --patch-from, then tar -xf)

Rounds alternate the order; medians are reported. Nothing is downloaded from
the network: the feed is a file:// URL (the download is not timed here; the
fault tests time nothing and check resumption).

usage: bench_update.py --deskpack build/bin/deskpack [--repeat 3] [--scenario NAME]... [--json]
"""
import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "resources/demo")
FIXTURES = os.path.join(ROOT, "tests/fixtures/wheels")
PYENV = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
PATCH_PYTHON = os.path.join(PYENV, "versions/3.11.7/bin/python3.11")
EPOCH = "1700000000"
APP = "deskpack-demo"


def run(cmd, env=None, capture=False, **kw):
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, **kw)
    if proc.returncode != 0:
        sys.exit("bench_update: %s failed (%d):\n%s" % (" ".join(cmd), proc.returncode,
                                                         proc.stderr[-4000:]))
    return proc.stdout


def timed(cmd, env=None):
    start = time.perf_counter()
    run(cmd, env=env)
    return time.perf_counter() - start


def build_wheelhouse(work, bump):
    """The demo's wheelhouse; with bump, demo_units 0.3.2 instead of 0.3.1."""
    house = os.path.join(work, "wheelhouse-bumped" if bump else "wheelhouse")
    if os.path.isdir(house):
        return house
    base = os.path.join(ROOT, "build/wheelhouse")
    os.makedirs(house)
    for wheel in glob.glob(os.path.join(base, "*.whl")):
        if not (bump and os.path.basename(wheel).startswith("demo_units-")):
            shutil.copy(wheel, house)
    if bump:
        src = os.path.join(work, "fixtures")
        shutil.rmtree(src, ignore_errors=True)
        shutil.copytree(FIXTURES, src)
        project = os.path.join(src, "demo_units", "pyproject.toml")
        with open(project) as f:
            text = f.read().replace('version = "0.3.1"', 'version = "0.3.2"')
        with open(project, "w") as f:
            f.write(text)
        with open(os.path.join(src, "demo_units/demo_units/__init__.py"), "a") as f:
            f.write("\n# 0.3.2: one changed line\n")
        run(["/usr/bin/python3", os.path.join(src, "build_wheels.py"), house, "demo_units"])
        with open(os.path.join(work, "requirements-bumped.txt"), "w") as f:
            f.write("demo_units==0.3.2\n")
    return house


def write_config(work, name, version, public_key, feed_url, scenario, new):
    app = os.path.join(work, "app-" + name)
    shutil.rmtree(app, ignore_errors=True)
    shutil.copytree(DEMO, app)
    with open(os.path.join(DEMO, "deskpack.json")) as f:
        config = json.load(f)
    config["version"] = version
    config["wheelhouse"] = build_wheelhouse(work, new and scenario == "dependency")
    config["signing"] = {"publicKey": public_key}
    config["update"] = {"feed": feed_url, "channel": "stable"}
    if new and scenario == "dependency":
        config["requirements"] = os.path.join(work, "requirements-bumped.txt")
    if new and scenario == "python":
        config["runtime"] = {"python": PATCH_PYTHON}
    if new and scenario == "one-file":
        source = os.path.join(app, "backend/demo_backend/__init__.py")
        if not os.path.exists(source):
            source = sorted(glob.glob(os.path.join(app, "backend/**/*.py"), recursive=True))[0]
        with open(source, "a") as f:
            f.write("\n# 1.0.1: one changed line\n")
    path = os.path.join(app, "deskpack.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return path


def public_key_text(path):
    with open(path) as f:
        return [line.strip() for line in f if line.strip().startswith("RW")][0]


def prepare(args, work, scenario):
    """Builds 1.0.0 and 1.0.1, publishes both; returns paths and sizes."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    keys = os.path.join(work, "keys")
    if not os.path.isdir(keys):
        os.makedirs(keys)
        run([args.deskpack, "keygen", "-p", keys + "/k.pub", "-s", keys + "/k.sec", "-W"])
    key = public_key_text(keys + "/k.pub")
    feed = os.path.join(work, "feed-" + scenario)
    shutil.rmtree(feed, ignore_errors=True)
    os.makedirs(feed)
    bundles = {}
    for version, new in (("1.0.0", False), ("1.0.1", True)):
        config = write_config(work, scenario + version, version, key, "file://" + feed, scenario, new)
        out = os.path.join(work, "dist-%s-%s" % (scenario, version))
        shutil.rmtree(out, ignore_errors=True)
        run([args.deskpack, "build", config, "--out", out], env=env)
        bundles[version] = glob.glob(os.path.join(out, "*"))[0]
        report = json.loads(run([args.deskpack, "release", bundles[version], "--feed", feed,
                                 "--channel", "stable", "-s", keys + "/k.sec", "--json"],
                                env=env, capture=True))
    installers = os.path.join(work, "installer-" + scenario)
    shutil.rmtree(installers, ignore_errors=True)
    run([args.deskpack, "package", bundles["1.0.0"], "--format", "installer", "--out",
         installers], env=env)
    with open(os.path.join(feed, "channels/stable.json")) as f:
        channel = json.load(f)
    return feed, channel, glob.glob(os.path.join(installers, "*.run"))[0], report


def whole_archive_patch(work, feed, channel):
    """The peer's delta: zstd --patch-from over the two packages' tars."""
    packages = sorted(glob.glob(os.path.join(feed, "packages/*.tar.zst")))
    old = [p for p in packages if "-1.0.0-" in p][0]
    new = os.path.join(feed, channel["package"]["path"])
    tars = []
    for pkg in (old, new):
        tar = os.path.join(work, os.path.basename(pkg)[:-4])
        run(["zstd", "-q", "-f", "-d", pkg, "-o", tar])
        tars.append(tar)
    patch = os.path.join(work, "whole.patch.zst")
    run(["zstd", "-q", "-f", "-19", "--long=31", "--patch-from=" + tars[0], tars[1], "-o", patch])
    return tars, patch, new


def install_old(work, installer, round_no):
    home = os.path.join(work, "home-%d" % round_no)
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    env = dict(os.environ, HOME=home, XDG_DATA_HOME="")
    run([installer, "--silent"], env=env)
    app = os.path.join(home, ".local/bin", APP)
    run([app, "update", "download"], env=env)
    return home, env, app


def measure(args, work, scenario):
    feed, channel, installer, report = prepare(args, work, scenario)
    tars, patch, new_package = whole_archive_patch(work, feed, channel)
    delta = [d for d in channel.get("deltas", []) if d["fromVersion"] == "1.0.0"]
    times = {"apply": [], "tar": [], "patch-from": []}
    for r in range(args.repeat):
        home, env, app = install_old(work, installer, r)
        order = ["apply", "tar", "patch-from"]
        if r % 2:
            order.reverse()
        for what in order:
            target = os.path.join(work, "peer-out")
            shutil.rmtree(target, ignore_errors=True)
            os.makedirs(target)
            if what == "apply":
                times[what].append(timed([app, "update", "apply"], env=env))
            elif what == "tar":
                times[what].append(timed(["tar", "--zstd", "-xf", new_package, "-C", target]))
            else:
                out_tar = os.path.join(work, "peer.tar")
                start = time.perf_counter()
                run(["zstd", "-q", "-f", "-d", "--long=31", "--patch-from=" + tars[0], patch,
                     "-o", out_tar])
                run(["tar", "-xf", out_tar, "-C", target])
                times[what].append(time.perf_counter() - start)
        shutil.rmtree(home, ignore_errors=True)
    package_size = channel["package"]["size"]
    result = {
        "scenario": scenario,
        "package_bytes": package_size,
        "delta_bytes": delta[0]["file"]["size"] if delta else None,
        "whole_archive_patch_bytes": os.path.getsize(patch),
        "apply_s": statistics.median(times["apply"]),
        "tar_xf_s": statistics.median(times["tar"]),
        "patch_from_apply_s": statistics.median(times["patch-from"]),
    }
    if result["delta_bytes"]:
        result["delta_percent_of_package"] = 100.0 * result["delta_bytes"] / package_size
    result["apply_vs_tar"] = result["apply_s"] / result["tar_xf_s"]
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--deskpack", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenario", action="append",
                        choices=["one-file", "dependency", "python"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.deskpack = os.path.abspath(args.deskpack)
    scenarios = args.scenario or ["one-file", "dependency", "python"]
    if "python" in scenarios and not os.path.exists(PATCH_PYTHON):
        sys.exit("bench_update: %s is missing (the python scenario needs pyenv 3.11.7)"
                 % PATCH_PYTHON)
    results = []
    with tempfile.TemporaryDirectory(prefix="deskpack-bench-update-") as work:
        for scenario in scenarios:
            results.append(measure(args, work, scenario))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print("%-11s %12s %12s %8s %14s %9s %9s %9s %7s" % (
        "scenario", "package B", "delta B", "delta %", "zstd-patch B", "apply s", "tar s",
        "patch s", "x tar"))
    for r in results:
        print("%-11s %12d %12s %8s %14d %9.3f %9.3f %9.3f %7.2f" % (
            r["scenario"], r["package_bytes"], r["delta_bytes"],
            "%.3f" % r["delta_percent_of_package"] if r.get("delta_percent_of_package") else "-",
            r["whole_archive_patch_bytes"], r["apply_s"], r["tar_xf_s"], r["patch_from_apply_s"],
            r["apply_vs_tar"]))


if __name__ == "__main__":
    main()
