from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandParser

from kanelbulle.core.command import InputError, KbCommand


def default_workers() -> int:
    """How many app processes to run: KANELBULLE_WORKERS, else one per core this process may use.

    Every process is alike and keeps nothing of its own (sessions, login lockouts, jobs and the
    relationship state are in the database; see docs/deploy.md), so more processes simply serve
    more requests at once.
    """
    raw = os.environ.get("KANELBULLE_WORKERS", "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise InputError(f"KANELBULLE_WORKERS: {raw!r} is not a number of processes (1 or more)")
        return int(raw)
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13+: honours the CPU affinity
    if counted is not None:
        return max(1, counted() or 1)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


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
    help = (
        "Serve the web app and API with a production-grade server (granian): "
        "`serve [--host H] [--port P] [--workers N]`, N processes (default: one per core, or KANELBULLE_WORKERS)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="app processes (default: one per core, or KANELBULLE_WORKERS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workers = options["workers"] if options["workers"] is not None else default_workers()
        if workers < 1:
            raise InputError(f"--workers: {workers} is not a number of processes (1 or more)")
        self.stdout.write(
            f"serving Kanelbulle on http://{options['host']}:{options['port']}/ with {workers} "
            f"process{'es' if workers != 1 else ''} (Ctrl+C stops)"
        )
        self.stdout.flush()
        serve(options["host"], options["port"], workers)
