#!/usr/bin/env bash
# Run every test (unit, property, notebook, browser). Needs scripts/setup.sh to have run once.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m pytest -n 2 "$@"
