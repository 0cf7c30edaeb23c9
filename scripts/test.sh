#!/usr/bin/env bash
# Install the project with its test tools into .venv and run the whole suite:
# ruff (lint + format), mypy, then pytest on SQLite and, when PostgreSQL answers, on PostgreSQL.
#   bash scripts/test.sh              everything
#   bash scripts/test.sh -k gift      extra arguments go to pytest (both runs)
# KANELBULLE_TEST_PG_URL overrides the PostgreSQL URL (default: postgres on 127.0.0.1:5432, trust auth);
# KANELBULLE_TEST_SKIP_PG=1 runs SQLite only, KANELBULLE_TEST_SKIP_DATES=1 skips the runs with the
# clock moved (both for a quick local loop; CI never sets them).
# KANELBULLE_TEST_WORKERS (default 2) is how many pytest-xdist workers share the run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v "is ignored" || true
.venv/bin/python -m pip check >/dev/null 2>&1 || echo "warning: pip check reports conflicts" >&2

export KANELBULLE_DATA_DIR
KANELBULLE_DATA_DIR=$(mktemp -d -t kanelbulle-test-XXXXXX)
trap 'rm -rf "$KANELBULLE_DATA_DIR"' EXIT

echo "== ruff"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
echo "== mypy"
.venv/bin/mypy
echo "== django checks and migrations"
.venv/bin/python -m django check --fail-level WARNING --settings kanelbulle.settings
.venv/bin/python -m django makemigrations --check --dry-run --settings kanelbulle.settings >/dev/null \
  || { echo "models changed without a migration" >&2; exit 1; }

run_pytest() {
  local label=$1; shift
  echo "== pytest on $label"
  set +e
  .venv/bin/python -m pytest -q -n "${KANELBULLE_TEST_WORKERS:-2}" --dist loadfile "$@"
  local code=$?
  set -e
  if [ $code -eq 5 ]; then echo "no tests ran on $label" >&2; exit 1; fi
  if [ $code -ne 0 ]; then exit $code; fi
}

# The tests that count days, again with the clock a year ahead and a year back (libfaketime moves
# the clock of pytest and every process it starts) and TZ far from Stockholm: a test that leans on
# today's date fails here, not next month. Tests that start a server process or a browser stay out:
# libfaketime breaks the absolute-deadline waits of threads and child processes they rely on; what
# they count with dates is covered in-process.
run_moved_clock() {
  local offset=$1 zone=$2
  shift 2
  local when
  when=$(date -u -d "$offset" '+%Y-%m-%d %H:%M:%S')
  echo "== pytest -m dates on sqlite, clock at $when ($offset), TZ=$zone"
  set +e
  TZ=$zone faketime "$when" .venv/bin/python -m pytest -q -n "${KANELBULLE_TEST_WORKERS:-2}" --dist loadfile \
    -m "dates and not server and not browser" "$@"
  local code=$?
  set -e
  if [ $code -eq 5 ]; then echo "no date tests ran ($offset)" >&2; exit 1; fi
  if [ $code -ne 0 ]; then exit $code; fi
}

run_pytest sqlite "$@"
if [ "${KANELBULLE_TEST_SKIP_PG:-0}" != "1" ]; then
  PG_URL=${KANELBULLE_TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/kanelbulle}
  DATABASE_URL=$PG_URL run_pytest postgresql "$@"
fi
if [ "${KANELBULLE_TEST_SKIP_DATES:-0}" != "1" ]; then
  if ! command -v faketime >/dev/null 2>&1; then
    echo "faketime is missing (apt-get install faketime): the date tests need it" >&2
    exit 1
  fi
  run_moved_clock "+1 year" Pacific/Auckland "$@"
  run_moved_clock "-1 year" America/Los_Angeles "$@"
fi
echo "== all green"
