"""`kanelbulle gift-check`: check a planned (or received) gift against the policies and etiquette.

Nothing is stored. Exit 0 whatever the verdict; 2 for invalid input (one line per problem).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from kanelbulle.core.command import InputError, KbCommand
from kanelbulle.gifts.actions import GiftError, check, parse_input
from kanelbulle.gifts.models import Category, Direction


class Command(KbCommand):
    help = (
        "Check a gift: `gift-check --customer REF [--contact REF] --value AMOUNT CURRENCY --description TEXT "
        "[--category C] [--date DATE] [--direction given|received] [--occasion TEXT] [--json]`."
    )
    json_option = True
    as_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--customer", required=True, metavar="REF")
        parser.add_argument("--contact", metavar="REF")
        parser.add_argument("--value", required=True, nargs=2, metavar=("AMOUNT", "CURRENCY"))
        parser.add_argument("--description", required=True, metavar="TEXT")
        parser.add_argument("--category", choices=Category.values, default=Category.OBJECT)
        parser.add_argument("--date", metavar="DATE", help="ISO date, default today")
        parser.add_argument("--direction", choices=Direction.values, default=Direction.GIVEN)
        parser.add_argument("--occasion", default="", metavar="TEXT", help="e.g. christmas")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.as_user(options)
        amount, currency = options["value"]
        try:
            data = parse_input(
                actor,
                customer=options["customer"],
                contact=options["contact"],
                amount=amount,
                currency=currency,
                description=options["description"],
                category=options["category"],
                date=options["date"],
                direction=options["direction"],
                occasion=options["occasion"],
            )
            result = check(data)
        except GiftError as exc:
            raise InputError(*(f"--{line}" for line in exc.lines)) from None
        if options["json"]:
            self.emit_json(result.to_json())
            return
        self.stdout.write(f"verdict: {result.verdict}")
        for r in result.reasons:
            self.stdout.write(f"  {r.code}: {r.message}")
        for e in result.etiquette:
            self.stdout.write(f"  etiquette {e.code}: {e.message}")
