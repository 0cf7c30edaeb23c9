from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from kanelbulle.core.backup import BackupError, RestoreRefused, restore
from kanelbulle.core.command import InputError, KbCommand, RunError, ensure_database


class Command(KbCommand):
    help = "Restore a backup made by `kanelbulle backup`; refuses a non-empty database without --force."
    needs_database = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--force", action="store_true", help="replace a database that is not empty")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            message = restore(Path(options["file"]), force=options["force"])
        except (RestoreRefused, FileNotFoundError, ValueError) as exc:
            raise InputError(str(exc)) from None
        except BackupError as exc:
            raise RunError(str(exc)) from None
        ensure_database()  # a backup from an older version is brought up to date
        self.stdout.write(message)
