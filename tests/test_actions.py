"""The actions behind every page, API route and command: rules, permissions, stale writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kanelbulle.core.access import NotVisible, unsaid_for, visible_customers
from kanelbulle.core.actions import Conflict
from kanelbulle.core.models import AuditEntry
from kanelbulle.core.money import Money
from kanelbulle.customers.actions import contact_create, customer_create, customer_update, fact_add
from kanelbulle.customers.models import Customer
from kanelbulle.deals.actions import deal_create, deal_update
from kanelbulle.meetings.actions import log_meeting, request_open
from kanelbulle.meetings.models import RequestStatus
from tests.personas import Personas

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def lulea(personas: Personas) -> Customer:
    return customer_create(personas.seller, name="Norrbotten Stål AB", city="Luleå", country="SE")


def test_a_customer_gets_its_place_from_the_offline_gazetteer(lulea: Customer) -> None:
    assert (round(lulea.lat, 2), round(lulea.lon, 2), lulea.time_zone) == (65.58, 22.15, "Europe/Stockholm")
    assert lulea.ref.startswith("c-") and len(lulea.ref) == 8
    assert AuditEntry.objects.filter(action="create", ref=lulea.ref).exists()


def test_an_unknown_place_names_the_city_field(personas: Personas) -> None:
    with pytest.raises(ValidationError) as info:
        customer_create(personas.seller, name="X AB", city="Atlantis", country="SE")
    assert "city" in info.value.message_dict
    assert not Customer.objects.exists()


def test_who_sees_which_customers(personas: Personas, lulea: Customer) -> None:
    assert list(visible_customers(personas.other_seller)) == [lulea]  # same team, read-only
    assert list(visible_customers(personas.manager)) == [lulea]
    assert list(visible_customers(personas.admin)) == [lulea]
    assert list(visible_customers(personas.outsider)) == []


def test_only_the_owner_manager_or_admin_may_change_a_customer(personas: Personas, lulea: Customer) -> None:
    with pytest.raises(PermissionDenied):
        customer_update(personas.other_seller, lulea, potential="high")
    with pytest.raises(NotVisible):
        customer_update(personas.outsider, lulea, potential="high")
    lulea.refresh_from_db()
    assert lulea.potential == "unknown"
    updated = customer_update(personas.manager, lulea, potential="high")
    assert updated.potential == "high"


def test_a_stale_version_is_a_conflict_and_changes_nothing(personas: Personas, lulea: Customer) -> None:
    first = customer_update(personas.seller, lulea, version=lulea.version, potential="high")
    assert first.version == lulea.version + 1
    with pytest.raises(Conflict):
        customer_update(personas.seller, lulea, version=lulea.version, potential="low")
    lulea.refresh_from_db()
    assert lulea.potential == "high"


def test_logging_a_meeting_honours_the_request_and_keeps_new_facts(personas: Personas, lulea: Customer) -> None:
    li = contact_create(personas.seller, lulea, name="Li Wei", lawful_basis="legitimate_interest")
    request = request_open(personas.seller, lulea, contact=li, requested_at=NOON - dt.timedelta(days=21))
    meeting = log_meeting(
        personas.seller, lulea, start=NOON, contacts=[li], notes="Good talk", unsaid="He seemed tired",
        new_facts=[(li, "pet", "Two schnauzers: Max and Moritz")], honours=request,
    )  # fmt: skip
    request.refresh_from_db()
    assert request.status == RequestStatus.HONOURED and request.honoured_by == meeting
    assert meeting.requested_by_customer
    assert [f.text for f in li.facts.all()] == ["Two schnauzers: Max and Moritz"]
    assert unsaid_for(personas.seller, meeting) == "He seemed tired"
    assert unsaid_for(personas.manager, meeting) is None
    assert unsaid_for(personas.admin, meeting) is None


def test_a_meeting_with_someone_elses_contact_is_refused(personas: Personas, lulea: Customer) -> None:
    other = customer_create(personas.seller, name="Trollhättan Tech AB", city="Trollhättan", country="SE")
    stranger = contact_create(personas.seller, other, name="Eva", lawful_basis="consent")
    with pytest.raises(ValidationError) as info:
        log_meeting(personas.seller, lulea, start=NOON, contacts=[stranger])
    assert "contacts" in info.value.message_dict
    assert not lulea.meetings.exists()


def test_an_outsider_cannot_log_a_meeting_or_add_a_fact(personas: Personas, lulea: Customer) -> None:
    li = contact_create(personas.seller, lulea, name="Li Wei", lawful_basis="legitimate_interest")
    with pytest.raises(NotVisible):
        log_meeting(personas.outsider, lulea, start=NOON)
    with pytest.raises(NotVisible):
        fact_add(personas.outsider, li, kind="pet", text="A cat")
    assert not li.facts.exists()


def test_winning_a_deal_stamps_the_close_date_and_reopening_clears_it(personas: Personas, lulea: Customer) -> None:
    deal = deal_create(personas.seller, lulea, title="Rails", value=Money(Decimal("120000.00"), "SEK"),
                       created=dt.date(2026, 9, 1))  # fmt: skip
    won = deal_update(personas.seller, deal, stage="won", closed=dt.date(2026, 11, 1))
    assert (won.stage, won.closed) == ("won", dt.date(2026, 11, 1))
    reopened = deal_update(personas.seller, won, stage="open")
    assert reopened.closed is None
    with pytest.raises(ValidationError) as info:
        deal_update(personas.seller, reopened, stage="lost", closed=dt.date(2026, 1, 1))
    assert "closed" in info.value.message_dict
