# SPDX-License-Identifier: MIT
"""Resolves a plugin's requirements with the bundle's own pip, the core
visible as installed. Run by the plugin boundary (runner/plugins) as
`python -I -B -c <this file> CONFIG.json`; never imported.

1. Each requirement is checked against the core pins with pip's vendored
   `packaging`, so a direct clash names the requirement and the pin exactly.
2. pip runs in this process (`pip install --dry-run --report`) with the
   plugin site-packages appended to sys.path after the core, so what the core
   or another plugin already has is "installed" and not resolved again.
3. The dependency closure of the requirements is walked over the installed
   distributions plus the report's, so ownership covers shared dependencies.

Writes CONFIG["out"]: {"invalid": [...], "clashes": [...], "pipExit": N,
"closure": [{"name", "version", "where"}]}; exit status 0 unless this script
itself broke.
"""
import json
import sys


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        config = json.load(f)
    sys.path.extend(config["extraPaths"])
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
    from pip._vendor.packaging.utils import canonicalize_name

    result = {"invalid": [], "clashes": [], "pipExit": None, "closure": []}
    pins = config["pins"]  # canonical name -> [name, version]
    requirements = []
    for item in config["requirements"]:
        try:
            req = Requirement(item["text"])
        except InvalidRequirement as error:
            result["invalid"].append(dict(item, message=str(error)))
            continue
        if req.url:
            result["invalid"].append(dict(item, message="direct references (name @ URL) are not allowed"))
            continue
        requirements.append(req)
        if req.marker is not None and not req.marker.evaluate():
            continue
        pin = pins.get(canonicalize_name(req.name))
        if pin and not req.specifier.contains(pin[1], prereleases=True):
            result["clashes"].append({"requirement": item["text"], "requiredBy": None,
                                      "name": pin[0], "coreVersion": pin[1]})
    if result["invalid"] or result["clashes"]:
        return finish(config, result)

    from pip._internal.cli.main import main as pip_main
    result["pipExit"] = pip_main(config["pipArguments"])
    if result["pipExit"] == 0 and config.get("report"):
        result["closure"] = closure(config, requirements, canonicalize_name, Requirement)
    return finish(config, result)


def closure(config, requirements, canonicalize_name, Requirement):
    import importlib.metadata as md

    with open(config["report"], encoding="utf-8") as f:
        report = json.load(f)
    known = {}  # canonical name -> (name, version, [requires], where)
    for where, path in (("plugin", config["pluginSitePackages"]), ("core", config["coreSitePackages"])):
        if not path:  # no plugin site-packages; [""] would mean the working directory
            continue
        for dist in md.distributions(path=[path]):
            name = dist.metadata["Name"]
            if name:
                known[canonicalize_name(name)] = (name, dist.version, dist.requires or [], where)
    for item in report.get("install", []):
        meta = item.get("metadata", {})
        known[canonicalize_name(meta["name"])] = (meta["name"], meta["version"],
                                                  meta.get("requires_dist", []), "new")
    seen, found, stack = set(), {}, [(r, ()) for r in requirements]
    while stack:
        req, parent_extras = stack.pop()
        environments = [{"extra": e} for e in parent_extras] or [{"extra": ""}]
        if req.marker is not None and not any(req.marker.evaluate(e) for e in environments):
            continue
        key = canonicalize_name(req.name)
        if key not in known:
            continue
        extras = tuple(sorted(req.extras))
        if (key, extras) in seen:
            continue
        seen.add((key, extras))
        name, version, requires, where = known[key]
        found[key] = {"name": name, "version": version, "where": where}
        for text in requires:
            try:
                stack.append((Requirement(text), extras))
            except Exception:
                pass
    return sorted(found.values(), key=lambda d: d["name"].lower())


def finish(config, result):
    with open(config["out"], "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
