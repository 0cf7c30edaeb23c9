"""The `kanelbulle` command: a thin front for the product's management commands.

Each app owns its commands (``<app>/management/commands/<name>.py``), so the CLI, the web views
and the API call the same actions. Global options: ``--data-dir DIR`` (or
``KANELBULLE_DATA_DIR``); ``DATABASE_URL`` selects PostgreSQL.
"""

from __future__ import annotations

import os
import sys

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


def main(argv: list[str] | None = None) -> None:
    args = _pop_data_dir(list(sys.argv[1:] if argv is None else argv))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanelbulle.settings")
    import django

    django.setup()
    if not args or args[0] in {"-h", "--help", "help"}:
        sys.stdout.write(_usage())
        raise SystemExit(0 if args else 2)
    if args[0] == "--version":
        from kanelbulle import __version__

        sys.stdout.write(f"kanelbulle {__version__}\n")
        raise SystemExit(0)
    commands = product_commands()
    name = commands.get(args[0])
    if name is None:
        sys.stderr.write(f"unknown command {args[0]!r}; `kanelbulle --help` lists them\n")
        raise SystemExit(2)
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["kanelbulle", name, *args[1:]])
    utility.execute()
    raise SystemExit(0)


if __name__ == "__main__":
    main()
