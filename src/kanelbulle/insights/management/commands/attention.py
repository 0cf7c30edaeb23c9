from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from kanelbulle.accounts.models import User
from kanelbulle.core.command import InputError, KbCommand
from kanelbulle.insights.attention import Attention
from kanelbulle.insights.service import attention_for


def parse_today(raw: str | None) -> dt.date:
    from kanelbulle.core.days import BadDay, default_today, parse_day

    try:
        return parse_day(raw, "--today") or default_today()
    except BadDay as exc:
        raise InputError(str(exc)) from None


def find_user(name: str) -> User:
    user = User.objects.filter(username=name).first()
    if user is None:
        raise InputError(f"--user: no user named {name!r}")
    return user


def render_text(result: Attention) -> str:
    if not result.items:
        return _("Nothing needs your attention today.")
    lines: list[str] = []
    for item in result.items:
        lines.append(
            _("%(priority)3s  %(name)s (%(ref)s) · health %(health)s %(arrow)s")
            % {
                "priority": item.priority,
                "name": item.name,
                "ref": item.customer,
                "health": item.health.score,
                "arrow": item.health.arrow,
            }
        )
        lines.extend(f"     - [{r.code}] {r.message}" for r in item.reasons)
    return "\n".join(lines)


class Command(KbCommand):
    help = "Who needs attention, and why: `attention --user NAME [--today DATE] [--json] [--language sv]`."
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--user", required=True, metavar="NAME", help="whose list (a manager's covers the team)")
        parser.add_argument("--today", metavar="DATE", help="evaluate as of this date (YYYY-MM-DD)")
        parser.add_argument(
            "--language", choices=["en", "sv"], help="language of the messages (default: the user's own, else English)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_today(options["today"])
        user = find_user(options["user"])
        language = options["language"] or user.language or "en"
        result = attention_for(user, today, language)
        if options["json"]:
            self.emit_json(result.to_json())
            return
        with translation.override(language):
            self.stdout.write(render_text(result))
