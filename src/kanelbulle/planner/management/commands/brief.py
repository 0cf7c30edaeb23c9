"""`kanelbulle brief --customer REF`: the brief for a visit (people, facts, meetings, deals, gifts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from kanelbulle.core.access import NotVisible
from kanelbulle.core.command import InputError, KbCommand


class Command(KbCommand):
    help = "The brief for a visit to a customer: people and facts, last meetings, deals, requests, gifts."
    json_option = True
    as_option = True
    today_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--customer", required=True, metavar="REF", help="the customer's ref")
        parser.add_argument("--language", choices=["en", "sv"], default="en", help="language of the text (default en)")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.utils import translation

        with translation.override(options["language"]):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        from kanelbulle.planner.brief import as_text, brief

        viewer = self.as_user(options)
        try:
            doc = brief(viewer, options["customer"], self.today(options))
        except NotVisible:
            raise InputError(f"--customer: no customer {options['customer']!r}") from None
        if options["json"]:
            self.emit_json(doc)
        else:
            self.stdout.write(as_text(doc))
