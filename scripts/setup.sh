#!/usr/bin/env bash
# Create .venv (if needed) and install sheets-sync into it, with the given extras.
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh test,stats
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "sheets-sync needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11 to choose one)" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv; then
    rm -rf .venv
    echo "could not create .venv: on Debian or Ubuntu install it first with 'sudo apt install python3-venv'" >&2
    exit 2
  fi
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
extras="${1:-}"
if [ -n "$extras" ]; then
  .venv/bin/python -m pip install --quiet -e ".[$extras]"
else
  .venv/bin/python -m pip install --quiet -e .
fi
