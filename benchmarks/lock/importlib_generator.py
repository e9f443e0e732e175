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

MODULE_SUFFIXES = (".py", ".so", ".pyd")


def module_of_file(name):
    for suffix in MODULE_SUFFIXES:
        if name.endswith(suffix):
            stem = name.split(".", 1)[0]
            if suffix == ".py" and stem + suffix != name:
                return None
            return stem if stem.isidentifier() else None
    return None


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
                  and first != "bin" and first.isidentifier() and module_of_file(parts[-1])):
                found.add(first)
        names = sorted(found)
    if not names:
        guess = re.sub(r"[-.]", "_", dist.metadata["Name"])
        for candidate in (guess, guess.lower()):
            if os.path.isdir(os.path.join(site, candidate)) or os.path.exists(
                    os.path.join(site, candidate + ".py")):
                names = [candidate]
                break
    present = []
    for n in names:
        top_name = n.split("/")[0]
        if os.path.isdir(os.path.join(site, top_name)) or os.path.exists(
                os.path.join(site, top_name + ".py")) or any(
                    e.startswith(top_name + ".") and e.endswith((".so", ".pyd"))
                    for e in os.listdir(site)):
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
