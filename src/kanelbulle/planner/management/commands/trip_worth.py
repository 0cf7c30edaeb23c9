"""`kanelbulle trip-worth --customer REF`: is a trip to this customer worth it, and by which mode?"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from kanelbulle.core.command import InputError, KbCommand


class Command(KbCommand):
    help = (
        "Is this trip worth it? A customer's value at stake against going by car, train or plane from "
        "the seller's home (time, cost, CO2) and against a video call."
    )
    json_option = True
    today_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--customer", required=True, metavar="REF", help="the customer's ref")
        parser.add_argument(
            "--user", metavar="NAME", help="the seller who would travel (default: the customer's owner)"
        )
        parser.add_argument("--language", choices=["en", "sv"], default="en", help="language of the text (default en)")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.contrib.auth import get_user_model
        from django.utils import translation

        from kanelbulle.core.rates import NoRate
        from kanelbulle.customers.models import Customer
        from kanelbulle.planner.book import BookError
        from kanelbulle.planner.worth import trip_worth

        today = self.today(options)
        problems = []
        customer = Customer.objects.select_related("owner").filter(ref=options["customer"]).first()
        if customer is None:
            problems.append(f"--customer: no customer {options['customer']!r}")
        seller = None
        if options["user"]:
            seller = get_user_model().objects.filter(username=options["user"]).first()
            if seller is None:
                problems.append(f"--user: no user named {options['user']!r}")
        if problems:
            raise InputError(*problems)
        assert customer is not None
        seller = seller or customer.owner
        with translation.override(options["language"]):
            try:
                doc = trip_worth(seller, customer, today)
            except BookError as exc:
                raise InputError(("--user: " if options["user"] else "") + str(exc)) from None
            except NoRate as exc:
                raise InputError(str(exc)) from None
            if options["json"]:
                self.emit_json(doc)
                return
            lines = [*doc["texts"][options["language"]], doc["summaries"][options["language"]]]
            lines += [f"note: {n}" for n in doc["notes"]]
            self.stdout.write("\n".join(lines))
