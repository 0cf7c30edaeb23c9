#!/usr/bin/env bash
# The one test command, on a fresh machine too: it sets up what the suite needs, installs the
# project with its test tools into .venv and runs the whole suite: ruff (lint + format), mypy,
# Django's checks, then pytest on SQLite and on PostgreSQL.
#   bash scripts/test.sh              everything
#   bash scripts/test.sh -k gift      extra arguments go to pytest (both runs)
#   bash scripts/test.sh --setup-only the machine set-up below, then stop
# Set-up (each step only when needed; apt and pg_ctlcluster run as root, or through sudo):
#   - Debian's chromium for the browser tests (apt-get install chromium), gettext's msgfmt and
#     faketime (libfaketime) for the runs with the clock a year ahead and back;
#   - PostgreSQL on 127.0.0.1:5432 started when it is down (pg_ctlcluster), and its database
#     `kanelbulle` created when missing.
# KANELBULLE_TEST_PG_URL overrides the PostgreSQL URL (default: postgres on 127.0.0.1:5432, trust auth;
# with an override, starting the server is left to you);
# KANELBULLE_TEST_SKIP_PG=1 runs SQLite only, KANELBULLE_TEST_SKIP_DATES=1 skips the runs with the
# clock moved (both for a quick local loop; CI never sets them).
# KANELBULLE_TEST_WORKERS (default 2) is how many pytest-xdist workers share the run.
# KANELBULLE_CHROMIUM (default /usr/bin/chromium) is the browser the tests drive.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    echo "test.sh: cannot run '$*': run this script as root or with password-less sudo" >&2
    exit 1
  fi
}

setup_machine() {
  local chromium=${KANELBULLE_CHROMIUM:-/usr/bin/chromium}
  if [ ! -x "$chromium" ]; then
    echo "== installing chromium (apt) for the browser tests"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  if ! command -v msgfmt >/dev/null 2>&1; then
    echo "== installing gettext (apt) for the Swedish catalogues"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null || true
  fi
  if [ "${KANELBULLE_TEST_SKIP_DATES:-0}" != "1" ] && ! command -v faketime >/dev/null 2>&1; then
    echo "== installing faketime (apt) for the runs with the clock moved"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null \
      || { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
           && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; }
  fi
  if [ "${KANELBULLE_TEST_SKIP_PG:-0}" = "1" ] || [ -n "${KANELBULLE_TEST_PG_URL:-}" ]; then
    return
  fi
  if ! command -v pg_isready >/dev/null 2>&1; then
    echo "test.sh: PostgreSQL is not installed (apt-get install postgresql), or set KANELBULLE_TEST_SKIP_PG=1" >&2
    exit 1
  fi
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    echo "== starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(pg_lsclusters -h | awk '$2 == "main" {print $1}' | sort -V | tail -1)" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='kanelbulle'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE kanelbulle"
}

setup_machine
if [ "${1:-}" = "--setup-only" ]; then
  echo "== set-up done"
  exit 0
fi
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

# Two workers that steal each other's queued tests (--dist worksteal): one long file (the
# permission matrix, the worker's kill tests) no longer leaves the other core idle at the end.
# Tests share nothing but what a fixture makes, so a module's tests may run on both workers.
run_pytest() {
  local label=$1; shift
  echo "== pytest on $label"
  set +e
  .venv/bin/python -m pytest -q -n "${KANELBULLE_TEST_WORKERS:-2}" --dist worksteal "$@"
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
  TZ=$zone faketime "$when" .venv/bin/python -m pytest -q -n "${KANELBULLE_TEST_WORKERS:-2}" --dist worksteal \
    -m "dates and not server and not browser" "$@"
  local code=$?
  set -e
  if [ $code -eq 5 ]; then echo "no date tests ran ($offset)" >&2; exit 1; fi
  if [ $code -ne 0 ]; then exit $code; fi
}

run_pytest sqlite "$@"
if [ "${KANELBULLE_TEST_SKIP_PG:-0}" != "1" ]; then
  PG_URL=${KANELBULLE_TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/kanelbulle}
  # Only the tests that reach a database (marker `database`, set in tests/conftest.py): a plain
  # module's test (the solver on a problem file, a gift rule, the docs' examples, which run on
  # their own SQLite) gives the same answer whatever DATABASE_URL says. Browser tests drive the
  # same pages the in-process and server tests already run on PostgreSQL; what they add
  # (scripts, layout, the service worker) does not depend on the database. Both run on SQLite
  # only and keep CI within its 20 minutes.
  DATABASE_URL=$PG_URL run_pytest postgresql -m "database and not browser" "$@"
fi
if [ "${KANELBULLE_TEST_SKIP_DATES:-0}" != "1" ]; then
  if ! command -v faketime >/dev/null 2>&1; then
    echo "faketime is missing (apt-get install faketime): the runs with the clock moved need it" >&2
    exit 1
  fi
  run_moved_clock "+1 year" Pacific/Auckland "$@"
  run_moved_clock "-1 year" America/Los_Angeles "$@"
fi
echo "== all green"
