"""Relationship state stored, not recomputed: each write brings its customer's state up to date,
the refresh moves time forward, and the stored state always equals a full recomputation.

The writes go through the product's actions (as the pages, API and CLI do); the state is updated
when their transaction commits, which ``django_capture_on_commit_callbacks`` stands in for here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kanelbulle.core.money import Money
from kanelbulle.customers.actions import contact_create, customer_update, fact_add
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.deals.actions import deal_create, deal_update, order_create
from kanelbulle.deals.models import Deal
from kanelbulle.exchange.importer import import_document
from kanelbulle.insights.actions import snooze
from kanelbulle.insights.models import CustomerState, ScopeNorms, Snooze
from kanelbulle.insights.service import attention_for, attention_list
from kanelbulle.insights.state import expected_states, refresh, state_date, stored_states
from kanelbulle.meetings.actions import log_meeting, meeting_delete, request_decline, request_open
from kanelbulle.meetings.models import Meeting, MeetingRequest
from kanelbulle.privacy.erase import erase_contact
from tests.cli import run
from tests.personas import Personas
from tests.test_insights_db import EXPECTED_ANNA, TODAY, scenario_book

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")
Capture = Callable[..., AbstractContextManager[Any]]


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def book(personas: Personas, django_capture_on_commit_callbacks: Capture) -> Personas:
    with django_capture_on_commit_callbacks(execute=True):
        import_document(scenario_book().doc)
    refresh(TODAY)
    return personas


def at(days_ago: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(hour), TZ)


def codes(user: Any) -> dict[str, list[str]]:
    return {i.customer: i.codes for i in attention_for(user, TODAY, "en").items}


def test_before_the_first_refresh_nothing_is_stored_and_the_list_is_computed(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        import_document(scenario_book().doc)
    assert not CustomerState.objects.exists()
    assert state_date() is None
    assert codes(personas.seller) == EXPECTED_ANNA


def test_the_refresh_stores_every_customer_and_the_list_reads_it(book: Personas) -> None:
    assert state_date() == TODAY
    assert CustomerState.objects.count() == Customer.objects.count()
    assert set(ScopeNorms.objects.values_list("scope", flat=True)) == {"team:north", "team:south"}
    assert codes(book.seller) == EXPECTED_ANNA
    assert codes(book.manager) == {**EXPECTED_ANNA, "c-bertil": ["request_waiting"]}
    assert set(codes(book.outsider)) == {"c-olle"}
    state = CustomerState.objects.get(customer__ref="c-req")
    assert state.reasons[0]["message"] == {
        "en": "Asked to meet 30 days ago; not yet honoured.",
        "sv": "Bad om ett möte för 30 dagar sedan; ännu inte tillgodosett.",
    }
    assert state.last_touch == TODAY - dt.timedelta(days=10)
    assert state.cadence_days == 30 and state.cadence_from_history
    assert 0 <= state.health <= 100 and {p["code"] for p in state.health_parts["sv"]} >= {"recency", "in_person"}


def test_the_manager_reads_the_same_list_stored_as_computed(book: Personas) -> None:
    stored = attention_for(book.manager, TODAY, "sv").to_json()
    ScopeNorms.objects.all().delete()  # no stored state: computed from the book
    assert attention_for(book.manager, TODAY, "sv").to_json() == stored


def test_a_meeting_logged_shows_in_the_list_at_once(
    book: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    customer = Customer.objects.get(ref="c-req")
    request = MeetingRequest.objects.get(ref="r-c-req")
    with django_capture_on_commit_callbacks(execute=True):
        log_meeting(book.seller, customer, start=at(0, 9), honours=request)
    assert "c-req" not in codes(book.seller)
    assert CustomerState.objects.get(customer=customer).last_touch == TODAY


def test_a_write_rolled_back_leaves_the_state_as_it_was(
    book: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    before = stored_states()
    customer = Customer.objects.get(ref="c-ok")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        request_open(book.seller, customer, requested_at=at(40))
        raise RuntimeError("the request fails half-way")
    assert stored_states() == before


def write_while_refreshing(
    monkeypatch: pytest.MonkeyPatch, capture: Capture, during: str, write: Callable[[], object]
) -> None:
    """Make ``write`` (committed, its state update run) happen after the refresh has read the
    records of team ``during`` and before it stores that team: the moment a real write can land
    in, since a refresh reads and computes a team outside any transaction."""
    from kanelbulle.insights import state

    original = state._scope_norms

    def reading_then_write(scope: str, *args: Any) -> Any:
        read = original(scope, *args)
        if scope == during:
            with capture(execute=True):
                write()
        return read

    monkeypatch.setattr(state, "_scope_norms", reading_then_write)


@pytest.mark.parametrize("days", [0, 1], ids=["same-day refresh", "refresh that moves the day"])
def test_a_meeting_logged_while_the_refresh_computes_its_team_is_not_overwritten(
    book: Personas, django_capture_on_commit_callbacks: Capture, monkeypatch: pytest.MonkeyPatch, days: int
) -> None:
    customer = Customer.objects.get(ref="c-req")
    later = TODAY + dt.timedelta(days=days)
    write_while_refreshing(
        monkeypatch, django_capture_on_commit_callbacks, "team:north",
        lambda: log_meeting(book.seller, customer, start=at(0, 9)),
    )  # fmt: skip
    refresh(later)
    assert state_date() == later
    assert CustomerState.objects.get(customer=customer).last_touch == TODAY
    assert stored_states() == expected_states()


def test_a_meeting_logged_half_way_through_a_refresh_that_moves_the_day_is_counted(
    book: Personas, django_capture_on_commit_callbacks: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Team north is already as of the new day and team south not yet: the write to a north
    customer is judged as of north's day (it used to be skipped, stale until the next day)."""
    customer = Customer.objects.get(ref="c-req")
    later = TODAY + dt.timedelta(days=1)
    write_while_refreshing(
        monkeypatch, django_capture_on_commit_callbacks, "team:south",
        lambda: log_meeting(book.seller, customer, start=at(0, 9)),
    )  # fmt: skip
    refresh(later)
    state = CustomerState.objects.get(customer=customer)
    assert (state.last_touch, state.as_of) == (TODAY, later)
    assert stored_states() == expected_states()


