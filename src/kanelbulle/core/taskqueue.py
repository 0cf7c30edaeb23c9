"""Background work on django-q2 (decisions.md): the scheduled jobs and how they are put on the queue.

The queue's broker is the database (SQLite by default, PostgreSQL for teams), so it needs no
extra server; ``kanelbulle worker`` runs a cluster of worker processes and its scheduler, and
several workers on several machines share one PostgreSQL. A job is taken off the queue only when
it has finished: a worker killed mid-job leaves it to be handed out again after
``KANELBULLE_JOB_RETRY`` seconds. Every job is therefore written to run twice safely: the
refresh recomputes, the digest and the retention review record what they did (``JobRecord``)
and skip it the second time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Planned:
    name: str
    func: str
    schedule_type: str  # django_q Schedule.DAILY / WEEKLY / HOURLY
    hour: int  # local hour of the first run
    weekday: int | None = None  # 0 = Monday, for weekly jobs


def planned() -> list[Planned]:
    from django_q.models import Schedule

    return [
        Planned("daily refresh", "kanelbulle.insights.jobs.daily_refresh", Schedule.DAILY, 2),
        # Catches a day whose 02:00 run was missed (the worker was down): a no-op when current.
        Planned("refresh if stale", "kanelbulle.insights.jobs.refresh_if_stale", Schedule.HOURLY, 0),
        Planned("weekly digest", "kanelbulle.insights.jobs.weekly_digest", Schedule.WEEKLY, 6, weekday=0),
        Planned("retention review", "kanelbulle.privacy.jobs.retention_review", Schedule.DAILY, 3),
        Planned("evidence recompute", "kanelbulle.evidence.jobs.nightly_evidence", Schedule.DAILY, 4),
    ]


def first_run(p: Planned, now: dt.datetime) -> dt.datetime:
    """The next local ``p.hour`` o'clock (on ``p.weekday`` for a weekly job) after ``now``."""
    tz = ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(tz)
    if p.schedule_type == "H":
        return (local + dt.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    day = local.date()
    for _ in range(8):
        at = dt.datetime.combine(day, dt.time(p.hour), tz)
        if at > local and (p.weekday is None or day.weekday() == p.weekday):
            return at
        day += dt.timedelta(days=1)
    raise AssertionError("unreachable: a week always has the weekday")


#: The PostgreSQL advisory lock that serialises ``ensure_schedules`` between workers.
SCHEDULES_LOCK = 0x6B62_0001


def ensure_schedules(now: dt.datetime | None = None) -> list[str]:
    """Create the product's schedules if missing (their next run kept if present); returns their names.

    Several workers starting at once (two machines, or a restart of all) each call this: without a
    lock both would find a schedule missing and create it, and every scheduled job would run twice
    (and ``worker --now`` would fail on the duplicate). So it runs in one transaction holding a
    lock (an advisory lock on PostgreSQL; SQLite's write lock, taken at BEGIN IMMEDIATE), and a
    duplicate left by an earlier race is removed, keeping the oldest.
    """
    from django.db import connection, transaction
    from django_q.models import Schedule

    now = now or timezone.now()
    names = []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEDULES_LOCK])
        for p in planned():
            found = list(Schedule.objects.filter(name=p.name).order_by("id"))
            if not found:
                Schedule.objects.create(
                    name=p.name, func=p.func, schedule_type=p.schedule_type, repeats=-1, next_run=first_run(p, now)
                )
            else:
                schedule = found[0]
                if len(found) > 1:
                    Schedule.objects.filter(pk__in=[s.pk for s in found[1:]]).delete()
                if (schedule.func, schedule.schedule_type) != (p.func, p.schedule_type):
                    schedule.func, schedule.schedule_type = p.func, p.schedule_type
                    schedule.save()
            names.append(p.name)
    return names


def enqueue(func: str, *args: Any, **kwargs: Any) -> str:
    """Put a job on the queue now; returns its id."""
    from django_q.tasks import async_task  # type: ignore[import-untyped]

    return str(async_task(func, *args, **kwargs))
