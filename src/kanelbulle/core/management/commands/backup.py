from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from kanelbulle.core.backup import BackupError, BackupRefused, backup
from kanelbulle.core.command import InputError, KbCommand, RunError


class Command(KbCommand):
    help = "Write a consistent copy of the database to FILE, safe while the server runs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.stdout.write(backup(Path(options["file"])))
        except BackupRefused as exc:
            raise InputError(str(exc)) from None
        except BackupError as exc:
            raise RunError(str(exc)) from None
