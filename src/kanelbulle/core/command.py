"""The base of every `kanelbulle` subcommand: plain one-line errors and the exit statuses of cli.md.

0 done (whatever the answer), 1 failed while running, 2 bad usage or invalid input. With
``--json`` stdout carries exactly one JSON document, or nothing when the command fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from argparse import ArgumentParser
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser, SystemCheckError
from django.db import DatabaseError, connections


class InputError(CommandError):
    """Bad usage or invalid input: exit status 2, one line per problem."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems) or ["invalid input"]
        super().__init__("\n".join(self.problems), returncode=2)


class RunError(CommandError):
    """Failed while running: exit status 1."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=1)


def ensure_database() -> None:
    """Create or migrate the database if needed, quietly: the embedded default needs no set-up."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


class KbCommand(BaseCommand):
    """A product command. Subclasses set ``needs_database`` and ``json_option``."""

    requires_system_checks: list[str] = []  # type: ignore[assignment]
    needs_database = True
    json_option = False
    as_option = False
    today_option = False

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django's generic options only clutter the product's --help.
        for action in list(parser._actions):
            if action.dest in {"settings", "pythonpath", "no_color", "force_color", "skip_checks", "verbosity"}:
                action.help = argparse.SUPPRESS
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        if self.json_option:
            parser.add_argument("--json", action="store_true", help="print exactly one JSON document on stdout")
        if self.as_option:
            parser.add_argument("--as", dest="as_user", metavar="USER", help="show only what USER may see")
        if self.today_option:
            parser.add_argument(
                "--today", metavar="DATE", help="evaluate as of DATE (YYYY-MM-DD; default: today), for repeatable runs"
            )

    def today(self, options: dict[str, Any]) -> dt.date:
        """The day the command counts from: ``--today`` or the installation's calendar day."""
        from kanelbulle.core.days import BadDay, default_today, parse_day

        try:
            return parse_day(options.get("today"), "--today") or default_today()
        except BadDay as exc:
            raise InputError(str(exc)) from None

    def emit_json(self, document: Any) -> None:
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str))

    def as_user(self, options: dict[str, Any]) -> Any:
        """The user named by ``--as``, or None for the operator (who sees everything)."""
        name = options.get("as_user")
        if not name:
            return None
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise InputError(f"--as: no user named {name!r}")
        return user

    def execute(self, *args: Any, **options: Any) -> Any:
        if self.needs_database:
            ensure_database()
        return super().execute(*args, **options)

    def run_from_argv(self, argv: list[str]) -> None:
        run_command(self, argv)


def add_subcommands(parser: ArgumentParser, dest: str = "action") -> Any:
    """Subcommands such as ``user create``; the parser class must stay Django's CommandParser."""
    return parser.add_subparsers(dest=dest, required=True, parser_class=CommandParser)


class UsageError(CommandError):
    """A command line argparse refused, already one line naming the command as typed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=2)


def one_line(text: str) -> str:
    """A message on one line: its lines joined, blank ones dropped."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _parsers(parser: ArgumentParser) -> list[ArgumentParser]:
    """A parser and every subcommand parser below it."""
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            if action.metavar is None:  # "required: {create,list}" rather than "required: action"
                action.metavar = "{" + ",".join(action.choices) + "}"
            for sub in dict.fromkeys(action.choices.values()):
                found += _parsers(sub)
    return found


def _refuse_in_one_line(parser: ArgumentParser) -> None:
    """argparse's errors become one line naming the command as typed, with no usage block."""

    def error(message: str) -> NoReturn:
        raise UsageError(f"{parser.prog}: {message} (see `{parser.prog} --help`)")

    setattr(parser, "error", error)  # noqa: B010 - an instance's own error(), not the class's


def _chosen(parser: ArgumentParser, options: argparse.Namespace) -> ArgumentParser:
    """The deepest subcommand parser the command line chose."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            name = getattr(options, action.dest, None)
            if name in action.choices:
                return _chosen(action.choices[name], options)
    return parser


def stop_writing_stdout() -> None:
    """The reader went away (``| head``): send what is left to /dev/null so exit stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (e.g. in tests)
        pass


def run_command(command: BaseCommand, argv: list[str]) -> None:
    """Run a command as typed (``argv``: program, command name, arguments), with cli.md's errors.

    Every error is one plain line per problem on stderr and exit status 2 (bad usage or input) or
    1 (failed while running); Django's own commands (``check``) get the same treatment. Output cut
    short by its reader (``kanelbulle export | head``) is not an error: the command stops quietly.
    """
    typed = argv[1].replace("_", "-")
    parser = command.create_parser("kanelbulle", typed)
    for each in _parsers(parser):
        _refuse_in_one_line(each)
    try:
        options, extras = parser.parse_known_args(argv[2:])
        if extras:  # named by the subcommand they were given to (`privacy retention: …`)
            _chosen(parser, options).error(f"unrecognized arguments: {' '.join(extras)}")
    except CommandError as exc:  # UsageError, or Django's own "Error: …" from a parser
        message = str(exc).removeprefix("Error: ")
        if not isinstance(exc, UsageError):
            message = f"{parser.prog}: {message}"
        sys.stderr.write(one_line(message) + "\n")
        sys.exit(2)
    command._called_from_command_line = True  # type: ignore[attr-defined]
    cmd_options = vars(options)
    args = cmd_options.pop("args", ())
    try:
        command.execute(*args, **cmd_options)
    except BrokenPipeError:
        stop_writing_stdout()
        sys.exit(0)
    except CommandError as exc:
        if cmd_options.get("traceback"):
            raise
        if isinstance(exc, SystemCheckError):  # Django's report of the checks, one problem per line
            sys.stderr.write(str(exc).rstrip() + "\n")
        else:
            for line in str(exc).splitlines() or ["failed"]:
                sys.stderr.write(f"{line}\n")
        sys.exit(exc.returncode)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(1)
    except DatabaseError as exc:
        if cmd_options.get("traceback"):
            raise
        sys.stderr.write(f"failed: the database could not be used: {one_line(str(exc))}\n")
        sys.exit(1)
    except Exception as exc:  # one plain line, not a traceback, for a user
        if cmd_options.get("traceback"):
            raise
        sys.stderr.write(f"failed: {exc.__class__.__name__}: {one_line(str(exc))}\n")
        sys.exit(1)
    finally:
        # Inside a test's transaction the connection must stay open; a real run closes it.
        if not any(conn.in_atomic_block for conn in connections.all(initialized_only=True)):
            connections.close_all()
