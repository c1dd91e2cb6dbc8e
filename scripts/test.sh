#!/usr/bin/env bash
# Set everything up, lint and type-check, then run the test suite.
# Any failure stops the run with a line saying which step failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test,stats
if ! .venv/bin/ruff check sheets_sync tests scripts; then
  echo "scripts/test.sh: ruff check failed (fix the lines above; tests not run)" >&2
  exit 1
fi
if ! .venv/bin/mypy sheets_sync; then
  echo "scripts/test.sh: mypy failed (fix the type errors above; tests not run)" >&2
  exit 1
fi
.venv/bin/python -m pytest -q "$@"
