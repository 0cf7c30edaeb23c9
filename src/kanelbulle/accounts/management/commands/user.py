"""`kanelbulle user`: add users, set a password, deactivate or reactivate, list them."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from kanelbulle.accounts.models import Role, User
from kanelbulle.accounts.services import password_set, user_by_name, user_create, user_set_active, user_update
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


def _password_from_stdin() -> str:
    password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise InputError(_("--password-stdin: no password on stdin"))
    return password


def _refusal(exc: ValidationError) -> InputError:
    if hasattr(exc, "error_dict"):
        field_names = {"new_password": "password", "is_active": "user"}
        return InputError(
            *[f"{field_names.get(f, f)}: {m}" for f, messages in exc.message_dict.items() for m in messages]
        )
    return InputError(*exc.messages)


class Command(KbCommand):
    help = (
        "Manage users: `user create NAME --role seller|manager|admin [--email ADDRESS] [--password-stdin]`, "
        "`user update NAME [--name ...] [--email ...] [--team ...] [--role ...]`, "
        "`user set-home NAME --city CITY [--country CC]`, `user set-password NAME --password-stdin`, "
        "`user deactivate NAME`, `user reactivate NAME`, `user list [--json]`."
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
        setpw = sub.add_parser("set-password", help="set a user's password (read from stdin); their sessions end")
        setpw.add_argument("username", metavar="NAME")
        setpw.add_argument("--password-stdin", action="store_true", required=True, help="read the password from stdin")
        deactivate = sub.add_parser(
            "deactivate", help="stop a user logging in and revoke their tokens; their records stay"
        )
        deactivate.add_argument("username", metavar="NAME")
        reactivate = sub.add_parser("reactivate", help="let a deactivated user log in again")
        reactivate.add_argument("username", metavar="NAME")
        listing = sub.add_parser("list", help="list users (name, role, team, active, last login)")
        listing.add_argument("--json", action="store_true", help="print exactly one JSON document on stdout")
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
        simple = {
            "create": self._create,
            "set-password": self._set_password,
            "deactivate": self._deactivate,
            "reactivate": self._reactivate,
            "list": self._list,
        }
        if action in simple:
            simple[action](options)
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
        password = _password_from_stdin() if options["password_stdin"] else None
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

    def _user(self, options: dict[str, Any]) -> User:
        try:
            return user_by_name(options["username"])
        except ValidationError as exc:
            raise _refusal(exc) from None

    def _set_password(self, options: dict[str, Any]) -> None:
        user = self._user(options)
        password = _password_from_stdin()
        try:
            password_set(None, user, password)
        except ValidationError as exc:
            raise _refusal(exc) from None
        self.stdout.write(_("password set for %(name)s; their sessions have ended") % {"name": user.username})

    def _deactivate(self, options: dict[str, Any]) -> None:
        user = self._user(options)
        was_active = user.is_active
        user_set_active(None, user, False)
        if was_active:
            self.stdout.write(
                _("deactivated %(name)s: they cannot log in, their tokens are revoked") % {"name": user.username}
            )
        else:
            self.stdout.write(_("%(name)s was already deactivated") % {"name": user.username})

    def _reactivate(self, options: dict[str, Any]) -> None:
        user = self._user(options)
        was_active = user.is_active
        user_set_active(None, user, True)
        done = _("%(name)s was already active") if was_active else _("reactivated %(name)s; they need new tokens")
        self.stdout.write(done % {"name": user.username})

    def _list(self, options: dict[str, Any]) -> None:
        rows = [
            {
                "username": u.username,
                "name": u.name,
                "role": u.role,
                "team": u.team,
                "active": u.is_active,
                "can_log_in": u.is_active and u.has_usable_password(),
                "last_login": u.last_login.isoformat() if u.last_login else None,
            }
            for u in User.objects.order_by("team", "role", "username")
        ]
        if options.get("json"):
            self.emit_json(rows)
            return
        for row in rows:
            state = _("active") if row["active"] else _("deactivated")
            if row["active"] and not row["can_log_in"]:
                state = _("no password")
            self.stdout.write(
                f"{row['username']:<16} {row['role']:<8} {row['team'] or '-':<12} {state:<12} {row['name']}"
            )
