"""After a bulk write PostgreSQL's planner statistics are brought up to date (core/dbstats.py): on
the 10,000-customer book its never-analysed tables made the gift register's page join as if the
year held 4 gifts. SQLite is left alone (its plans come from the indexes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from bench.bench_import import make_document
from django.db import connection

from kanelbulle.core import dbstats
from kanelbulle.exchange.importer import import_document
from kanelbulle.insights import state

pytestmark = pytest.mark.django_db


def analysed(table: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [table])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        return bool(cursor.fetchone()[0])


def forget(table: str) -> None:
    """Drop PostgreSQL's statistics of ``table`` (inside the test's transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [table])


def test_a_bulk_import_and_a_refresh_leave_the_statistics_current(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    forget("meetings_meeting")  # another test may have analysed the test database for good
    doc = make_document(60, 20, seed=5)  # 60 customers, 1,200 meetings and more
    monkeypatch.setattr(dbstats, "BULK_ROWS", 10**6)
    import_document(doc)  # not a bulk load at this threshold: left to autovacuum
    assert not analysed("meetings_meeting")
    monkeypatch.setattr(dbstats, "BULK_ROWS", 1000)
    for meeting in doc["meetings"]:
        meeting["notes"] = "Changed"
    with django_capture_on_commit_callbacks(execute=True):
        import_document(doc)  # 1,200 meetings updated: a bulk load
    assert analysed("meetings_meeting") == (connection.vendor == "postgresql")
    if connection.vendor == "postgresql":
        forget("insights_customerstate")
        monkeypatch.setattr(state, "BULK_ROWS", 10)
        state.refresh(dt.date(2026, 12, 1))  # every state rewritten: analysed again
        assert analysed("insights_customerstate")
