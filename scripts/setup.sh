#!/usr/bin/env bash
# Set up a fresh machine and run the main job on the bundled sample cases.
# Installs: a virtualenv in .venv with the package and its test tools, and Debian's chromium for
# the browser tests (apt, as root or through sudo). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
# Bytecode for the package, as pip writes it for installed ones: an editable install is compiled on
# every start otherwise where PYTHONDONTWRITEBYTECODE is set (a stale file is only recompiled in memory).
.venv/bin/python -m compileall -q helpers
# Debian packages: chromium for the browser tests, a CJK font so Chinese renders in charts.
APT_PACKAGES="chromium chromium-driver fonts-wqy-zenhei"
missing=$(for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
.venv/bin/dispute-playbook validate
.venv/bin/dispute-playbook batch samples/cases.csv --out out/sample-review --as-of 2026-11-01
