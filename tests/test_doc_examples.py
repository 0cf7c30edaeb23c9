"""Every `kanelbulle …` example in README.md and docs/*.md runs as written.

Examples are taken from code blocks and from inline code. A concrete one (no placeholder) runs
in a shell, from the repository root, against a data directory with the demo loaded, and must
exit 0. A synopsis (`--user NAME [--today DATE]`, `hubspot|pipedrive`) cannot run as written: its
command, subcommand and every flag it names must exist. Examples that serve until stopped or need
a file the docs do not ship are skipped, each listed below with its reason.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from kanelbulle.cli import product_commands

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent

SKIPPED = {
    "kanelbulle demo": "serves until stopped",
    "kanelbulle demo --port 8080 --host 127.0.0.1": "serves until stopped",
    "kanelbulle demo --today 2026-11-24": "serves until stopped",
    "kanelbulle serve --workers 2": "serves until stopped",
    "kanelbulle import big.json": "big.json is the 10,000-customer file bench/bench_import.py writes",
}
PLACEHOLDER = re.compile(r"\b[A-Z][A-Z0-9_]*\b|[\[\]|…]")


def examples() -> Iterator[tuple[str, str]]:
    """(where, command line) for every `kanelbulle …` example, once each."""
    seen: set[str] = set()
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        found: list[tuple[int, str]] = []
        in_block = False
        lines = text.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.strip().startswith("```"):
                in_block = not in_block
            elif in_block and re.match(r"\s*kanelbulle\b", line):
                start = i
                while line.rstrip().endswith("\\") and i + 1 < len(lines):
                    i += 1
                    line = line.rstrip()[:-1] + " " + lines[i].strip()
                found.append((start + 1, line.split("  #")[0].strip()))
            i += 1
        for match in re.finditer(r"`(kanelbulle [^`]+)`", text):
            found.append((text.count("\n", 0, match.start()) + 1, match.group(1).strip()))
        for line_no, command in found:
            command = re.sub(r"\s+", " ", command)
            if command not in seen:
                seen.add(command)
                yield f"{page.relative_to(ROOT)}:{line_no}", command


EXAMPLES = list(examples())


def is_synopsis(command: str) -> bool:
    words = command.split()
    if len(words) == 2 and not words[1].startswith("-"):
        return True  # naming a command (`kanelbulle plan`), not an example of it
    return bool(PLACEHOLDER.search(command.removeprefix("kanelbulle ")))


def test_the_docs_have_examples_to_check() -> None:
    assert len(EXAMPLES) >= 20
    assert sum(not is_synopsis(c) and c not in SKIPPED for _w, c in EXAMPLES) >= 5
    listed = {c for _w, c in EXAMPLES}
    assert not set(SKIPPED) - listed, f"skipped examples no doc shows any more: {set(SKIPPED) - listed}"


def parser_for(command: str) -> tuple[argparse.ArgumentParser, list[str]]:
    """The parser of the (sub)command an example names, and the words after it."""
    words = command.split()[1:]
    typed = words[0].rstrip(":")
    if typed.startswith("-"):
        return argparse.ArgumentParser(prog="kanelbulle", add_help=True), words
    commands = product_commands()
    assert typed in commands, f"no command {typed!r}"
    name = commands[typed]
    parser = load_command_class(get_commands()[name], name).create_parser("kanelbulle", typed)
    rest = words[1:]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and rest and not rest[0].startswith("-"):
            assert rest[0] in action.choices, f"{typed} has no subcommand {rest[0]!r}"
            return action.choices[rest[0]], rest[1:]
    return parser, rest


@pytest.mark.parametrize(("where", "command"), [e for e in EXAMPLES if is_synopsis(e[1])], ids=lambda v: v)
def test_a_synopsis_names_only_what_exists(where: str, command: str) -> None:
    parser, rest = parser_for(command.replace("…", ""))
    known = {option for action in parser._actions for option in action.option_strings}
    for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", " ".join(rest)):
        if command.split()[1].startswith("-"):
            continue  # `kanelbulle --help`, `kanelbulle --data-dir`: the front's own options
        assert flag in known, f"{where}: {command!r}: no option {flag}"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("demo-data")
    done = subprocess.run(
        [str(BIN / "kanelbulle"), "demo", "--no-serve", "--today", "2026-11-24"],
        env=environment(data), capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return data


def environment(data: Path) -> dict[str, str]:
    # As a user's shell has it: no test-only settings (pytest's async switch), SQLite in the data dir.
    dropped = {"DATABASE_URL", "KANELBULLE_DATA_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**env, "PATH": f"{BIN}:{env['PATH']}", "KANELBULLE_DATA_DIR": str(data)}


@pytest.mark.slow
@pytest.mark.parametrize(("where", "command"), [e for e in EXAMPLES if not is_synopsis(e[1])], ids=lambda v: v)
def test_an_example_runs_as_written(where: str, command: str, demo_dir: Path) -> None:
    if command in SKIPPED:
        pytest.skip(SKIPPED[command])
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=ROOT, env=environment(demo_dir), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{where}: {command}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr
