#!/usr/bin/env bash
# Installs moto's server (pinned) into a git-ignored virtualenv and prints the moto_server path.
# Idempotent and quick once installed. Exit 3: no python3 (callers skip the moto tests, visibly).
set -euo pipefail
MOTO_VERSION=5.2.5
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
VENV=${MOTO_VENV:-$ROOT/.cache/moto-venv}
STAMP="$VENV/.installed-moto-$MOTO_VERSION"

ready() { [ -x "$VENV/bin/moto_server" ] && [ -f "$STAMP" ]; }
if ready; then echo "$VENV/bin/moto_server"; exit 0; fi

PYTHON=$(command -v python3 || true)
if [ -z "$PYTHON" ]; then echo "python3 not found: cannot install moto" >&2; exit 3; fi

mkdir -p "$(dirname "$VENV")"
# Parallel test files may call this at once; one installs, the others wait for it.
exec 9>"$VENV.lock"
if command -v flock >/dev/null; then flock 9; fi
if ready; then echo "$VENV/bin/moto_server"; exit 0; fi

echo "installing moto[server]==$MOTO_VERSION into $VENV" >&2
rm -rf "$VENV"
if ! "$PYTHON" -m venv "$VENV" >&2; then
  echo "python3 -m venv failed: install the venv module (e.g. the python3-venv package)" >&2
  exit 4
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
touch "$STAMP"
echo "$VENV/bin/moto_server"
