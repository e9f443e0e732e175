#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes a synthetic site-packages of N distributions mixing the four layouts
Deskpack reads: dist-info with top_level.txt (one in ten of them with a
mypyc helper module whose name starts with a digit), dist-info with RECORD only
(hatchling/flit style), egg-info directories and single-file egg-info.

usage: make_site_packages.py DIR [--count 2000]
"""
import argparse
import os
import random

BODY = ("Long description of the project. " * 12 + "\n") * 10  # ~4 KiB README body


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def metadata(name, version, version_field="2.1"):
    return (f"Metadata-Version: {version_field}\nName: {name}\nVersion: {version}\n"
            f"Summary: synthetic distribution {name}\nHome-page: https://example.invalid/{name}\n"
            f"Author: Deskpack Benchmarks\nLicense: MIT\n"
            f"Classifier: Programming Language :: Python :: 3\n"
            f"Requires-Dist: dep-{name} (>=1.0)\n"
            f"Description-Content-Type: text/markdown\n\n{BODY}")


def package(root, module, files=6):
    os.makedirs(os.path.join(root, module, "sub"), exist_ok=True)
    paths = [f"{module}/__init__.py"]
    write(os.path.join(root, module, "__init__.py"), "")
    for i in range(files):
        rel = f"{module}/sub/m{i}.py"
        write(os.path.join(root, rel), "")
        paths.append(rel)
    return paths


def record(paths, info):
    lines = [f"{p},sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,{len(p)}" for p in paths]
    lines += [f"{p}/__pycache__/x.cpython-311.pyc,," for p in {q.split('/')[0] for q in paths}]
    lines += [f"{info}/METADATA,,", f"{info}/WHEEL,,", f"{info}/RECORD,,", "../../../bin/tool,,"]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(42)
    os.makedirs(args.dir, exist_ok=True)
    for i in range(args.count):
        name = f"Synth_Pkg-{i:05d}"
        module = f"synth_pkg_{i:05d}"
        version = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}"
        layout = i % 4
        if layout == 0:  # setuptools wheel: top_level.txt
            info = f"synth_pkg_{i:05d}-{version}.dist-info"
            os.makedirs(os.path.join(args.dir, info))
            paths = package(args.dir, module)
            write(os.path.join(args.dir, info, "METADATA"), metadata(name, version))
            top = module + "\n"
            if i % 40 == 0:  # mypyc's shared helper, named like charset-normalizer's
                helper = f"{i:020x}__mypyc"
                ext = helper + ".cpython-311-x86_64-linux-gnu.so"
                write(os.path.join(args.dir, ext), "")
                paths.append(ext)
                top += helper + "\n"
            write(os.path.join(args.dir, info, "top_level.txt"), top)
            write(os.path.join(args.dir, info, "RECORD"), record(paths, info))
            write(os.path.join(args.dir, info, "WHEEL"), "Wheel-Version: 1.0\n")
        elif layout == 1:  # hatchling/flit wheel: RECORD only, plus an extension module
            info = f"synth_pkg_{i:05d}-{version}.dist-info"
            os.makedirs(os.path.join(args.dir, info))
            paths = package(args.dir, module)
            ext = f"_{module}_speedups.cpython-311-x86_64-linux-gnu.so"
            write(os.path.join(args.dir, ext), "")
            paths.append(ext)
            write(os.path.join(args.dir, info, "METADATA"), metadata(name, version))
            write(os.path.join(args.dir, info, "RECORD"), record(paths, info))
            write(os.path.join(args.dir, info, "WHEEL"), "Wheel-Version: 1.0\n")
        elif layout == 2:  # egg-info directory (distro packages)
            info = f"{module}-{version}.egg-info"
            os.makedirs(os.path.join(args.dir, info))
            package(args.dir, module)
            write(os.path.join(args.dir, info, "PKG-INFO"), metadata(name, version, "1.2"))
            write(os.path.join(args.dir, info, "top_level.txt"), module + "\n")
        else:  # single-file egg-info: module found by name on disk
            write(os.path.join(args.dir, f"{module}-{version}.egg-info"),
                  metadata(name, version, "1.1"))
            write(os.path.join(args.dir, module + ".py"), "")


if __name__ == "__main__":
    main()
