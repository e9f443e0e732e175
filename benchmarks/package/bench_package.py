#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Times `deskpack package` per format against the stock tool that packs the
same tree, in one run, alternating which goes first each round:

  tar.gz   GNU tar --sort=name --owner=0 --group=0 --mtime=@E | gzip -n -6
  tar.zst  GNU tar (same options) --zstd (level 3)
  zip      zip -r -X -y (deflate 6)
  deb      dpkg-deb --root-owner-group -Zxz -z6 --build of the bundle staged
           under opt/<app-id>/ with a DEBIAN/control (staging not timed)
  installer  the makeself way: the tar.zst above appended to the same
           deskpack-installer template with cat (no header, no trailer)

Like for like: for zip, tar and installer, deskpack packs a self-contained
tree (the bundle plus lib/, plugins/ and qt.conf: Qt and what it needs, the
launcher's RUNPATH rewritten). Before timing, that tree is staged once
(untimed) by extracting deskpack's own tar.zst, and the tar, zip and
installer peers pack it; the deb carries no Qt, so its peer packs the bundle
as built, like deskpack.

The peers only pack; deskpack also verifies the bundle (every SHA-256, the
lock, the ELF audit) first, stages the self-contained tree, and for the deb
derives Depends and writes md5sums, the menu entry, icon and docs. Reports
the median time and the size of each, and deskpack's own phases (verify,
staging, archive, installer, cleanup; from its deskpack.packager.timing log),
plus `deskpack verify` on its own.

With --install-repeat N (default 3; 0 skips it) it then times the installer
the package step produced: a silent first install into a fresh HOME, and a
silent upgrade to the same bundle at another version, each against the bare
peer `tar --zstd -xf` of the same (self-contained) payload into a fresh directory (no hash
check, no verification, no links).

usage: bench_package.py --deskpack build/bin/deskpack [--bundle DIR]
                        [--repeat 3] [--deb-repeat 1] [--install-repeat 3] [--json]
Without --bundle the demo bundle is built first (byte-compile off).
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EPOCH = "1700000000"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          **kw)


PHASE = re.compile(r"phase (\w+) ([0-9.]+) ms")


def phases(stderr):
    return {m.group(1): float(m.group(2)) / 1000
            for m in PHASE.finditer(stderr.decode(errors="replace"))}


def stage_self_contained(deskpack, bundle, work):
    # The tree deskpack packs for zip, tar and the installer: its own
    # reproducible tar.zst, extracted once (not timed).
    out = os.path.join(work, "sc-archive")
    os.makedirs(out)
    run([deskpack, "package", bundle, "--format", "tar.zst", "--out", out])
    archive = os.path.join(out, os.listdir(out)[0])
    tree = os.path.join(work, "selfcontained")
    os.makedirs(tree)
    run(["tar", "--zstd", "-xf", archive, "-C", tree])
    shutil.rmtree(out)
    return os.path.join(tree, os.path.basename(bundle))


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


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


def tar_flags():
    return ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@" + EPOCH,
            "--format=pax", "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime"]


def peer(fmt, bundle, out, deb_stage, template=None):
    parent, name = os.path.split(bundle)
    if fmt == "installer":
        payload = out + "/peer-payload.tar.zst"
        run(["tar"] + tar_flags() + ["--zstd", "-C", bundle, "-cf", payload, "."])
        target = out + "/peer.run"
        with open(target, "wb") as f:
            subprocess.run(["cat", template, payload], check=True, stdout=f)
        os.remove(payload)
        return target
    if fmt == "tar.gz":
        target = out + "/peer.tar.gz"
        run(["tar"] + tar_flags() + ["-I", "gzip -n -6", "-C", parent, "-cf", target, name])
    elif fmt == "tar.zst":
        target = out + "/peer.tar.zst"
        run(["tar"] + tar_flags() + ["--zstd", "-C", parent, "-cf", target, name])
    elif fmt == "zip":
        target = out + "/peer.zip"
        run(["zip", "-q", "-r", "-X", "-y", "-6", target, name], cwd=parent)
    else:
        target = out + "/peer.deb"
        run(["dpkg-deb", "--root-owner-group", "-Zxz", "-z6", "--build", deb_stage, target])
    return target


def stage_deb(bundle, work):
    stage = os.path.join(work, "debstage")
    shutil.copytree(bundle, os.path.join(stage, "opt/deskpack-demo"), symlinks=True)
    os.makedirs(os.path.join(stage, "DEBIAN"))
    with open(os.path.join(stage, "DEBIAN/control"), "w") as f:
        f.write("Package: deskpack-demo\nVersion: 1.0.0\nArchitecture: amd64\n"
                "Maintainer: Bench <bench@example.invalid>\nDescription: bench\n bench\n")
    return stage


