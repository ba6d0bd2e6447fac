#!/usr/bin/env bash
# `npm run test:e2e`: builds or reuses the control-plane binaries, then runs the e2e suite.
# The suite runs in a private network namespace with only loopback up when the machine allows
# one: every server binds 127.0.0.1 anyway, and Crossplane's metrics and health probe servers
# (which v2.2.0 binds on all interfaces, ":port") stay unreachable from outside.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

if [[ -z "${E2E_IN_NETNS:-}" ]]; then
  bash test/e2e/build.sh etcd kube crossplane
  for ns in "unshare --net" "unshare --user --map-root-user --net"; do
    if $ns true 2>/dev/null; then
      exec $ns env E2E_IN_NETNS=1 bash -c 'ip link set lo up && exec bash "$0" "$@"' "$0" "$@"
    fi
  done
  echo "[e2e] no network namespace available: running on the host's loopback" >&2
fi

# Run dirs left by runs killed before their teardown (E2E_KEEP=1 keeps them on purpose); recent
# ones may belong to a run in progress.
[[ "${E2E_KEEP:-}" == 1 ]] || find "${E2E_CACHE:-$ROOT/.cache/e2e}" -maxdepth 1 -name "run-*" -mmin +120 -exec rm -rf {} +

# jest leads its own process group, so whatever it started is stopped here even if it dies.
NODE_OPTIONS=--experimental-vm-modules setsid node node_modules/jest/bin/jest.js -c test/e2e/jest.config.js "$@" &
jest_pid=$!
cleanup() { kill -TERM -- "-$jest_pid" 2>/dev/null && sleep 3 && kill -KILL -- "-$jest_pid" 2>/dev/null; true; }
trap cleanup EXIT
trap 'exit 130' INT TERM
wait "$jest_pid"