def test_the_refresh_moves_time_forward(book: Personas) -> None:
    later = TODAY + dt.timedelta(days=60)
    result = run("refresh", "--today", later.isoformat(), "--json")
    assert result.code == 0, result.err
    assert result.json["customers"] == Customer.objects.count()
    assert state_date() == later
    message = CustomerState.objects.get(customer__ref="c-req").reasons[0]["message"]["en"]
    assert message == "Asked to meet 90 days ago; not yet honoured."
    check = run("refresh", "--check")
    assert check.code == 0 and "0 differ" in check.out


def test_refresh_refuses_a_bad_date(book: Personas) -> None:
    result = run("refresh", "--today", "2026-13-01")
    assert result.code == 2
    assert "--today" in result.err
    assert state_date() == TODAY


# The property: whatever the writes, the stored state equals a full recomputation. ------------

CUSTOMERS = ["c-ok", "c-req", "c-video", "c-small", "c-one", "c-deal", "c-bertil", "c-olle"]
customer_ix = st.integers(0, len(CUSTOMERS) - 1)
days = st.integers(0, 400)
write = st.one_of(
    st.tuples(st.just("meeting"), customer_ix, days, st.sampled_from(["in_person", "video", "phone"]), st.booleans()),
    st.tuples(st.just("request"), customer_ix, days),
    st.tuples(st.just("decline"), customer_ix),
    st.tuples(st.just("delete_meeting"), customer_ix),
    st.tuples(st.just("deal"), customer_ix, days),
    st.tuples(st.just("close_deal"), customer_ix, st.sampled_from(["won", "lost"])),
    st.tuples(st.just("order"), customer_ix, days, st.integers(1, 90_000), st.integers(0, 60)),
    st.tuples(st.just("fact"), customer_ix, st.sampled_from(["pet: a schnauzer", "expert in valves", "likes coffee"])),
    st.tuples(st.just("contact"), customer_ix),
    st.tuples(st.just("potential"), customer_ix, st.sampled_from(["unknown", "low", "medium", "high"])),
    st.tuples(st.just("rename"), customer_ix, st.sampled_from(["Aaberg Verk", "Örnsköldsviks Hamn", "Zeta AB"])),
    st.tuples(st.just("owner"), customer_ix, st.sampled_from(["anna", "bertil", "olle"])),
    st.tuples(st.just("erase"), customer_ix),
    st.tuples(st.just("import"), customer_ix, days),
    st.tuples(st.just("refresh"), st.integers(0, 40)),
    st.tuples(
        st.just("team"), st.sampled_from(["anna", "bertil", "olle"]), st.sampled_from(["north", "south", "east"])
    ),
)


