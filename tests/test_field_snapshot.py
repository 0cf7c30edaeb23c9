"""The phone app's snapshot: the seller's own customers and next seven days of visits with their
briefs, and nothing the seller may not see."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kanelbulle.customers import actions as customer_actions
from kanelbulle.meetings import actions as meeting_actions
from kanelbulle.meetings.offline import snapshot
from tests.personas import Personas
from tests.test_api import Api, book  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_snapshot_holds_the_sellers_own_book_and_week(personas: Personas, book: dict[str, Any]) -> None:  # noqa: F811
    now = timezone.now()
    customer_actions.fact_add(None, book["li"], kind="pet", text="Two schnauzers", learned=dt.date(2026, 1, 1))
    meeting_actions.request_open(None, book["anna_c"], contact=book["li"])
    # Anna visits her own customer tomorrow and her teammate's in three days; a visit in ten days is too far.
    for days, customer in ((1, book["anna_c"]), (3, book["bertil_c"]), (10, book["anna_c"])):
        meeting_actions.log_meeting(personas.seller, customer, start=now + dt.timedelta(days=days), status="planned")
    meeting_actions.log_meeting(personas.other_seller, book["bertil_c"], start=now - dt.timedelta(days=2),
                                notes="Bertil's notes", unsaid="Bertil's own hunch")  # fmt: skip

    doc = Api(personas.seller).call("get", "/field/snapshot").payload
    assert [c["ref"] for c in doc["customers"]] == ["c-lulea-1"]
    (lulea,) = doc["customers"]
    assert lulea["people"][0]["facts"] == [{"kind": "pet", "text": "Two schnauzers"}]
    assert lulea["requests"][0]["contact"] == "Li Wei"
    assert [v["customer"] for v in doc["visits"]] == ["c-lulea-1", "c-umea-1"]
    assert set(doc["briefs"]) == {"c-lulea-1", "c-umea-1"}
    assert "Ask about the pets: Two schnauzers" in doc["briefs"]["c-lulea-1"]["openers"][0]
    text = json.dumps(doc, ensure_ascii=False)
    assert "Bertil's notes" in text  # a teammate's meeting notes are shared in the brief
    assert (
        "Bertil's own hunch" not in text and "Skåne Mejeri" not in text
    )  # his unsaid and another team's customer are not
    assert doc["as_of"] and doc["user"] == "anna"


def test_another_team_gets_its_own_snapshot_and_anonymous_none(personas: Personas, book: dict[str, Any]) -> None:  # noqa: F811
    doc = Api(personas.outsider).call("get", "/field/snapshot").payload
    assert [c["ref"] for c in doc["customers"]] == ["c-malmo-1"] and doc["visits"] == []
    assert Api(None).call("get", "/field/snapshot").status_code == 401


def test_the_snapshot_is_made_at_the_time_it_is_given(personas: Personas, book: dict[str, Any]) -> None:  # noqa: F811
    later = timezone.now() + dt.timedelta(days=30)
    meeting_actions.log_meeting(personas.seller, book["anna_c"], start=later + dt.timedelta(hours=2), status="planned")
    assert [v["start"] for v in snapshot(personas.seller, later)["visits"]] != []
    assert snapshot(personas.seller, later - dt.timedelta(days=30))["visits"] == []


def test_amounts_in_the_briefs_are_written_in_the_readers_language(personas: Personas, book: dict[str, Any]) -> None:  # noqa: F811
    from kanelbulle.core.money import Money
    from kanelbulle.deals import actions as deals

    deals.deal_create(None, book["anna_c"], seller=personas.seller, title="Pumps",
                      value=Money(Decimal("163000.00"), "SEK"))  # fmt: skip
    meeting_actions.log_meeting(personas.seller, book["anna_c"], start=timezone.now() + dt.timedelta(days=1),
                                status="planned")  # fmt: skip
    anna = Api(personas.seller)
    for language, written in (("en", "SEK\xa0163,000"), ("sv", "163\xa0000\xa0kr")):
        doc = anna.call("get", "/field/snapshot", HTTP_ACCEPT_LANGUAGE=language).payload
        (deal,) = doc["briefs"]["c-lulea-1"]["open_deals"]
        assert deal["value"] == {"amount": "163000.00", "currency": "SEK", "display": written}
