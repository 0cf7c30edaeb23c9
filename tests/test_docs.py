"""The docs are true: what they point to ships, their tables are whole, their set-up does the set-up."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import run

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md")), *sorted((DOCS / "contracts").glob("*.md"))]


def test_the_contracts_the_docs_point_to_ship_under_docs() -> None:
    for name in ("plan-problem", "exchange-format", "cli", "decisions"):
        page = DOCS / "contracts" / f"{name}.md"
        assert page.is_file(), page
        assert page.read_text(encoding="utf-8").startswith("# ")
    assert "contracts/plan-problem.md" in (DOCS / "planner.md").read_text(encoding="utf-8")
    assert "contracts/exchange-format.md" in (DOCS / "exchange.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        assert (page.parent / target).exists(), f"{page.name}: {target}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_table_is_split_by_a_blank_line(page: Path) -> None:
    lines = page.read_text(encoding="utf-8").splitlines()
    for i in range(1, len(lines) - 2):
        if lines[i - 1].startswith("|") and not lines[i].strip() and lines[i + 1].startswith("|"):
            separator = lines[i + 2] if i + 2 < len(lines) else ""
            assert re.match(r"^\|\s*:?-+", separator), f"{page.name}:{i + 1}: a blank line splits a table"


def test_no_page_says_csv_presets_are_not_supported() -> None:
    for page in PAGES:
        assert "not supported yet" not in page.read_text(encoding="utf-8"), page.name


def test_the_example_problem_solves() -> None:
    problem = DOCS / "examples" / "plan-problem.json"
    assert json.loads(problem.read_text(encoding="utf-8"))["format"] == "kanelbulle-plan/1"
    result = run("plan", "--problem", str(problem), "--iterations", "200", "--json")
    assert result.code == 0, result.err
    plan = result.json
    assert plan["feasible"] is True
    stops = [stop["ref"] for day in plan["days"] for stop in day["stops"]]
    assert "c-uppsala-1" in stops  # the required visit
    assert plan["days"][0]["km"] == "762.6"  # the contract's worked example: the flight to Luleå


def test_the_vrptw_benchmark_data_ships_with_its_licence() -> None:
    data = ROOT / "bench" / "data" / "vrptw"
    rows = (data / "bks.csv").read_text().splitlines()[1:]
    assert len(rows) == 80
    for row in rows:
        assert (data / f"{row.split(',')[0]}.vrp").is_file(), row
    assert "MIT" in (data / "LICENSE").read_text() and "PyVRP" in (data / "LICENSE").read_text()
    assert "LICENSE" in (data / "README.md").read_text()


def test_the_vrptw_benchmark_without_data_says_so_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_vrptw.py"), "--data", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"bench_vrptw: no benchmark data at {tmp_path} (bks.csv is missing). Give --data DIR")


STUB = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "{log}"
{body}
"""


def test_the_one_test_command_sets_up_a_fresh_machine(tmp_path: Path) -> None:
    """No chromium, PostgreSQL down, no database: scripts/test.sh installs, starts and creates."""
    script = (ROOT / "scripts" / "test.sh").read_text()
    assert "--setup-only" in script, "scripts/test.sh does not do the machine's set-up"
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    bin_dir, log, started = tmp_path / "bin", tmp_path / "calls.log", tmp_path / "started"
    bin_dir.mkdir()
    stubs = {
        "id": "echo 0",
        "apt-get": "exit 0",
        "msgfmt": "exit 0",
        "pg_isready": f'[ -e "{started}" ]',
        "pg_lsclusters": 'echo "15 main 5432 down postgres /var/lib/postgresql/15/main log"',
        "pg_ctlcluster": f'touch "{started}"',
        "psql": 'case "$*" in *"SELECT 1"*) exit 0;; esac',
    }
    for name, body in stubs.items():
        (bin_dir / name).write_text(STUB.format(log=log, body=body))
        (bin_dir / name).chmod(0o755)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KANELBULLE_TEST")},
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "KANELBULLE_CHROMIUM": str(tmp_path / "no-chromium"),
    }
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "test.sh"), "--setup-only"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert any(c.startswith("apt-get install") and "chromium" in c for c in calls), calls
    assert "pg_ctlcluster --skip-systemctl-redirect 15 main start" in calls
    assert any(c.startswith("psql") and "CREATE DATABASE kanelbulle" in c for c in calls), calls
