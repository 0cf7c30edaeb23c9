from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.template.loader import render_to_string

from kanelbulle.core.actions import audit
from kanelbulle.core.command import InputError, KbCommand, add_subcommands
from kanelbulle.customers.models import Contact
from kanelbulle.privacy.dossier import dossier
from kanelbulle.privacy.erase import erase_contact
from kanelbulle.privacy.retention import due_for_review, retention_months


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


class Command(KbCommand):
    help = "Personal data: export or erase one person, and review contacts due for retention."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = add_subcommands(parser)
        export = sub.add_parser("export", help="everything held about one person (JSON, or HTML with --html)")
        export.add_argument("--contact", required=True, metavar="REF")
        export.add_argument("--output", metavar="FILE")
        export.add_argument("--html", action="store_true", help="readable HTML instead of JSON")
        erase = sub.add_parser("erase", help="erase one person; business records stay, anonymised")
        erase.add_argument("--contact", required=True, metavar="REF")
        erase.add_argument("--yes", action="store_true", help="do not ask first")
        review = sub.add_parser("retention", help="contacts with no interaction for the retention period")
        review.add_argument("--today", metavar="DATE", help="review as of DATE (YYYY-MM-DD; default: today)")
        review.add_argument("--json", action="store_true")
        renew = sub.add_parser("renew", help="renew a contact's lawful basis after a retention review")
        renew.add_argument("--contact", required=True, metavar="REF")

    def _contact(self, ref: str) -> Contact:
        contact = Contact.objects.select_related("customer__owner").filter(ref=ref).first()
        if contact is None:
            raise InputError(f"--contact: no contact with ref {ref!r}")
        return contact

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "retention":
            self._retention(options)
            return
        contact = self._contact(options["contact"])
        if action == "export":
            document = dossier(contact)
            audit(None, "privacy_export", contact)
            text = (
                render_to_string("privacy/dossier.html", {"d": document})
                if options["html"]
                else json.dumps(document, ensure_ascii=False, indent=2)
            )
            if options["output"]:
                _write_atomically(Path(options["output"]), text)
                self.stderr.write(f"written to {options['output']}")
            else:
                self.stdout.write(text)
        elif action == "erase":
            if not options["yes"]:
                if not sys.stdin.isatty():
                    raise InputError("erase asks for confirmation: run it on a terminal or add --yes")
                answer = input(f"Erase {contact.name} ({contact.ref}) at {contact.customer.name}? Type yes: ")
                if answer.strip().lower() != "yes":
                    raise InputError("not erased")
            ref = contact.ref
            counts = erase_contact(contact)
            self.stdout.write(
                f"erased {ref}: {counts['facts']} facts removed, mentions redacted in {counts['records_redacted']} "
                f"records ({counts['meetings_redacted']} meetings, {counts['gifts_redacted']} gifts)"
            )
            if counts["changed"]:
                self.stdout.write("for their owners' review (redacted text shows […]):")
            for c in counts["changed"]:
                self.stdout.write(f"  {c.owner or '-'}  {c.kind} {c.ref}: {', '.join(c.fields)}")
        elif action == "renew":
            audit(None, "retention_renewed", contact, lawful_basis=contact.lawful_basis)
            self.stdout.write(f"renewed {contact.ref}: the retention period starts again today")

    def _retention(self, options: dict[str, Any]) -> None:
        today = self.today(options)
        try:
            months = retention_months()
        except ValueError as exc:
            raise InputError(str(exc)) from None
        due = due_for_review(today, months)
        if options["json"]:
            self.emit_json(
                {
                    "today": today.isoformat(),
                    "months": months,
                    "due": [
                        {"contact": d.contact.ref, "name": d.contact.name, "customer": d.contact.customer.ref,
                         "last_interaction": d.last_interaction.isoformat() if d.last_interaction else None,
                         "idle_days": d.idle_days}
                        for d in due
                    ],
                }
            )  # fmt: skip
            return
        if not due:
            self.stdout.write(f"no contact has been idle for more than {months} months")
        for d in due:
            when = (
                f"last interaction {d.last_interaction}, {d.idle_days} days ago"
                if d.last_interaction
                else ("no interaction recorded")
            )
            self.stdout.write(f"{d.contact.ref}  {d.contact.name} ({d.contact.customer.name}): {when}")
