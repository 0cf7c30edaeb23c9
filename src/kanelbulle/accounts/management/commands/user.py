from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser

from kanelbulle.accounts.models import Role
from kanelbulle.accounts.services import user_create
from kanelbulle.core.command import InputError, KbCommand, add_subcommands


class Command(KbCommand):
    help = "Manage users: `user create NAME --role seller|manager|admin [--password-stdin]`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = add_subcommands(parser)
        create = sub.add_parser("create", help="add a user")
        create.add_argument("username", metavar="NAME")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--name", default="", help="full name")
        create.add_argument("--team", default="", help="team name")
        create.add_argument("--password-stdin", action="store_true", help="read the password from stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
            if not password:
                raise InputError("--password-stdin: no password on stdin")
        try:
            user = user_create(
                username=options["username"],
                role=options["role"],
                password=password,
                name=options["name"],
                team=options["team"],
            )
        except ValidationError as exc:
            raise InputError(*exc.messages) from None
        self.stdout.write(f"created {user.role} {user.username}")