def apply(op: tuple[Any, ...], p: Personas) -> None:
    kind = op[0]
    if kind == "refresh":
        refresh(TODAY + dt.timedelta(days=op[1]))
        return
    if kind == "team":  # a seller moves to another team
        seller = type(p.admin).objects.get(username=op[1])
        seller.team = op[2]
        seller.save()
        return
    customer = Customer.objects.get(ref=CUSTOMERS[op[1]])
    admin = p.admin
    if kind == "meeting":
        people = list(customer.contacts.all()[:1]) if op[4] else []
        log_meeting(admin, customer, start=at(op[2]), modality=op[3], contacts=people, notes="talked valves")
    elif kind == "request":
        request_open(admin, customer, requested_at=at(op[2]))
    elif kind == "decline":
        request = MeetingRequest.objects.filter(customer=customer, status="open").first()
        if request is not None:
            request_decline(admin, request)
    elif kind == "delete_meeting":
        meeting = Meeting.objects.filter(customer=customer).order_by("-start").first()
        if meeting is not None:
            meeting_delete(admin, meeting)
    elif kind == "deal":
        deal_create(
            admin,
            customer,
            title="Valves",
            created=TODAY - dt.timedelta(days=op[2]),
            value=Money(Decimal(50_000), "SEK"),
            seller=customer.owner,
        )
    elif kind == "close_deal":
        deal = Deal.objects.filter(customer=customer, stage="open").first()
        if deal is not None:
            deal_update(admin, deal, stage=op[2], closed=TODAY)
    elif kind == "order":
        order_create(
            admin,
            customer,
            date=TODAY - dt.timedelta(days=op[2]),
            value=Money(Decimal(op[3]), "SEK"),
            margin_pct=Decimal(op[4]),
        )
    elif kind == "fact":
        contact = customer.contacts.first()  # type: ignore[attr-defined]
        if contact is not None:
            fact_add(admin, contact, kind="interest", text=op[2])
    elif kind == "contact":
        contact_create(admin, customer, name="Ny Person", lawful_basis="contract")
    elif kind == "potential":
        customer_update(admin, customer, potential=op[2])
    elif kind == "owner":
        customer_update(admin, customer, owner=type(admin).objects.get(username=op[2]))
    elif kind == "rename":  # the list is ordered by the name kept with the state
        customer_update(admin, customer, name=op[2])
    elif kind == "erase":
        contact = Contact.objects.filter(customer=customer).first()
        if contact is not None:
            erase_contact(contact, actor=admin)
    elif kind == "import":
        stamp = at(op[2]).isoformat()
        import_document(
            {
                "format": "kanelbulle/1",
                "meetings": [
                    {
                        "ref": f"m-import-{customer.ref}-{op[2]}",
                        "customer": customer.ref,
                        "user": customer.owner.username,
                        "start": stamp,
                        "duration_minutes": 45,
                        "modality": "in_person",
                        "requested_by_customer": False,
                    }
                ],
            }
        )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(write, min_size=1, max_size=6))
