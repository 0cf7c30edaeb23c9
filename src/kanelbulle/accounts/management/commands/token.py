from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser

from kanelbulle.accounts.services import token_create
from kanelbulle.core.command import InputError, KbCommand, add_subcommands


class Command(KbCommand):
    help = "API tokens: `token create NAME` prints a new token for that user (stored hashed)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = add_subcommands(parser)
        create = sub.add_parser("create", help="print a new API token for a user")
        create.add_argument("username", metavar="NAME")
        create.add_argument("--label", default="", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            _, raw = token_create(username=options["username"], name=options["label"])
        except ValidationError as exc:
            raise InputError(*exc.messages) from None
        self.stdout.write(raw)
