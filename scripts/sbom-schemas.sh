#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the CycloneDX project's official JSON schemas (bom-1.6, spdx, jsf;
# Apache-2.0) from its npm package @cyclonedx/cyclonedx-library, pinned by
# version and npm integrity, into build/third_party/. The SBOM suites validate
# Deskpack's CycloneDX output against them. An install step like apt-get:
# nothing is fetched at build or test time. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
package=@cyclonedx/cyclonedx-library@10.3.0
integrity=sha512-RIT28sp1U0PCHaaeF3yNRwk6Jig/XJ8UsYAVOMYaHQ+0VVOvsjcp0PTWQFLUqJFF8XMud+Kdq6G+wtDAh+QJFA==
target=build/third_party/cyclonedx-library
[ -f "$target/package/res/schema/bom-1.6.SNAPSHOT.schema.json" ] && exit 0
if ! command -v npm >/dev/null; then
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends npm </dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "$package" --silent >/dev/null </dev/null)
tarball=("$tmp"/*.tgz)
actual="sha512-$(/usr/bin/python3 -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "${tarball[0]}")"
if [ "$actual" != "$integrity" ]; then
    echo "sbom-schemas: ${tarball[0]}: integrity $actual, expected $integrity" >&2
    exit 1
fi
mkdir -p "$tmp/x" && tar -xzf "${tarball[0]}" -C "$tmp/x" package/res/schema package/LICENSE package/package.json
rm -rf "$target" && mkdir -p "$(dirname "$target")" && mv "$tmp/x" "$target"
echo "sbom-schemas: $package -> $target" >&2