# Found on PostgreSQL: two requests of one day came back in different orders to the write's
# update and the full recomputation, and the stored list of open requests differed.
@example(ops=[("request", 0, 0), ("request", 0, 0)])
def test_the_stored_state_equals_a_full_recomputation_after_any_writes(
    book: Personas, django_capture_on_commit_callbacks: Capture, ops: list[tuple[Any, ...]]
) -> None:
    sid = transaction.savepoint()
    try:
        for op in ops:
            with django_capture_on_commit_callbacks(execute=True):
                apply(op, book)
            stored, expected = stored_states(), expected_states()
            assert stored.keys() == expected.keys(), op
            for pk, state in expected.items():
                assert stored[pk] == state, (op, pk)
    finally:
        transaction.savepoint_rollback(sid)


# Lists that stay small: pages of the stored list, filtered by seller, team and reason. ----------

API = "/api/v1/attention"


def test_the_managers_page_opens_with_counts_per_seller_and_the_top_items(client: Any, book: Personas) -> None:
    client.force_login(book.manager)
    page = client.get(f"/attention/?today={TODAY}").content.decode()
    assert "Per seller" in page and "Most urgent" in page
    assert "Anna Berg" in page and "Bertil Ek" in page
    assert "?seller=anna" in page
    one = client.get(f"/attention/?today={TODAY}&seller=bertil").content.decode()
    assert "c-bertil" in one and "c-req" not in one and "Back to the team" in one


def test_the_list_filters_by_reason_and_names_a_bad_one(client: Any, book: Personas) -> None:
    client.force_login(book.seller)
    page = client.get(f"/attention/?today={TODAY}&reason=deal_stalled").content.decode()
    assert "c-deal" in page and "c-req" not in page
    bad = client.get(f"/attention/?today={TODAY}&reason=nonsense").content.decode()
    assert "Reason: “nonsense” is not a reason" in bad and "c-req" in bad


def test_the_api_pages_through_the_stored_list(client: Any, book: Personas) -> None:
    client.force_login(book.admin)
    whole = client.get(f"{API}?today={TODAY}").json()
    assert whole["total"] == len(whole["items"]) == 7
    first = client.get(f"{API}?today={TODAY}&limit=3").json()
    rest = client.get(f"{API}?today={TODAY}&limit=3&offset=3").json()
    assert [i["customer"] for i in first["items"] + rest["items"]] == [i["customer"] for i in whole["items"]][:6]
    assert first["total"] == 7 and first["limit"] == 3
    team = client.get(f"{API}?today={TODAY}&team=south").json()
    assert [i["customer"] for i in team["items"]] == ["c-olle"]
    seller = client.get(f"{API}?today={TODAY}&seller=bertil&reason=request_waiting").json()
    assert [i["customer"] for i in seller["items"]] == ["c-bertil"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("reason=nonsense", "reason"), ("limit=0", "limit"), ("limit=501", "limit"), ("offset=-1", "offset")],
)
def test_the_api_refuses_a_bad_filter_naming_it(client: Any, book: Personas, query: str, field: str) -> None:
    client.force_login(book.admin)
    response = client.get(f"{API}?today={TODAY}&{query}")
    assert response.status_code == 422
    assert field in response.content.decode()
    assert CustomerState.objects.count() == Customer.objects.count()


def test_a_day_without_stored_state_is_paged_the_same(client: Any, book: Personas) -> None:
    client.force_login(book.manager)
    stored = client.get(f"{API}?today={TODAY}&limit=2&offset=1&language=sv").json()
    ScopeNorms.objects.all().delete()
    computed = client.get(f"{API}?today={TODAY}&limit=2&offset=1&language=sv").json()
    assert computed == stored


