# SPDX-License-Identifier: MIT
"""What an interpreter itself says about a site-packages directory and a lock.

Usage: python -I import_oracle.py SITE_PACKAGES LOCK_JSON

Prints JSON on stdout:
  distributions: every distribution importlib.metadata finds in SITE_PACKAGES
      (duplicates included, in its order): name, canonical, version, path,
      top_level (the names of top_level.txt, or null when there is none) and
      top_level_found (those names, "pkg/sub" read as "pkg", under which this
      interpreter's import system finds a module in SITE_PACKAGES);
  lock_modules: for each module the lock names, whether the import system finds
      it in SITE_PACKAGES;
  suffixes: importlib.machinery.all_suffixes().

"Finds" is importlib.machinery.PathFinder.find_spec(name, [SITE_PACKAGES]):
packages, namespace portions, .py, .pyc and extension modules, by this
interpreter's own suffixes, whether or not the name is an identifier. Nothing is
imported or executed. Runs on CPython 3.8 and later.
"""
import importlib.machinery
import importlib.metadata
import json
import re
import sys


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def finds(site, name):
    # A dotted name is a submodule, never a top-level module of that name.
    if not name or "." in name:
        return False
    return importlib.machinery.PathFinder.find_spec(name, [site]) is not None


def main():
    site, lock_path = sys.argv[1], sys.argv[2]
    out = {"distributions": [], "lock_modules": {},
           "suffixes": importlib.machinery.all_suffixes()}
    for dist in importlib.metadata.distributions(path=[site]):
        name = dist.metadata["Name"]
        version = dist.version
        if not name or not version:
            continue
        text = dist.read_text("top_level.txt")
        top = None
        found = []
        if text is not None:
            top = sorted({line.strip() for line in text.splitlines()
                          if line.strip() and not line.strip().startswith("#")})
            for entry in top:
                module = entry.replace("\\", "/").split("/")[0]
                if finds(site, module) and module not in found:
                    found.append(module)
        out["distributions"].append({
            "name": name, "canonical": canonical(name), "version": version,
            "path": str(getattr(dist, "_path", "")), "top_level": top,
            "top_level_found": sorted(found)})
    with open(lock_path, encoding="utf-8") as f:
        lock = json.load(f)
    for entry in lock["distributions"]:
        for module in entry["top_level_modules"]:
            out["lock_modules"][module] = finds(site, module)
    json.dump(out, sys.stdout, sort_keys=True)


main()
