"""Every command's bad flags, missing flags and bad environment: one plain line, the documented status.

cli.md: exit 0 done, 1 failed while running, 2 bad usage or invalid input; every error is one plain
line per problem on stderr, naming the command as the user types it (`gift-check`, not
`gift_check`), never argparse's usage block and never a traceback. The tables cover every
command `kanelbulle --help` lists; a new command fails here until it has its rows.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from kanelbulle.cli import product_commands
from tests.cli import run

KANELBULLE = [sys.executable, "-c", "from kanelbulle.cli import main; main()"]

# Each command run with nothing after it: None when that is a valid command line (it would run),
# else a word the one line must name (the flag, argument or subcommand that is missing).
MISSING: dict[str, str | None] = {
    "attention": "--user",
    "backup": "FILE",
    "brief": "--customer",
    "check": None,
    "demo": None,
    "digest": "--user",
    "evidence": None,
    "export": None,
    "gift-check": "--customer",
    "gifts": "report",
    "import": "FILE",
    "init": None,
    "plan": "--problem",
    "privacy": "export",
    "rates": "import",
    "refresh": None,
    "restore": "FILE",
    "serve": None,
    "token": "create",
    "trip-worth": "--customer",
    "user": "create",
    "worker": None,
}

# Subcommands with something missing, and what the line must name.
MISSING_IN_SUBCOMMAND: list[tuple[list[str], str]] = [
    (["gifts", "report"], "--from"),
    (["privacy", "export"], "--contact"),
    (["privacy", "erase"], "--contact"),
    (["rates", "import"], "FILE"),
    (["token", "create"], "NAME"),
    (["user", "create", "somebody"], "--role"),
    (["gift-check", "--customer", "c-1", "--value", "100"], "--value"),
    (["plan", "--seconds", "soon"], "--seconds"),
    (["attention", "--user", "anna", "--language", "fi"], "--language"),
]

# A command line that would reach the database, for the bad-environment table, and the status it
# gets when PostgreSQL refuses the connection (`check` needs no database: it runs).
REACHES_DATABASE: dict[str, tuple[list[str], int]] = {
    "attention": (["--user", "anna"], 1),
    "backup": (["{tmp}/copy.sqlite3"], 1),
    "brief": (["--customer", "c-1"], 1),
    "check": ([], 0),
    "demo": (["--no-serve", "--today", "2026-01-05"], 1),
    "digest": (["--user", "anna"], 1),
    "evidence": ([], 1),
    "export": ([], 1),
    "gift-check": (["--customer", "c-1", "--value", "100", "SEK", "--description", "flowers"], 1),
    "gifts": (["report", "--from", "2026-01-01", "--to", "2026-01-31"], 1),
    "import": (["{tmp}/book.json"], 1),
    "init": ([], 1),
    "plan": (["--user", "anna", "--start", "2026-01-05", "--days", "1"], 1),
    "privacy": (["retention"], 1),
    "rates": (["import", "{tmp}/rates.csv"], 1),
    "refresh": ([], 1),
    "restore": (["{tmp}/copy.sqlite3"], 1),
    "serve": (["--port", "9"], 1),
    "token": (["list"], 1),
    "trip-worth": (["--customer", "c-1"], 1),
    "user": (["create", "somebody", "--role", "seller"], 1),
    "worker": (["--now", "daily-refresh"], 1),
}


def commands_and_subcommands() -> list[list[str]]:
    """Every command, and every subcommand of those that have them, as typed."""
    found: list[list[str]] = []
    apps = get_commands()
    for typed, name in product_commands().items():
        found.append([typed])
        parser = load_command_class(apps[name], name).create_parser("kanelbulle", typed)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                found += [[typed, sub] for sub in action.choices]
    return found


def assert_one_plain_line(err: str, typed: list[str]) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    line = lines[0]
    assert "usage:" not in line and "Traceback" not in err
    if typed:
        assert line.startswith("kanelbulle " + " ".join(typed) + ":"), line
        assert typed[0].replace("-", "_") not in line or "-" not in typed[0], line
    return line


def test_the_tables_cover_every_command() -> None:
    listed = set(product_commands())
    assert listed == set(MISSING), f"add rows to MISSING for {sorted(listed ^ set(MISSING))}"
    assert listed == set(REACHES_DATABASE), f"add rows for {sorted(listed ^ set(REACHES_DATABASE))}"


@pytest.mark.parametrize("typed", commands_and_subcommands(), ids=" ".join)
def test_an_unknown_flag_is_one_line_and_status_2(typed: list[str]) -> None:
    result = run(*typed, "--no-such-flag")
    assert result.code == 2
    line = assert_one_plain_line(result.err, typed)
    assert "--no-such-flag" in line or "required" in line
    assert f"`kanelbulle {' '.join(typed)} --help`" in line
    assert result.out == ""


@pytest.mark.django_db
@pytest.mark.parametrize("typed", sorted(MISSING))
def test_a_missing_flag_is_one_line_naming_it(typed: str) -> None:
    missing = MISSING[typed]
    if missing is None:
        pytest.skip(f"`kanelbulle {typed}` alone is a valid command line")
    result = run(typed)
    assert result.code == 2
    lines = result.err_lines
    assert len(lines) == 1 and missing in lines[0], result.err
    assert "usage:" not in result.err
    assert result.out == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "missing"), MISSING_IN_SUBCOMMAND, ids=lambda v: " ".join(v) if isinstance(v, list) else v
)
def test_a_missing_or_bad_value_is_one_line_naming_the_flag(argv: list[str], missing: str) -> None:
    result = run(*argv)
    assert result.code == 2
    assert len(result.err_lines) == 1 and missing in result.err_lines[0], result.err
    assert "usage:" not in result.err and "_" not in result.err_lines[0].split(":")[0]


def test_no_command_and_an_unknown_command_are_one_line() -> None:
    for argv in ([], ["gift_check"], ["frobnicate"]):
        result = run(*argv)
        assert result.code == 2
        assert len(result.err_lines) == 1 and "kanelbulle --help" in result.err_lines[0]


# The environment is read once per process, so these run the command as a user does.


def run_process(argv: list[str], env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess[str]:
    argv = [a.replace("{tmp}", str(tmp)) for a in argv]
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "KANELBULLE_DATA_DIR"}}
    return subprocess.run(
        [*KANELBULLE, *argv], env={**base, **env}, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "copy.sqlite3").write_bytes(b"not a database")
    (tmp_path / "book.json").write_text('{"format": "kanelbulle/1"}')
    (tmp_path / "rates.csv").write_text("Date,USD\n2026-01-02,1.1\n")
    (tmp_path / "a-file").write_text("I am not a directory")
    return tmp_path


BAD_ENVIRONMENTS = {
    "mysql": ({"DATABASE_URL": "mysql://kb:secret@127.0.0.1/kb"}, 2, "DATABASE_URL must point at PostgreSQL"),
    "data-dir-is-a-file": ({"KANELBULLE_DATA_DIR": "{tmp}/a-file"}, 2, "is a file, not a directory"),
    "postgresql-refuses": (
        {"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/kb"},
        None,  # the command's own row in REACHES_DATABASE
        "could not be used",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("typed", sorted(REACHES_DATABASE))
@pytest.mark.parametrize("environment", sorted(BAD_ENVIRONMENTS))
def test_a_bad_environment_is_one_line_and_the_documented_status(typed: str, environment: str, workdir: Path) -> None:
    argv, refused_code = REACHES_DATABASE[typed]
    env, code, words = BAD_ENVIRONMENTS[environment]
    env = {
        "KANELBULLE_DATA_DIR": str(workdir / "data"),
        **{k: v.replace("{tmp}", str(workdir)) for k, v in env.items()},
    }
    done = run_process([typed, *argv], env, workdir)
    expected = refused_code if code is None else code
    assert done.returncode == expected, done.stderr
    if expected == 0:
        assert "Traceback" not in done.stderr
        return
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert words in lines[0] or typed in {"backup", "restore"}, lines[0]
    assert "secret" not in done.stderr  # a password in DATABASE_URL is never echoed


def test_the_data_dir_flag_pointing_at_a_file_is_one_line(workdir: Path) -> None:
    done = run_process(["--data-dir", str(workdir / "a-file"), "init"], {}, workdir)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"the data directory {workdir / 'a-file'} is a file, not a directory (--data-dir or KANELBULLE_DATA_DIR)"
    ]


def test_an_unclear_setting_is_one_line(workdir: Path) -> None:
    done = run_process(
        ["init"], {"KANELBULLE_DATA_DIR": str(workdir / "data"), "KANELBULLE_PRODUCTION": "maybe"}, workdir
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["KANELBULLE_PRODUCTION must be true or false, not 'maybe'"]


@pytest.mark.parametrize("argv", [["--help"], ["export"], ["check"]], ids=" ".join)
def test_a_reader_that_stops_early_is_not_an_error(argv: list[str], workdir: Path) -> None:
    """`kanelbulle export | head`: the reader goes away; no BrokenPipeError, no traceback."""
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    process = subprocess.Popen(
        [*KANELBULLE, *argv],
        env={**base, "KANELBULLE_DATA_DIR": str(workdir / "data")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the command writes anything
    err = process.stderr.read()
    assert process.wait(timeout=120) == 0, err
    assert err == ""
