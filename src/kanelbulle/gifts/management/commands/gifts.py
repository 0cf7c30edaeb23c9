"""`kanelbulle gifts report`: the gift register for a period, with totals, as CSV or printable HTML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from kanelbulle.core.command import InputError, KbCommand, RunError, add_subcommands
from kanelbulle.gifts import report
from kanelbulle.gifts.actions import company_currency, visible_gifts


def _date(raw: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{flag}: {raw!r} is not a date such as 2025-12-31") from None


class Command(KbCommand):
    help = "The gift register: `gifts report --from DATE --to DATE [--format csv|html] [--output FILE] [--as USER]`."
    as_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        sub = add_subcommands(parser)
        rep = sub.add_parser("report", help="the register for a period with totals per customer, person and seller")
        rep.add_argument("--from", dest="start", required=True, metavar="DATE")
        rep.add_argument("--to", dest="end", required=True, metavar="DATE")
        rep.add_argument("--format", choices=["csv", "html"], default="csv")
        rep.add_argument("--output", metavar="FILE", help="write here instead of stdout")
        rep.add_argument("--as", dest="as_user", metavar="USER", help="show only what USER may see")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _date(options["start"], "--from"), _date(options["end"], "--to")
        if end < start:
            raise InputError(f"--to {end.isoformat()} is before --from {start.isoformat()}")
        actor = self.as_user(options)
        gifts = visible_gifts(actor).filter(date__gte=start, date__lte=end)
        rep = report.build(gifts, start, end, company_currency())
        if options["format"] == "html":
            text = report.to_html(rep, generated=timezone.localtime().strftime("%Y-%m-%d %H:%M"))
        else:
            text = report.to_csv(rep)
        if options["output"]:
            try:
                Path(options["output"]).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise RunError(f"--output: cannot write {options['output']}: {exc.strerror}") from None
            self.stdout.write(f"wrote {len(rep.gifts)} gifts to {options['output']}")
        else:
            self.stdout.write(text, ending="")
