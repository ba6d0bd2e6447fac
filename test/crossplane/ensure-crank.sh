#!/usr/bin/env bash
# Builds the Crossplane CLI (crank) at a pinned version from the Go module proxy and caches it
# under .cache/bin; prints the binary's path on stdout, progress on stderr.
# It builds inside a wrapper module (see test/support/go-modules.sh); checksums are verified
# against the public checksum database as usual.
set -euo pipefail

# The Go release the Crossplane module's go.mod asks for; used only when no recent Go is installed.
GO_TOOLCHAIN="${GO_TOOLCHAIN:-go1.25.5}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/test/support/go-modules.sh"
BIN_DIR="${CRANK_BIN_DIR:-$ROOT/.cache/bin}"
BIN="$BIN_DIR/crank-$CROSSPLANE_VERSION"

log() { echo "ensure-crank: $*" >&2; }

if [ -x "$BIN" ]; then
  log "cached $BIN"
  echo "$BIN"
  exit 0
fi

go_minor() { "$1" env GOVERSION 2>/dev/null | sed -E 's/^go1\.([0-9]+).*/\1/'; }

# A Go that can switch toolchains by itself (1.21+) is enough: it fetches the release the module
# needs from the proxy. Without one, Debian's Go is only a bootstrap that downloads that release
# as the golang.org/toolchain module.
GO="$(command -v go || true)"
if [ -z "$GO" ] || [ "$(go_minor "$GO")" -lt 21 ]; then
  if [ -z "$GO" ]; then
    command -v apt-get >/dev/null || { log "no Go toolchain and no apt-get to install one; install Go 1.21 or later"; exit 1; }
    log "installing Debian's Go to bootstrap $GO_TOOLCHAIN"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >&2
    GO="$(command -v go)"
  fi
  arch="$("$GO" env GOHOSTARCH)"
  toolchain="golang.org/toolchain@v0.0.1-$GO_TOOLCHAIN.linux-$arch"
  log "downloading $toolchain"
  dir="$(cd /tmp && GOFLAGS=-mod=mod "$GO" mod download -json "$toolchain" | sed -nE 's/^\s*"Dir": "(.*)",?$/\1/p')"
  chmod +x "$dir/bin/go" "$dir/pkg/tool/"*/* 2>/dev/null || true
  GO="$dir/bin/go"
fi
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
log "using $("$GO" version)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
write_wrapper_module "$work" crank-build 1.25.5 "github.com/crossplane/crossplane/v2 $CROSSPLANE_VERSION" \
  github.com/crossplane/crossplane/v2/cmd/crank

log "building github.com/crossplane/crossplane/v2/cmd/crank@$CROSSPLANE_VERSION (cold: minutes)"
mkdir -p "$BIN_DIR"
(
  cd "$work"
  GOFLAGS=-mod=mod CGO_ENABLED=0 "$GO" build -trimpath \
    -ldflags "-s -w -X github.com/crossplane/crossplane/v2/internal/version.version=$CROSSPLANE_VERSION" \
    -o "$BIN.tmp" github.com/crossplane/crossplane/v2/cmd/crank
)
mv "$BIN.tmp" "$BIN"
log "built $BIN"
echo "$BIN"
