from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandParser

from kanelbulle.core.command import InputError, KbCommand
from kanelbulle.core.taskqueue import enqueue, ensure_schedules, planned


class Command(KbCommand):
    help = (
        "Run the background worker: the daily refresh, the weekly digest and the retention review on "
        "their schedules, and jobs the pages start (`worker [--workers N]`; `worker --now JOB` queues one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("KANELBULLE_JOB_WORKERS", "2")),
            help="worker processes in this cluster (default 2, or KANELBULLE_JOB_WORKERS)",
        )
        parser.add_argument(
            "--now",
            metavar="JOB",
            choices=[p.name.replace(" ", "-") for p in planned()],
            help="put one scheduled job on the queue now and stop (a running worker does it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django_q.conf import Conf  # type: ignore[import-untyped]

        ensure_schedules()
        if options["now"]:
            func = next(p.func for p in planned() if p.name.replace(" ", "-") == options["now"])
            self.stdout.write(f"queued {options['now']} as job {enqueue(func)}")
            return
        if options["workers"] < 1:
            raise InputError(f"--workers: {options['workers']} is not a number of processes (1 or more)")
        Conf.WORKERS = options["workers"]
        self.stdout.write(f"worker: {options['workers']} processes; schedules: {', '.join(p.name for p in planned())}")
        self.stdout.flush()
        call_command("qcluster")
