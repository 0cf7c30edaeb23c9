"""`kanelbulle rates import FILE`: load the ECB's reference rates (daily or historical CSV)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from kanelbulle.core.command import InputError, KbCommand, add_subcommands
from kanelbulle.core.rates import RateFileError, import_ecb_file


class Command(KbCommand):
    help = "Exchange rates: `rates import FILE` loads the ECB reference-rate CSV (eurofxref.csv or eurofxref-hist.csv)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = add_subcommands(parser)
        load = sub.add_parser("import", help="load an ECB reference-rate CSV file (units per euro)")
        load.add_argument("file", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_ecb_file(options["file"])
        except RateFileError as exc:
            raise InputError(*exc.problems) from None
        if report.first is None:
            self.stdout.write(_("no rates in the file"))
            return
        self.stdout.write(
            _(
                "rates %(first)s..%(last)s for %(n)s currencies: "
                "%(created)s created, %(updated)s updated, %(unchanged)s unchanged"
            )
            % {
                "first": report.first,
                "last": report.last,
                "n": len(report.currencies),
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            }
        )
