from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from kanelbulle.core.command import KbCommand, RunError
from kanelbulle.insights.management.commands.attention import parse_today
from kanelbulle.insights.state import expected_states, refresh, stored_states


class Command(KbCommand):
    help = (
        "Recompute every customer's relationship state as of a day: `refresh [--today DATE] [--check]` "
        "(the worker runs it daily)."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--today", metavar="DATE", help="as of this date (YYYY-MM-DD; default: today)")
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing: say whether the stored state equals a full recomputation",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.json = bool(options.get("json"))
        if options["check"]:
            stored, expected = stored_states(), expected_states()
            differ = sorted(pk for pk in stored.keys() | expected.keys() if stored.get(pk) != expected.get(pk))
            self.emit(
                {"customers": len(expected), "differ": len(differ)},
                f"{len(expected)} customers; {len(differ)} differ from a full recomputation",
            )
            if differ:
                raise RunError(f"the stored state of {len(differ)} customers is stale")
            return
        today = parse_today(options["today"])
        done = refresh(today)
        self.emit(
            {
                "today": done.today.isoformat(),
                "teams": done.scopes,
                "customers": done.customers,
                "attention": done.attention,
            },
            f"refreshed {done.customers} customers in {done.scopes} teams as of {done.today.isoformat()}; "
            f"{done.attention} need attention",
        )

    def emit(self, document: dict[str, Any], line: str) -> None:
        if self.json:
            self.emit_json(document)
        else:
            self.stdout.write(line)
