#!/usr/bin/env bash
# Install Kanelbulle into .venv and run the demo: SQLite in a data directory, demo data, the web
# app on http://127.0.0.1:8000/ (log in as demo / kanelbulle). Extra arguments go to `kanelbulle demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e . 2>&1 | grep -v "is ignored" || true
exec .venv/bin/kanelbulle demo "$@"
