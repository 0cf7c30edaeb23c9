"""`kanelbulle import FILE [--dry-run] [--preset NAME] [--json]`: load an exchange document."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from kanelbulle.core.command import InputError, KbCommand
from kanelbulle.exchange.importer import ImportProblems, import_file


class Command(KbCommand):
    help = (
        "Load a file in the exchange format (kanelbulle/1): all or nothing, upsert by ref. "
        "Every problem is reported with its JSON path."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", metavar="FILE", help="a .json file in the exchange format")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report what would change; write nothing"
        )
        parser.add_argument("--preset", metavar="NAME", help="read a CSV file with a preset (not supported yet)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("preset"):
            raise InputError(_("--preset: not supported yet: CSV presets come with the API issue"))
        try:
            report = import_file(options["file"], dry_run=options["dry_run"], actor_label="import")
        except ImportProblems as exc:
            raise InputError(*[p.line() for p in exc.problems]) from None
        if options.get("json"):
            self.emit_json(report.as_dict())
            return
        if report.dry_run:
            self.stdout.write(_("dry run: nothing was written; this is what would change"))
        for line in report.summary_lines():
            self.stdout.write(line)
        for note in report.notes:
            self.stdout.write(_("note: %(note)s") % {"note": note})
