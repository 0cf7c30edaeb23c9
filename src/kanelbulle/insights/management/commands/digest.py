from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils import translation

from kanelbulle.core.command import KbCommand, RunError
from kanelbulle.insights.digest import DigestError, build, deliver
from kanelbulle.insights.management.commands.attention import find_user, parse_today
from kanelbulle.insights.service import attention_for


class Command(KbCommand):
    help = (
        "The attention list as an e-mail: `digest --user NAME [--today DATE] [--language sv]`. "
        "Sent by SMTP when KANELBULLE_SMTP_HOST is set, else written to the data directory's outbox."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--user", required=True, metavar="NAME", help="whose list, and to whom")
        parser.add_argument("--today", metavar="DATE", help="evaluate as of this date (YYYY-MM-DD)")
        parser.add_argument(
            "--language", choices=["en", "sv"], help="language of the e-mail (default: the user's own, else English)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_today(options["today"])
        user = find_user(options["user"])
        language = options["language"] or user.language or "en"
        result = attention_for(user, today, language)
        message = build(user, result, language)
        try:
            with translation.override(language):
                where = deliver(message, user, result)
        except DigestError as exc:
            raise RunError(str(exc)) from None
        self.stdout.write(where)
