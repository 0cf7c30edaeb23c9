"""`kanelbulle evidence`: does meeting in person pay off for this team (issue 9)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from kanelbulle.core.command import InputError, KbCommand, RunError


def parse_day(option: str, raw: str | None) -> dt.date | None:
    from kanelbulle.core.days import BadDay
    from kanelbulle.core.days import parse_day as parse

    try:
        return parse(raw, option)
    except BadDay as exc:
        raise InputError(str(exc)) from None


class Command(KbCommand):
    help = (
        "Does meeting in person pay off for this team: adjusted estimates with 95% intervals for win rate, "
        "deal size, margin and time to close, beside the naive comparison."
    )
    json_option = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--since", metavar="DATE", help="only deals created on or after DATE (YYYY-MM-DD)")
        parser.add_argument("--user", metavar="NAME", help="only this seller's deals")
        parser.add_argument("--today", metavar="DATE", help="evaluate as of DATE (YYYY-MM-DD), for reproducible runs")
        parser.add_argument(
            "--language", choices=["en", "sv"], default="en", help="language of the reading (default en)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.utils import translation

        with translation.override(options["language"]):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        from kanelbulle.accounts.models import User
        from kanelbulle.core.rates import NoRate
        from kanelbulle.evidence.book import evidence_for, left_out_note
        from kanelbulle.evidence.reading import document, read

        today = parse_day("--today", options.get("today")) or timezone.localdate()
        since = parse_day("--since", options.get("since"))
        problems = []
        if since is not None and since > today:
            problems.append(f"--since: {since.isoformat()} is in the future (today is {today.isoformat()})")
        seller = None
        name = options.get("user")
        if name is not None:
            seller = User.objects.filter(username=name).first()
            if seller is None:
                problems.append(f"--user: no user named {name!r}")
        if problems:
            raise InputError(*problems)
        try:
            result = evidence_for(None, seller=seller, since=since, today=today)
        except NoRate as exc:
            raise RunError(str(exc)) from None
        if options.get("json"):
            self.emit_json(document(result))
            return
        self.stdout.write(render_text(result))
        self.stdout.write("")
        self.stdout.write(read(result))
        if result.left_out:
            self.stdout.write("")
            self.stdout.write(left_out_note(result.left_out))


def render_text(result: Any) -> str:
    """A short table of the adjusted and naive effects, for a terminal."""
    labels = {
        "win": "win (odds ratio)",
        "deal_size": "deal size (ratio)",
        "margin": "margin (pp)",
        "time_to_close": "time to win (hazard ratio)",
    }
    lines = [f"{result.n_closed_deals} closed deals of {result.n_deals} (as of {result.today.isoformat()})", ""]
    lines.append(f"{'outcome':<28}{'adjusted [95% interval]':<32}{'naive':<24}n")
    for name, outcome in result.outcomes.items():
        if not outcome.ok:
            lines.append(
                f"{labels[name]:<28}not enough data ({outcome.n} of {outcome.needed} needed; {outcome.reason})"
            )
            continue
        a = outcome.adjusted
        adjusted = f"{a.value:.2f} [{a.ci95[0]:.2f}, {a.ci95[1]:.2f}]"
        n_est = outcome.naive_estimate
        naive = f"{n_est.value:.2f} [{n_est.ci95[0]:.2f}, {n_est.ci95[1]:.2f}]" if n_est else "-"
        lines.append(f"{labels[name]:<28}{adjusted:<32}{naive:<24}{outcome.n}")
    if result.win.e_value is not None:
        ev = result.win.e_value
        lines.append("")
        lines.append(f"E-value (win): {ev.point:.2f} for the estimate, {ev.ci:.2f} for the interval")
    return "\n".join(lines)
