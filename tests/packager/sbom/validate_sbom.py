#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Validates an SBOM against the official JSON schema, offline.

Usage: validate_sbom.py SCHEMA_DIR cyclonedx|spdx FILE...

SCHEMA_DIR holds bom-1.6.schema.json, spdx.schema.json and jsf-0.82.schema.json
(CycloneDX/specification) and spdx-schema.json (spdx/spdx-spec, v2.3). Every
$ref is resolved from those files: nothing is fetched. Written for Debian's
python3-jsonschema 4.10 (RefResolver with a store); newer releases still
accept it with a deprecation warning. Prints one line per problem; exit 1 if
any, 2 for a missing schema or unreadable input.
"""
import json
import os
import sys
import warnings

warnings.simplefilter('ignore', DeprecationWarning)
import jsonschema  # noqa: E402

CYCLONEDX = ['bom-1.6.schema.json', 'spdx.schema.json', 'jsf-0.82.schema.json']
SPDX = ['spdx-schema.json']


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def main():
    if len(sys.argv) < 4 or sys.argv[2] not in ('cyclonedx', 'spdx'):
        print(__doc__, file=sys.stderr)
        return 2
    directory, kind, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    names = CYCLONEDX if kind == 'cyclonedx' else SPDX
    try:
        schemas = [load(os.path.join(directory, n)) for n in names]
    except OSError as e:
        print(f'{e.filename}: cannot read the schema: {e.strerror}', file=sys.stderr)
        return 2
    store = {}
    for name, schema in zip(names, schemas):
        # Each schema under its $id and under the name the others' $refs use.
        store[schema['$id']] = schema
        store[schema['$id'].rsplit('/', 1)[0] + '/' + name] = schema
    root = schemas[0]
    resolver = jsonschema.RefResolver(base_uri=root['$id'], referrer=root, store=store)
    validator_class = jsonschema.validators.validator_for(root)
    validator = validator_class(root, resolver=resolver,
                                format_checker=validator_class.FORMAT_CHECKER)
    problems = 0
    for path in files:
        try:
            document = load(path)
        except (OSError, ValueError) as e:
            print(f'{path}: cannot read: {e}', file=sys.stderr)
            return 2
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
            where = '/'.join(str(p) for p in error.path)
            print(f'{path}: /{where}: {error.message}')
            problems += 1
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
