"""The `kanelbulle` command: a thin front for the product's management commands.

Each app owns its commands (``<app>/management/commands/<name>.py``), so the CLI, the web views
and the API call the same actions. Global options: ``--data-dir DIR`` (or
``KANELBULLE_DATA_DIR``); ``DATABASE_URL`` selects PostgreSQL.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

# Commands from Django itself that the product exposes as its own.
DJANGO_COMMANDS = {"check": "Django's system checks (add --deploy for the deployment checklist)"}


def _pop_data_dir(argv: list[str]) -> list[str]:
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--data-dir":
            if i + 1 >= len(argv):
                sys.stderr.write("--data-dir needs a directory\n")
                raise SystemExit(2)
            os.environ["KANELBULLE_DATA_DIR"] = argv[i + 1]
            i += 2
            continue
        if arg.startswith("--data-dir="):
            os.environ["KANELBULLE_DATA_DIR"] = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    return rest


def product_commands() -> dict[str, str]:
    """Command name (as typed, with hyphens) -> the Django command name."""
    from django.core.management import get_commands

    found = {name.replace("_", "-"): name for name, app in get_commands().items() if str(app).startswith("kanelbulle.")}
    found.update({name: name for name in DJANGO_COMMANDS})
    return dict(sorted(found.items()))


def _usage() -> str:
    from django.core.management import get_commands, load_command_class

    lines = [
        "usage: kanelbulle [--data-dir DIR] COMMAND [options]",
        "",
        "A relationship-first sales system. Every command has --help.",
        "",
        "commands:",
    ]
    apps = get_commands()
    for typed, name in product_commands().items():
        if name in DJANGO_COMMANDS:
            summary = DJANGO_COMMANDS[name]
        else:
            summary = (load_command_class(apps[name], name).help or "").strip().splitlines()[0]
        lines.append(f"  {typed:<14} {summary}")
    lines += ["", "DATABASE_URL=postgresql://… selects PostgreSQL; the default is SQLite in the data directory."]
    return "\n".join(lines) + "\n"


def _fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(message + "\n")
    raise SystemExit(code)


def _write(text: str) -> None:
    """Write to stdout; a reader that went away (``| head``) is not an error."""
    from kanelbulle.core.command import stop_writing_stdout

    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        stop_writing_stdout()


def setup() -> None:
    """Start Django; a bad environment (DATABASE_URL, the data directory) is one line and status 2."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanelbulle.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    from kanelbulle.core.command import one_line

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        _fail(one_line(str(exc)), 2)
    except OSError as exc:
        _fail(f"the data directory cannot be used: {one_line(str(exc))}", 1)


def main(argv: list[str] | None = None) -> None:
    args = _pop_data_dir(list(sys.argv[1:] if argv is None else argv))
    setup()
    if not args:
        _fail("give a command; `kanelbulle --help` lists them", 2)
    if args[0] in {"-h", "--help", "help"}:
        _write(_usage())
        raise SystemExit(0)
    if args[0] == "--version":
        from kanelbulle import __version__

        _write(f"kanelbulle {__version__}\n")
        raise SystemExit(0)
    commands = product_commands()
    name = commands.get(args[0])
    if name is None:
        _fail(f"unknown command {args[0]!r}; `kanelbulle --help` lists them", 2)
    from django.core.management import get_commands, load_command_class

    from kanelbulle.core.command import run_command

    run_command(load_command_class(get_commands()[name], name), ["kanelbulle", name, *args[1:]])
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        from kanelbulle.core.command import stop_writing_stdout

        stop_writing_stdout()
    raise SystemExit(0)


if __name__ == "__main__":
    main()
