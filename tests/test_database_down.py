"""PostgreSQL restarting (or the network to it cut) while people work: each request that needed
the database fails with a clear 503 and Retry-After, nothing is half-written, and the next
request once the database is back is served without restarting the app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from kanelbulle.insights.jobs import daily_refresh
from kanelbulle.meetings.models import Meeting
from tests.personas import Personas
from tests.test_api import Api, book  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

LOST = "server closed the connection unexpectedly"


@contextmanager
def database_gone(when: str = "") -> Iterator[None]:
    """Every statement (or the first one containing ``when``) fails as a lost connection does."""
    real = CursorWrapper.execute

    def execute(self: CursorWrapper, sql: str, params: Any = None) -> Any:
        if when in sql:
            raise OperationalError(LOST)
        return real(self, sql, params)

    with mock.patch.object(CursorWrapper, "execute", execute):
        yield


def test_a_meeting_cut_off_mid_write_is_a_503_and_not_stored(personas: Personas, book: dict[str, Any]) -> None:  # noqa: F811
    anna = Api(personas.seller)
    anna.client = Client(raise_request_exception=False)
    before = Meeting.objects.count()
    meeting = {"customer": "c-lulea-1", "start": "2026-12-01T10:00:00+01:00", "notes": "Lost in the restart"}
    # The meeting row is written, then the connection goes while the audit entry is written.
    with database_gone(when='INSERT INTO "core_auditentry"'):
        cut = anna.call("post", "/meetings", meeting)
    assert cut.status_code == 503
    assert cut["Retry-After"] == "5"
    assert "database cannot be reached" in cut.payload["errors"][0]["message"]
    assert Meeting.objects.count() == before
    assert not Meeting.objects.filter(notes="Lost in the restart").exists()
    # The database is back: the same request goes through, no restart of anything.
    again = anna.call("post", "/meetings", meeting)
    assert again.status_code == 201, again.payload
    assert Meeting.objects.filter(notes="Lost in the restart").count() == 1


@pytest.mark.django_db(transaction=True)  # real commits: the state update runs after one, inside the request
def test_a_meeting_committed_just_before_the_database_went_is_answered_as_stored(
    personas: Personas,
    book: dict[str, Any],  # noqa: F811
) -> None:
    anna = Api(personas.seller)
    anna.client = Client(raise_request_exception=False)
    meeting = {"customer": "c-lulea-1", "start": "2026-12-01T10:00:00+01:00", "notes": "Saved as the lights went"}
    # The meeting commits; the state update after the commit finds the database gone.
    daily_refresh("2026-12-02")  # state is kept from the first refresh on
    with database_gone(when='FROM "insights_'):
        done = anna.call("post", "/meetings", meeting)
    assert done.status_code == 201, done.payload  # stored, so said: a retry without a ref would double it
    assert Meeting.objects.filter(notes="Saved as the lights went").count() == 1


def test_a_page_says_so_in_the_readers_language(personas: Personas, book: dict[str, Any]) -> None:  # noqa: F811
    browser = Client(raise_request_exception=False)
    browser.force_login(personas.seller)
    with database_gone():
        page = browser.get("/attention/", headers={"Accept-Language": "sv"})
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    text = page.content.decode()
    assert "Databasen går inte att nå just nu" in text and 'lang="sv"' in text
    # A bug that is not the database being away stays a plain 500, not "try again later".
    with mock.patch("kanelbulle.insights.views._today", side_effect=ValueError("a bug")):
        broken = browser.get("/attention/")
    assert broken.status_code == 500 and "Retry-After" not in broken
    assert browser.get("/attention/", headers={"Accept-Language": "sv"}).status_code == 200
