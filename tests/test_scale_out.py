"""Several app processes and several workers on one database: what each process decides alone."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from kanelbulle.core.command import InputError
from kanelbulle.core.taskqueue import ensure_schedules, planned
from kanelbulle.web.management.commands.serve import default_workers


@pytest.mark.django_db
def test_schedules_doubled_by_two_workers_starting_at_once_are_made_one_again() -> None:
    from django_q.models import Schedule

    now = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC)
    ensure_schedules(now)
    # What two workers starting at the same moment left behind before the lock: every schedule twice.
    for schedule in list(Schedule.objects.all()):
        Schedule.objects.create(
            name=schedule.name, func=schedule.func, schedule_type=schedule.schedule_type, repeats=-1, next_run=now
        )
    oldest = Schedule.objects.order_by("id")
    kept = {p.name: oldest.filter(name=p.name).values_list("id", flat=True)[0] for p in planned()}
    assert Schedule.objects.count() == 2 * len(planned())
    ensure_schedules(now)
    assert sorted(Schedule.objects.values_list("name", flat=True)) == sorted(p.name for p in planned())
    assert dict(Schedule.objects.values_list("name", "id")) == kept


def test_serve_runs_one_process_per_core_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KANELBULLE_WORKERS", raising=False)
    assert default_workers() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("KANELBULLE_WORKERS", "3")
    assert default_workers() == 3
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("KANELBULLE_WORKERS", bad)
        with pytest.raises(InputError, match="KANELBULLE_WORKERS"):
            default_workers()