def test_the_home_page_opens_with_who_to_see_and_why(client: Any, book: Personas) -> None:
    client.force_login(book.seller)
    page = client.get(f"/home/?today={TODAY}").content.decode()
    assert "Who to see this week, and why" in page
    section = page.split("Who to see this week, and why", 1)[1].split("</section>", 1)[0]
    assert section.count("?customer=") == 5  # the five most urgent, each with "Log a meeting"
    assert "Log a meeting" in section and "The whole attention list" in section


def test_each_item_on_the_list_offers_to_log_a_meeting(client: Any, book: Personas) -> None:
    client.force_login(book.seller)
    page = client.get(f"/attention/?today={TODAY}").content.decode()
    assert "/customers/log/?customer=c-req" in page


# Snooze: off the seller's list until a day, with a reason the manager sees. --------------------


def test_a_snoozed_item_leaves_the_sellers_list_and_the_manager_sees_why(client: Any, book: Personas) -> None:
    customer = Customer.objects.get(ref="c-req")
    snooze(book.seller, customer, until=TODAY + dt.timedelta(days=14), reason="Budget decided in April", today=TODAY)
    assert "c-req" not in {i.customer for i in attention_list(book.seller, TODAY).result.items}
    team = attention_list(book.manager, TODAY, seller="anna")
    assert "c-req" in {i.customer for i in team.result.items}
    assert team.snoozed["c-req"].reason == "Budget decided in April"
    client.force_login(book.manager)
    page = client.get(f"/attention/?today={TODAY}&seller=anna").content.decode()
    assert "Snoozed until 2026-03-16 by Anna Berg: Budget decided in April" in page
    # Back when the day comes.
    later = attention_list(book.seller, TODAY + dt.timedelta(days=14))
    assert "c-req" in {i.customer for i in later.result.items}


def test_a_snoozed_item_comes_back_when_it_gets_worse(
    book: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    customer = Customer.objects.get(ref="c-video")
    snooze(book.seller, customer, until=TODAY + dt.timedelta(days=30), reason="They are moving offices", today=TODAY)
    assert "c-video" not in {i.customer for i in attention_list(book.seller, TODAY).result.items}
    with django_capture_on_commit_callbacks(execute=True):
        request_open(book.seller, customer, requested_at=at(30))  # now they ask to meet, too
    assert "c-video" in {i.customer for i in attention_list(book.seller, TODAY).result.items}


def test_a_snooze_with_a_bad_day_or_no_reason_is_refused_naming_the_fields(client: Any, book: Personas) -> None:
    client.force_login(book.seller)
    response = client.post("/attention/snooze/c-req/", {"until": "2000-01-01", "reason": " "})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Until: choose a day after today." in text and "Reason: say why it can wait." in text
    assert not Snooze.objects.exists()
    assert client.post("/attention/snooze/c-req/", {"until": "someday", "reason": "x"}).status_code == 400
    assert not Snooze.objects.exists()


def test_the_brief_reads_a_customers_stored_state_as_the_list_would_compute_it(book: Personas) -> None:
    from kanelbulle.insights.attention import attention
    from kanelbulle.insights.book import load_book
    from kanelbulle.planner.brief import health

    owner = book.seller
    computed = {i.customer: i for i in attention(load_book(owner, TODAY), owner.username, TODAY).items}
    assert computed, "the scenario has customers that need attention"
    with CaptureQueriesContext(connection) as queries:
        stored = {c.ref: health(c, TODAY) for c in Customer.objects.filter(owner=owner).select_related("owner")}
    assert len(queries) <= 2 * len(stored) + 1  # one row each (and the day of the state), not the book
    for ref, h in stored.items():
        item = computed.get(ref)
        if item is None:
            assert h == {"score": None, "priority": None, "reasons": []}, ref
        else:
            assert (h["score"], h["priority"]) == (item.health.score, item.priority), ref
            assert [r["message"] for r in h["reasons"]] == [r.message for r in item.reasons], ref
