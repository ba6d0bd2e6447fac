#!/usr/bin/env bash
# Builds crossplane-contrib's function-patch-and-transform (the standard Go composition function)
# at a pinned version into .cache/bin, once; the bench compares our function with it.
#
# Why not `go install module@version`: that also asks the module proxy for the version list (to
# check deprecation) and the proxy used here refuses listing for this module (403), so the install
# fails even though the exact version is served. `go mod download` of the exact version works, and
# building inside the downloaded module uses the module's own go.mod and go.sum, so every
# dependency is the one that release pinned and is checked against its go.sum (and the checksum
# database, as usual). Versions tried: v0.7.0 (zip refused, earlier a go.sum mismatch), v0.8.1,
# v0.8.2, v0.9.0 (go.mod refused), v0.6.0 and v0.2.1 (not served); v0.5.0 is served and builds.
# v0.5.0 serves the v1beta1 RunFunction service (the messages are identical to v1).
set -euo pipefail

MODULE=github.com/crossplane-contrib/function-patch-and-transform
VERSION=${PT_VERSION:-v0.5.0}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/.cache/bin/function-patch-and-transform-$VERSION"

if [[ -x "$OUT" ]]; then echo "$OUT"; exit 0; fi
command -v go >/dev/null || { echo "go is not installed: cannot build $MODULE@$VERSION" >&2; exit 1; }

mkdir -p "$ROOT/.cache/bin"
# A scratch directory outside any module, so `go mod download` does not touch this repository.
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
cd "$SCRATCH"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
DIR=$(go mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[[ -n "$DIR" && -d "$DIR" ]] || { echo "could not download $MODULE@$VERSION" >&2; go mod download -json "$MODULE@$VERSION" >&2; exit 1; }
echo "building $MODULE@$VERSION (first use only; several minutes on a busy machine)..." >&2
(cd "$DIR" && go build -trimpath -o "$OUT.tmp" .)
mv "$OUT.tmp" "$OUT"
echo "$OUT"
