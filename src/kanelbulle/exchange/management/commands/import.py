"""`kanelbulle import FILE [--dry-run] [--preset NAME] [--customer REF] [--as USER] [--json]`.

A ``.json`` file is an exchange document; a ``.ics`` file a calendar export (meetings); a
``.vcf`` file a customer's contacts (with ``--customer``); a ``.csv`` file an export from another
CRM (with ``--preset hubspot|pipedrive|salesforce``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from kanelbulle.core.command import InputError, KbCommand
from kanelbulle.exchange.importer import ImportProblems, import_file

PRESETS = ("hubspot", "pipedrive", "salesforce")


class Command(KbCommand):
    help = (
        "Load a file: the exchange format (.json, all or nothing, upsert by ref), a calendar (.ics), "
        "contacts (.vcf with --customer) or a CSV export from another CRM (--preset)."
    )
    json_option = True
    as_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", metavar="FILE", help="a .json, .ics, .vcf or .csv file")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report what would change; write nothing"
        )
        parser.add_argument("--preset", metavar="NAME", help=f"the CSV's origin: {', '.join(PRESETS)}")
        parser.add_argument("--customer", metavar="REF", help="the customer whose contacts a .vcf file holds")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        suffix = path.suffix.lower()
        if options.get("preset") and suffix != ".csv":
            raise InputError(_("--preset: only a .csv file takes a preset"))
        if suffix in {".ics", ".vcf", ".csv"}:
            self._connector(path, suffix, options)
            return
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

    def _connector(self, path: Path, suffix: str, options: dict[str, Any]) -> None:
        from kanelbulle import connectors
        from kanelbulle.customers.models import Customer

        if options["dry_run"]:
            raise InputError(_("--dry-run: only exchange documents (.json) can be tried without writing"))
        if not path.is_file():
            raise InputError(_("%(file)s: no such file") % {"file": path})
        actor = self.as_user(options)
        if suffix == ".csv":
            if options.get("preset") not in PRESETS:
                raise InputError(_("--preset: a .csv file needs --preset %(names)s") % {"names": "|".join(PRESETS)})
            report = connectors.import_csv(path, options["preset"], actor=actor)
        elif suffix == ".vcf":
            ref = options.get("customer")
            customer = Customer.objects.filter(ref=ref).first() if ref else None
            if customer is None:
                raise InputError(_("--customer: a .vcf file needs the ref of a customer that exists"))
            report = connectors.import_vcard(path, customer, actor=actor)
        else:
            report = connectors.import_ics(path, actor=actor)
        if report.problems:
            raise InputError(*report.lines())
        if options.get("json"):
            self.emit_json(report.summary())
            return
        self.stdout.write(
            _("created %(c)s, updated %(u)s, unchanged %(n)s")
            % {"c": report.created, "u": report.updated, "n": report.unchanged}
        )
        for location, message in report.skipped:
            self.stdout.write(_("skipped %(loc)s: %(msg)s") % {"loc": location, "msg": message})
        for address in report.unmatched:
            self.stdout.write(_("not a contact: %(address)s") % {"address": address})
        for location, message in report.matched:
            self.stdout.write(_("matched %(loc)s: %(msg)s") % {"loc": location, "msg": message})
