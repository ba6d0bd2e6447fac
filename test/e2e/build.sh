#!/usr/bin/env bash
# Builds the e2e control plane from pinned Go modules into .cache/e2e/bin (git-ignored):
# etcd, kube-apiserver, kube-controller-manager (garbage collector), Crossplane core, and the
# Crossplane CLI (which the parity check in test/crossplane runs). Arguments pick components
# (etcd kube crossplane cli); none builds them all.
# Reuses binaries that already exist for the pinned versions. Nothing vendored is committed:
# the wrapper modules are generated here, under .cache/e2e/src.
set -euo pipefail

ETCD_VERSION=v3.5.35
KUBE_VERSION=v1.36.3
CROSSPLANE_RUNTIME_VERSION=v2.4.0

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/test/support/go-modules.sh"
CACHE="${E2E_CACHE:-$ROOT/.cache/e2e}"
BIN="$CACHE/bin"
SRC="$CACHE/src"
mkdir -p "$BIN" "$SRC"

# Other engineers share the cores: build at the lowest priority.
NICE=(nice -n 19)
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0

stamp() { echo "$BIN/.$1-$2"; }
# One binary per name: a build for another version invalidates the stamps of the one it replaces.
restamp() { rm -f "$BIN/.$1-v"*; touch "$(stamp "$1" "$2")"; }
have() { [[ -x "$BIN/$1" && -f "$(stamp "$1" "$2")" ]]; }
log() { echo "[e2e-build $(date +%H:%M:%S)] $*"; }

build_etcd() {
  have etcd "$ETCD_VERSION" && { log "etcd $ETCD_VERSION cached"; return; }
  local dir="$SRC/etcd-$ETCD_VERSION"
  mkdir -p "$dir"
  # etcd's own go.mod files carry relative replace lines, so `go install pkg@version` fails;
  # a wrapper module that requires the server module builds its main package instead.
  cat >"$dir/go.mod" <<EOF
module e2e.local/etcd

go 1.23
EOF
  (cd "$dir" && go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null \
    && "${NICE[@]}" go build -trimpath -o "$BIN/etcd" go.etcd.io/etcd/server/v3)
  touch "$(stamp etcd "$ETCD_VERSION")"
  log "etcd $ETCD_VERSION built"
}

build_kube() {
  if have kube-apiserver "$KUBE_VERSION" && have kube-controller-manager "$KUBE_VERSION"; then
    log "kubernetes $KUBE_VERSION cached"; return
  fi
  local dir="$SRC/kubernetes-$KUBE_VERSION"
  local staging="v0.${KUBE_VERSION#v1.}"
  mkdir -p "$dir"
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with
  # ./staging paths; a consumer must replace each with the published v0.x.y release.
  local mod
  mod="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  write_wrapper_module "$dir" e2e.local/kubernetes 1.26.0 "k8s.io/kubernetes $KUBE_VERSION" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
  sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#replace \1 => \1 '"$staging"'#p' "$mod" >>"$dir/go.mod"
  (cd "$dir" && go mod tidy >/dev/null \
    && "${NICE[@]}" go build -trimpath -o "$BIN/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager)
  touch "$(stamp kube-apiserver "$KUBE_VERSION")" "$(stamp kube-controller-manager "$KUBE_VERSION")"
  log "kube-apiserver and kube-controller-manager $KUBE_VERSION built"
}

# Crossplane's webhook configurations (the Usage deletion guard among them), from its module.
copy_crossplane_webhooks() {
  local hooks="$CACHE/crossplane-webhooks-$CROSSPLANE_VERSION" moddir
  moddir="$(cd "$1" && go list -m -f '{{.Dir}}' github.com/crossplane/crossplane/v2)"
  rm -rf "$hooks" && mkdir -p "$hooks" && cp "$moddir"/cluster/webhookconfigurations/*.yaml "$hooks/" && chmod u+w "$hooks"/*
}

build_crossplane() {
  local crds="$CACHE/crossplane-crds-$CROSSPLANE_VERSION"
  local dir="$SRC/crossplane-$CROSSPLANE_VERSION"
  if have crossplane "$CROSSPLANE_VERSION" && [[ -d "$crds" ]]; then
    [[ -d "$CACHE/crossplane-webhooks-$CROSSPLANE_VERSION" ]] || copy_crossplane_webhooks "$dir"
    log "crossplane $CROSSPLANE_VERSION cached"; return
  fi
  write_wrapper_module "$dir" e2e.local/crossplane 1.26.7 "github.com/crossplane/crossplane/v2 $CROSSPLANE_VERSION" \
    github.com/crossplane/crossplane/v2/cmd/crossplane
  # The proxy does not serve crossplane-runtime v2.4.1 or v2.4.2 (the release Crossplane v2.4.2
  # requires); v2.4.0, the same minor, builds it.
  printf '\nreplace github.com/crossplane/crossplane-runtime/v2 => github.com/crossplane/crossplane-runtime/v2 %s\n' \
    "$CROSSPLANE_RUNTIME_VERSION" >>"$dir/go.mod"
  (cd "$dir" && go mod tidy >/dev/null \
    && "${NICE[@]}" go build -trimpath \
      -ldflags "-X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$CROSSPLANE_VERSION" \
      -o "$BIN/crossplane" github.com/crossplane/crossplane/v2/cmd/crossplane)
  local moddir
  moddir="$(cd "$dir" && go list -m -f '{{.Dir}}' github.com/crossplane/crossplane/v2)"
  rm -rf "$crds" && mkdir -p "$crds" && cp "$moddir"/cluster/crds/*.yaml "$crds/" && chmod u+w "$crds"/*
  copy_crossplane_webhooks "$dir"
  restamp crossplane "$CROSSPLANE_VERSION"
  log "crossplane $CROSSPLANE_VERSION built"
}

build_cli() {
  have crossplane-cli "$CROSSPLANE_CLI_VERSION" && { log "crossplane cli $CROSSPLANE_CLI_VERSION cached"; return; }
  local dir="$SRC/crossplane-cli-$CROSSPLANE_CLI_VERSION"
  write_wrapper_module "$dir" e2e.local/crossplane-cli 1.26.0 "github.com/crossplane/cli/v2 $CROSSPLANE_CLI_VERSION" \
    github.com/crossplane/cli/v2/cmd/crossplane
  (cd "$dir" && go mod tidy >/dev/null \
    && "${NICE[@]}" go build -trimpath \
      -ldflags "-X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$CROSSPLANE_CLI_VERSION" \
      -o "$BIN/crossplane-cli" github.com/crossplane/cli/v2/cmd/crossplane)
  restamp crossplane-cli "$CROSSPLANE_CLI_VERSION"
  log "crossplane cli $CROSSPLANE_CLI_VERSION built"
}

start=$(date +%s)
components=("$@")
[[ ${#components[@]} -gt 0 ]] || components=(etcd kube crossplane cli)
for component in "${components[@]}"; do
  case "$component" in
    etcd | kube | crossplane | cli) "build_$component" ;;
    *) echo "build.sh: unknown component '$component' (etcd kube crossplane cli)" >&2; exit 2 ;;
  esac
done
log "done in $(( $(date +%s) - start ))s; binaries in $BIN"
