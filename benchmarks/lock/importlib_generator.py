#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The peer: a runtime-core-lock.json generator written the way today's tools
do it (run inside the interpreter, importlib.metadata), extended to the same
module rules as Deskpack (top_level.txt, else RECORD, else the name on disk) so
both produce the same schema-1 lock.

usage: importlib_generator.py SITE_PACKAGES -o FILE
"""
import importlib.metadata as metadata
import json
import os
import re
import sys
from functools import lru_cache

SOURCE_SUFFIXES = (".py", ".pyc", ".pyw")
EXTENSION_SUFFIXES = (".so", ".pyd")
ABI_TAG = re.compile(r"(abi3|cpython-.*|cp3.*|pypy.*|graalpy.*)")


MODULE_NAME = re.compile(r"[^./\\\s]+")


def module_name_ok(name):
    # What import_module() can look up as one site-packages entry, identifier or not.
    return MODULE_NAME.fullmatch(name) is not None


def module_of_file(name):
    for suffix in SOURCE_SUFFIXES:
        if name.endswith(suffix):
            stem = name[:-len(suffix)]
            return stem if module_name_ok(stem) else None
    for suffix in EXTENSION_SUFFIXES:
        if name.endswith(suffix):
            stem = name[:-len(suffix)]
            if "." in stem:
                stem, tag = stem.split(".", 1)
                if not ABI_TAG.fullmatch(tag) or "." in tag:
                    return None
            return stem if module_name_ok(stem) else None
    return None


@lru_cache(maxsize=None)
def listing(site):
    # One listing per directory, as Deskpack keeps: a fair peer does not list
    # a 5,000-entry site-packages again for every extension-module lookup.
    return tuple(os.listdir(site))


def exists_module(site, name):
    if not module_name_ok(name):
        return False
    if os.path.isdir(os.path.join(site, name)) or os.path.exists(
            os.path.join(site, name + ".py")) or os.path.exists(os.path.join(site, name + ".pyc")):
        return True
    return any(e.startswith(name + ".") and module_of_file(e) == name for e in listing(site))


def modules_of(dist, site):
    top = dist.read_text("top_level.txt")
    names = []
    if top:
        names = [l.strip() for l in top.splitlines() if l.strip() and not l.strip().startswith("#")]
    if not names:
        found = set()
        for f in dist.files or []:
            parts = f.parts
            if not parts or parts[0] == ".." or os.path.isabs(str(f)) or ".." in parts:
                continue
            first = parts[0]
            if len(parts) == 1:
                m = module_of_file(first)
                if m:
                    found.add(m)
            elif (not first.endswith((".dist-info", ".egg-info", ".data")) and first != "__pycache__"
                  and first != "bin" and module_name_ok(first) and module_of_file(parts[-1])):
                found.add(first)
        names = sorted(found)
    if not names:
        guess = re.sub(r"[-.]", "_", dist.metadata["Name"])
        for candidate in (guess, guess.lower()):
            # A package or a .py/.pyc file only: scanning the directory for an
            # extension module of that name would cost a listdir per guess.
            if module_name_ok(candidate) and (
                    os.path.isdir(os.path.join(site, candidate))
                    or os.path.exists(os.path.join(site, candidate + ".py"))
                    or os.path.exists(os.path.join(site, candidate + ".pyc"))):
                names = [candidate]
                break
    present = []
    for n in names:
        top_name = n.replace("\\", "/").split("/")[0]
        if exists_module(site, top_name):
            present.append(top_name)
    return sorted(set(present))


def main():
    site = sys.argv[1]
    out = sys.argv[sys.argv.index("-o") + 1]
    entries = {}
    for dist in metadata.distributions(path=[site]):
        name = dist.metadata["Name"]
        version = dist.metadata["Version"]
        if not name or not version:
            continue
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in entries:
            continue
        entries[key] = {"name": name, "version": version,
                        "top_level_modules": modules_of(dist, site)}
    dists = sorted(entries.values(), key=lambda d: (d["name"].lower(), d["name"], d["version"]))
    with open(out, "w", encoding="utf-8") as f:
        f.write(json.dumps({"distributions": dists, "version": 1}, indent=2, sort_keys=True,
                           ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
