from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandParser

from kanelbulle.core.command import KbCommand


def serve(host: str, port: int, workers: int) -> None:
    """Run the WSGI app under granian (a production server, not runserver)."""
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        target="kanelbulle.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        # Above 2 x cores + 1 granian warns; four is plenty for a sync Django app.
        blocking_threads=4,
        log_access=False,
    ).serve()


class Command(KbCommand):
    help = "Serve the web app and API with a production-grade server (granian)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("KANELBULLE_WORKERS", "1")))

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"serving Kanelbulle on http://{options['host']}:{options['port']}/ (Ctrl+C stops)")
        self.stdout.flush()
        serve(options["host"], options["port"], options["workers"])
