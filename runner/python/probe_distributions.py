# SPDX-License-Identifier: MIT
# Run as `python -I -c <this> [DIR ...]`: prints, as JSON, every distribution
# importlib.metadata finds on the given directories (or on sys.path), in the
# order it finds them. Used by `deskpack lock validate --python`.
import json
import sys
import importlib.metadata as metadata

paths = sys.argv[1:]
found = metadata.distributions(path=paths) if paths else metadata.distributions()
out = []
for dist in found:
    meta = dist.metadata
    name = meta["Name"] if meta is not None else None
    version = meta["Version"] if meta is not None else None
    if not name or not version:
        continue
    out.append({"name": name, "version": version, "path": str(getattr(dist, "_path", ""))})
sys.stdout.write(json.dumps(out))
