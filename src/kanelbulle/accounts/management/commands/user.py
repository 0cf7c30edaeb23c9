"""`kanelbulle user`: add users, set a password, deactivate or reactivate, list them."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from kanelbulle.accounts.models import Role, User
from kanelbulle.accounts.services import password_set, user_by_name, user_create, user_set_active
from kanelbulle.core.command import InputError, KbCommand, add_subcommands


def _password_from_stdin() -> str:
    password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise InputError(_("--password-stdin: no password on stdin"))
    return password


def _problems(exc: ValidationError) -> InputError:
    if hasattr(exc, "error_dict"):
        field_names = {"new_password": "password", "is_active": "user"}
        return InputError(
            *[f"{field_names.get(f, f)}: {m}" for f, messages in exc.message_dict.items() for m in messages]
        )
    return InputError(*exc.messages)


class Command(KbCommand):
    help = (
        "Manage users: `user create NAME --role seller|manager|admin [--password-stdin]`, "
        "`user set-password NAME --password-stdin`, `user deactivate NAME`, `user reactivate NAME`, "
        "`user list [--json]`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = add_subcommands(parser)
        create = sub.add_parser("create", help="add a user")
        create.add_argument("username", metavar="NAME")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--name", default="", help="full name")
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

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {
            "create": self._create,
            "set-password": self._set_password,
            "deactivate": self._deactivate,
            "reactivate": self._reactivate,
            "list": self._list,
        }
        handler[options["action"]](options)

    def _create(self, options: dict[str, Any]) -> None:
        password = _password_from_stdin() if options["password_stdin"] else None
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

    def _user(self, options: dict[str, Any]) -> User:
        try:
            return user_by_name(options["username"])
        except ValidationError as exc:
            raise _problems(exc) from None

    def _set_password(self, options: dict[str, Any]) -> None:
        user = self._user(options)
        password = _password_from_stdin()
        try:
            password_set(None, user, password)
        except ValidationError as exc:
            raise _problems(exc) from None
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
