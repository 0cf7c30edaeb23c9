"""The insights' background jobs (run by ``kanelbulle worker``, scheduled in ``core.taskqueue``).

A job reads the clock once, at its edge, and passes the day on; each is safe to run twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from kanelbulle.accounts.models import Role, User
from kanelbulle.core.models import JobRecord
from kanelbulle.insights.digest import DigestError, build, deliver
from kanelbulle.insights.service import attention_for
from kanelbulle.insights.state import refresh, state_date


def _day(today: str | None) -> dt.date:
    return dt.date.fromisoformat(today) if today else timezone.localdate()


def daily_refresh(today: str | None = None) -> dict[str, object]:
    """Every customer's relationship state as of today (recomputed: running it twice is harmless)."""
    done = refresh(_day(today))
    return {"today": done.today.isoformat(), "customers": done.customers, "attention": done.attention}


def refresh_if_stale(today: str | None = None) -> dict[str, object] | None:
    """The daily refresh, if the stored state is not yet as of today."""
    day = _day(today)
    if state_date() == day:
        return None
    return daily_refresh(day.isoformat())


def digest_key(user: User, day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"digest:{year}-W{week:02d}:{user.username}"


def weekly_digest(today: str | None = None, after_each: Callable[[User, str], None] | None = None) -> dict[str, int]:
    """Every active seller's and manager's attention list as an e-mail, once per user and week.

    A digest already recorded for that week is skipped, so a job run again after its worker died
    sends only what it had not sent yet. ``after_each`` is called after each delivery (tests).
    """
    day = _day(today)
    sent = skipped = failed = 0
    users = User.objects.filter(is_active=True, role__in=[Role.SELLER, Role.MANAGER]).order_by("username")
    for user in users:
        key = digest_key(user, day)
        if JobRecord.objects.filter(key=key).exists():
            skipped += 1
            continue
        language = user.language or "en"
        result = attention_for(user, day, language)
        message = build(user, result, language)
        try:
            with translation.override(language):
                where = deliver(message, user, result)
        except DigestError as exc:
            failed += 1
            where = f"failed: {exc}"
        else:
            sent += 1
        try:
            with transaction.atomic():
                JobRecord.objects.create(key=key, done_at=timezone.now(), result={"where": where})
        except IntegrityError:  # another worker sent the same digest meanwhile
            pass
        if after_each is not None:
            after_each(user, where)
    return {"sent": sent, "skipped": skipped, "failed": failed}
