#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Validates an SBOM offline.

Usage: validate_sbom.py SCHEMA_DIR cyclonedx|spdx FILE...

CycloneDX 1.6: against the official JSON schemas in SCHEMA_DIR, bom-1.6, spdx
and jsf-0.82, named as CycloneDX/specification names them or as the CycloneDX
project's npm package @cyclonedx/cyclonedx-library ships them
(*.SNAPSHOT.schema.json; scripts/sbom-schemas.sh installs it).
SPDX 2.3: the rules of the specification (spdx23.py), and the official
spdx-schema.json (spdx/spdx-spec v2.3) as well when SCHEMA_DIR holds it.
Every $ref is resolved from those files: nothing is fetched. Written for
Debian's python3-jsonschema 4.10 (RefResolver with a store). Prints one line
per problem; exit 1 if any, 2 for a missing schema or unreadable input.
"""
import json
import os
import sys
import warnings

warnings.simplefilter('ignore', DeprecationWarning)
import jsonschema  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spdx23  # noqa: E402

CYCLONEDX = ['bom-1.6.schema.json', 'spdx.schema.json', 'jsf-0.82.schema.json']
SPDX = ['spdx-schema.json']


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def present(directory, name):
    """The name as found in directory: official, or the npm package's SNAPSHOT copy."""
    snapshot = name.replace('.schema.json', '.SNAPSHOT.schema.json')
    if not os.path.exists(os.path.join(directory, name)) and \
            os.path.exists(os.path.join(directory, snapshot)):
        return snapshot
    return name


def schema_validator(directory, names):
    names = [present(directory, n) for n in names]
    schemas = [load(os.path.join(directory, n)) for n in names]
    store = {}
    for name, schema in zip(names, schemas):
        # Each schema under its $id and under the name the others' $refs use.
        store[schema['$id']] = schema
        store[schema['$id'].rsplit('/', 1)[0] + '/' + name] = schema
    root = schemas[0]
    resolver = jsonschema.RefResolver(base_uri=root['$id'], referrer=root, store=store)
    validator_class = jsonschema.validators.validator_for(root)
    return validator_class(root, resolver=resolver, format_checker=validator_class.FORMAT_CHECKER)


def main():
    if len(sys.argv) < 4 or sys.argv[2] not in ('cyclonedx', 'spdx'):
        print(__doc__, file=sys.stderr)
        return 2
    directory, kind, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    validator = None
    if kind == 'cyclonedx' or os.path.exists(os.path.join(directory, SPDX[0])):
        try:
            validator = schema_validator(directory, CYCLONEDX if kind == 'cyclonedx' else SPDX)
        except OSError as e:
            print(f'{e.filename}: cannot read the schema: {e.strerror}', file=sys.stderr)
            return 2
    problems = 0
    for path in files:
        try:
            document = load(path)
        except (OSError, ValueError) as e:
            print(f'{path}: cannot read: {e}', file=sys.stderr)
            return 2
        found = []
        if validator:
            for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
                found.append('/' + '/'.join(str(p) for p in error.path) + ': ' + error.message)
        if kind == 'spdx':
            found += spdx23.problems(document)
        for line in found:
            print(f'{path}: {line}')
        problems += len(found)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
