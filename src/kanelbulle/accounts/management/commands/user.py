from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser

from kanelbulle.accounts.models import Role, User
from kanelbulle.accounts.services import user_create, user_update
from kanelbulle.core.command import InputError, KbCommand, add_subcommands

# The field a problem names, as the command's flag.
FLAGS = {
    "name": "--name",
    "email": "--email",
    "role": "--role",
    "team": "--team",
    "home_city": "--city",
    "home_country": "--country",
    "home_lat": "--city",
    "home_lon": "--city",
    "time_zone": "--time-zone",
}


def _problems(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{FLAGS.get(field, field)}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
    return list(exc.messages)


class Command(KbCommand):
    help = (
        "Manage users: `user create NAME --role seller|manager|admin [--email ADDRESS] [--password-stdin]`, "
        "`user update NAME [--name ...] [--email ...] [--team ...] [--role ...]`, "
        "`user set-home NAME --city CITY [--country CC]`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = add_subcommands(parser)
        create = sub.add_parser("create", help="add a user")
        create.add_argument("username", metavar="NAME")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--name", default="", help="full name")
        create.add_argument("--email", default="", help="e-mail address (the digest is sent there)")
        create.add_argument("--team", default="", help="team name")
        create.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        update = sub.add_parser("update", help="change a user's name, e-mail, role, team, home place or time zone")
        update.add_argument("username", metavar="NAME")
        update.add_argument("--name", help="full name")
        update.add_argument("--email", help="e-mail address; an empty one removes it")
        update.add_argument("--role", choices=Role.values)
        update.add_argument("--team", help="team name")
        update.add_argument("--home", metavar="CITY", help="home city, looked up in the offline gazetteer")
        update.add_argument("--country", metavar="CC", help="home country (two letters); with --home")
        update.add_argument("--time-zone", metavar="ZONE", help="e.g. Europe/Stockholm")
        home = sub.add_parser("set-home", help="set where a seller's days start (looked up offline)")
        home.add_argument("username", metavar="NAME")
        home.add_argument("--city", required=True, help="a place the offline gazetteer knows, e.g. Luleå")
        home.add_argument(
            "--country", metavar="CC", help="two letters, e.g. SE (default: the user's home country, else SE)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
            return
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise InputError(f"NAME: no user named {options['username']!r}")
        fields: dict[str, Any] = {}
        if action == "set-home":
            fields = self._place(user, options["city"], options["country"])
        else:
            for key in ("name", "email", "role", "team", "time_zone"):
                if options[key] is not None:
                    fields[key] = options[key]
            if options["home"] is not None:
                fields |= self._place(user, options["home"], options["country"])
            elif options["country"] is not None:
                raise InputError("--country: give it with --home")
            if not fields:
                raise InputError("nothing to change: give --name, --email, --role, --team, --home or --time-zone")
        try:
            user = user_update(None, user, **fields)
        except ValidationError as exc:
            raise InputError(*_problems(exc)) from None
        if action == "set-home":
            self.stdout.write(
                f"{user.username} lives in {user.home_city}, {user.home_country} "
                f"({user.home_lat:.4f}, {user.home_lon:.4f}; {user.time_zone})"
            )
        else:
            self.stdout.write(f"updated {user.username}")

    @staticmethod
    def _place(user: User, city: str, country: str | None) -> dict[str, Any]:
        """A new home place: looked up afresh, so the old coordinates are not kept."""
        if not city.strip():
            raise InputError("--city: must not be empty")
        code = (country or user.home_country or "SE").strip().upper()
        return {"home_city": city, "home_country": code, "home_lat": None, "home_lon": None, "time_zone": ""}

    def _create(self, options: dict[str, Any]) -> None:
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
                email=options["email"],
            )
        except ValidationError as exc:
            problems = [f"--email: {m.split(': ', 1)[1]}" if m.startswith("email: ") else m for m in exc.messages]
            raise InputError(*problems) from None
        self.stdout.write(f"created {user.role} {user.username}")
