#!/usr/bin/env bash
# Set everything up and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test,stats
.venv/bin/python -m pytest -q "$@"