def bundle_at_version(bundle, work, version):
    # bundle.json lists every other file's hash, not its own: a new version
    # is a copy with the version field changed.
    copy = os.path.join(work, "bundle-" + version, os.path.basename(bundle))
    shutil.copytree(bundle, copy, symlinks=True)
    path = os.path.join(copy, "bundle.json")
    with open(path) as f:
        manifest = json.load(f)
    manifest["version"] = version
    with open(path, "w") as f:
        f.write(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return copy


def make_installer(deskpack, bundle, out):
    os.makedirs(out)
    result = subprocess.run([deskpack, "package", bundle, "--format", "installer", "--out", out],
                            check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return result.stdout.strip()


def bench_install(deskpack, bundle, packed, work, repeat):
    v1 = make_installer(deskpack, bundle, os.path.join(work, "inst-v1"))
    v2 = make_installer(deskpack, bundle_at_version(bundle, work, "2.0.0-bench"),
                        os.path.join(work, "inst-v2"))
    payload = os.path.join(work, "payload.tar.zst")
    run(["tar"] + tar_flags() + ["--zstd", "-C", packed, "-cf", payload, "."])
    times = {"install": [], "upgrade": [], "peer_extract": []}
    for i in range(repeat):
        home = tempfile.mkdtemp(dir=work, prefix="home-")
        env = dict(os.environ, HOME=home, XDG_DATA_HOME=os.path.join(home, ".local/share"))
        env.pop("DESKPACK_INSTALLER_KILL_AT", None)
        dest = tempfile.mkdtemp(dir=work, prefix="peer-")
        steps = [("install", lambda: run([v1, "--silent"], env=env)),
                 ("peer_extract", lambda: run(["tar", "--zstd", "-xf", payload, "-C", dest]))]
        for name, fn in (steps if i % 2 == 0 else steps[::-1]):
            times[name].append(timed(fn))
        times["upgrade"].append(timed(lambda: run([v2, "--silent"], env=env)))
        shutil.rmtree(home)
        shutil.rmtree(dest)
    out = {k + "_s": statistics.median(v) for k, v in times.items()}
    out["repeat"] = repeat
    out["installer_bytes"] = os.path.getsize(v1)
    print(f"install  first {out['install_s']:6.2f} s | upgrade {out['upgrade_s']:6.2f} s"
          f" | bare tar --zstd -xf {out['peer_extract_s']:6.2f} s ({repeat} rounds)",
          file=sys.stderr)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deskpack", required=True)
    ap.add_argument("--bundle")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--deb-repeat", type=int, default=1)
    ap.add_argument("--formats", default="tar.gz,tar.zst,zip,deb,installer")
    ap.add_argument("--install-repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    deskpack = os.path.abspath(args.deskpack)
    template = os.path.join(os.path.dirname(deskpack), "deskpack-installer")
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, TZ="UTC")
    os.environ.update(env)
    load_before = os.getloadavg()

    env["QT_LOGGING_RULES"] = "deskpack.packager.timing.info=true"
    os.environ.update(env)

    def tree_size(root):
        files = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]
        return len(files), sum(os.path.getsize(f) for f in files if not os.path.islink(f))

    with tempfile.TemporaryDirectory(prefix="bench_package-") as work:
        bundle = os.path.abspath(args.bundle) if args.bundle else build_demo(deskpack, work)
        deb_stage = stage_deb(bundle, work) if "deb" in args.formats else None
        packed = stage_self_contained(deskpack, bundle, work)
        tree_files, tree_bytes = tree_size(bundle)
        sc_files, sc_bytes = tree_size(packed)
        print(f"bundle {tree_files} files {tree_bytes / 2**20:.1f} MiB; self-contained tree"
              f" {sc_files} files {sc_bytes / 2**20:.1f} MiB", file=sys.stderr)
        verify = []
        for _ in range(args.repeat):
            verify.append(timed(lambda: run([deskpack, "verify", bundle])))
        print(f"deskpack verify {statistics.median(verify):.2f} s ({args.repeat} rounds)",
              file=sys.stderr)
        results = {}
        for fmt in args.formats.split(","):
            repeat = args.deb_repeat if fmt == "deb" else args.repeat
            times = {"deskpack": [], "peer": []}
            steps = []
            sizes = {}
            source = bundle if fmt == "deb" else packed
            for i in range(repeat):
                order = ["deskpack", "peer"] if i % 2 == 0 else ["peer", "deskpack"]
                for who in order:
                    out = tempfile.mkdtemp(dir=work)
                    if who == "deskpack":
                        cmd = [deskpack, "package", bundle, "--format", fmt, "--out", out]
                        done = []
                        times[who].append(timed(lambda: done.append(run(cmd))))
                        steps.append(phases(done[0].stderr))
                        sizes[who] = sum(os.path.getsize(os.path.join(out, f))
                                         for f in os.listdir(out))
                    else:
                        target = []
                        times[who].append(timed(lambda: target.append(
                            peer(fmt, source, out, deb_stage, template))))
                        sizes[who] = os.path.getsize(target[0])
                    shutil.rmtree(out)
            results[fmt] = {
                "repeat": repeat,
                "deskpack_s": statistics.median(times["deskpack"]),
                "peer_s": statistics.median(times["peer"]),
                "deskpack_bytes": sizes["deskpack"],
                "peer_bytes": sizes["peer"],
                "phases_s": {k: statistics.median(s.get(k, 0.0) for s in steps)
                             for k in sorted({k for s in steps for k in s})},
            }
            r = results[fmt]
            print(f"{fmt:8} deskpack {r['deskpack_s']:7.2f} s {r['deskpack_bytes'] / 2**20:7.2f} MiB"
                  f" | peer {r['peer_s']:7.2f} s {r['peer_bytes'] / 2**20:7.2f} MiB"
                  f" | time ratio {r['deskpack_s'] / r['peer_s']:.2f}", file=sys.stderr)
            print("         deskpack phases (median): " +
                  ", ".join(f"{k} {v:.2f} s" for k, v in r["phases_s"].items()), file=sys.stderr)
        summary = {"tree_files": tree_files, "tree_bytes": tree_bytes,
                   "self_contained_files": sc_files, "self_contained_bytes": sc_bytes,
                   "verify_s": statistics.median(verify), "machine": platform.machine(),
                   "load_before": load_before, "load": os.getloadavg(), "results": results}
        if args.install_repeat > 0:
            summary["install"] = bench_install(deskpack, bundle, packed, work,
                                               args.install_repeat)
        if args.json:
            print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
