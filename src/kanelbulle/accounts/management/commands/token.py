"""`kanelbulle token`: API tokens (create, list, revoke) and calendar feed tokens."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser
from django.db.models import Q
from django.utils import timezone

from kanelbulle.accounts.models import ApiToken, CalendarToken, User, hash_token
from kanelbulle.accounts.services import token_create
from kanelbulle.core.command import InputError, KbCommand, add_subcommands


class Command(KbCommand):
    help = (
        "API tokens: `token create NAME` prints a new token (stored hashed); `token list [NAME]`; "
        "`token revoke PREFIX|TOKEN`; `token calendar NAME` prints a new calendar feed address."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        sub = add_subcommands(parser)
        create = sub.add_parser("create", help="print a new API token for a user")
        create.add_argument("username", metavar="NAME")
        create.add_argument("--label", default="", help="what the token is for")
        listing = sub.add_parser("list", help="list tokens (prefix, user, label, created, last used, revoked)")
        listing.add_argument("username", metavar="NAME", nargs="?")
        revoke = sub.add_parser("revoke", help="revoke a token by the prefix `token list` shows, or the whole token")
        revoke.add_argument("prefix", metavar="PREFIX|TOKEN")
        calendar = sub.add_parser("calendar", help="print a new calendar feed path for a user (revokes the old)")
        calendar.add_argument("username", metavar="NAME")
        for each in (create, listing, revoke, calendar):
            each.add_argument("--json", action="store_true", help="print exactly one JSON document on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {"create": self._create, "list": self._list, "revoke": self._revoke, "calendar": self._calendar}
        handler[options["action"]](options)

    def _create(self, options: dict[str, Any]) -> None:
        try:
            token, raw = token_create(username=options["username"], name=options["label"])
        except ValidationError as exc:
            raise InputError(*exc.messages) from None
        if options.get("json"):
            self.emit_json({"token": raw, "prefix": token.prefix, "user": token.user.username})
        else:
            self.stdout.write(raw)

    def _list(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
        if options.get("username"):
            tokens = tokens.filter(user__username=options["username"])
        rows = [
            {
                "prefix": t.prefix,
                "user": t.user.username,
                "label": t.name,
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in tokens
        ]
        if options.get("json"):
            self.emit_json(rows)
            return
        for row in rows:
            state = f"revoked {row['revoked_at'][:16]}" if row["revoked_at"] else "active"
            used = row["last_used_at"][:16] if row["last_used_at"] else "never used"
            self.stdout.write(f"{row['prefix']}…  {row['user']:<12} {state:<24} {used:<18} {row['label']}")

    def _revoke(self, options: dict[str, Any]) -> None:
        prefix = options["prefix"].strip().rstrip("…")
        # The whole token (as `token create` printed it) names one token by its hash; a prefix
        # (as `token list` shows it, or its start) by what is stored in clear.
        matches = list(
            ApiToken.objects.filter(
                Q(key_hash=hash_token(prefix)) | Q(prefix=prefix) | Q(prefix__startswith=prefix), revoked_at=None
            )
        )
        if not matches:
            raise InputError(f"no active token starts with {prefix!r} (see `kanelbulle token list`)")
        if len(matches) > 1:
            raise InputError(f"{len(matches)} active tokens start with {prefix!r}; give more of the prefix")
        ApiToken.objects.filter(pk=matches[0].pk).update(revoked_at=timezone.now())
        if options.get("json"):
            self.emit_json({"revoked": matches[0].prefix})
        else:
            self.stdout.write(f"revoked {matches[0].prefix}…")

    def _calendar(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise InputError(f"no user named {options['username']!r}")
        raw = CalendarToken.issue(user)
        path = f"/api/v1/calendar/{user.username}.ics?token={raw}"
        if options.get("json"):
            self.emit_json({"path": path, "token": raw})
        else:
            self.stdout.write(path)
