"""Scenario tests for the insights module: each book plants exactly one situation beside a healthy
customer, and the attention list must find it and nothing else. No database, ``today`` fixed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from kanelbulle.insights.attention import attention
from kanelbulle.insights.data import (
    Book,
    ContactIn,
    CustomerIn,
    DealIn,
    FactIn,
    MeetingIn,
    OrderIn,
    RequestIn,
    TeamNorms,
)
from kanelbulle.insights.health import health
from kanelbulle.insights.thresholds import Thresholds

TODAY = dt.date(2026, 3, 2)
UTC = dt.UTC


def at(days_ago: int) -> dt.datetime:
    day = TODAY - dt.timedelta(days=days_ago)
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def day(days_ago: int) -> dt.date:
    return TODAY - dt.timedelta(days=days_ago)


def account(
    ref: str,
    *,
    potential: str = "high",
    every: int = 30,
    last: int = 10,
    span: int = 720,
    modality: str = "in_person",
    people: tuple[str, ...] = ("a", "b"),
    margin: str = "25",
    order_every: int = 60,
    order_value: str = "10000",
) -> Book:
    """A healthy customer: met every ``every`` days for ``span`` days, last ``last`` days ago, with
    two of its people, steady orders at an ordinary margin, nothing open."""
    customer = CustomerIn(ref, f"Customer {ref}", "anna", potential, day(span + 30))
    contacts = [ContactIn(f"{ref}-{p}", ref, f"Person {p.upper()} of {ref}") for p in ("a", "b", "c")]
    meetings = [
        MeetingIn(ref, at(d), modality, contacts=tuple(f"{ref}-{p}" for p in people)) for d in range(last, span, every)
    ]
    orders = [OrderIn(ref, day(d), Decimal(order_value), Decimal(margin)) for d in range(15, 730, order_every)]
    return Book([customer], contacts, [], meetings, [], [], orders)


def merge(*books: Book, norms: TeamNorms | None = None) -> Book:
    out = Book([])
    for b in books:
        out.customers += b.customers
        out.contacts += b.contacts
        out.facts += b.facts
        out.meetings += b.meetings
        out.requests += b.requests
        out.deals += b.deals
        out.orders += b.orders
    out.norms = norms
    return out


def findings(book: Book) -> dict[str, list[str]]:
    return {i.customer: i.codes for i in attention(book, "anna", TODAY, language="en").items}


def test_a_healthy_book_needs_no_attention() -> None:
    assert findings(merge(account("c-ok"), account("c-ok2", every=45))) == {}


def test_a_request_waiting_30_days_is_found_and_nothing_else() -> None:
    planted = account("c-req")
    planted.requests.append(RequestIn("c-req", at(30), "open", "c-req-a", "r-1"))
    book = merge(account("c-ok"), planted)
    result = attention(book, "anna", TODAY, language="en")
    assert findings(book) == {"c-req": ["request_waiting"]}
    reason = result.items[0].reasons[0]
    assert reason.message == "Asked to meet 30 days ago; not yet honoured."
    assert reason.facts == {"request": "r-1", "days_waiting": 30, "open_requests": 1}


def test_an_older_request_has_a_higher_priority_and_a_fresh_one_none() -> None:
    old, new, fresh = account("c-old"), account("c-new"), account("c-fresh")
    old.requests.append(RequestIn("c-old", at(40), ref="r-old"))
    new.requests.append(RequestIn("c-new", at(10), ref="r-new"))
    fresh.requests.append(RequestIn("c-fresh", at(6), ref="r-fresh"))
    items = attention(merge(old, new, fresh), "anna", TODAY).items
    assert [i.customer for i in items] == ["c-old", "c-new"]
    assert items[0].priority > items[1].priority
    assert 0 <= items[1].priority <= items[0].priority <= 100


def test_an_honoured_request_is_not_waiting() -> None:
    planted = account("c-req")
    planted.requests.append(RequestIn("c-req", at(30), "honoured", ref="r-1"))
    assert findings(merge(account("c-ok"), planted)) == {}


def test_an_account_that_moved_from_in_person_to_video_only_is_drifting() -> None:
    planted = account("c-video")
    planted.meetings[:] = [replace(m, modality="video") if m.start >= at(180) else m for m in planted.meetings]
    book = merge(account("c-ok"), planted)
    assert findings(book) == {"c-video": ["drifting"]}
    reason = attention(book, "anna", TODAY, language="en").items[0].reasons[0]
    assert reason.facts["recent_in_person"] == 0
    assert reason.facts["recent_modalities"] == {"video": 6}
    assert "the last 6 meetings in 6 months were all video" in reason.message


def test_an_account_that_was_always_on_video_is_not_drifting() -> None:
    assert findings(merge(account("c-ok"), account("c-video", modality="video"))) == {}


def test_a_customer_silent_for_far_longer_than_its_own_rhythm_is_drifting() -> None:
    monthly_silent = account("c-quiet", every=30, last=100)  # usually monthly, silent for 100 days
    yearly = account("c-yearly", every=180, last=100)  # twice a year: 100 days is normal for it
    book = merge(account("c-ok"), monthly_silent, yearly)
    assert findings(book) == {"c-quiet": ["drifting"]}
    reason = attention(book, "anna", TODAY, language="en").items[0].reasons[0]
    assert reason.message == "Last met 100 days ago; usually every 30 days."
    assert reason.facts["usual_gap_days"] == 30


def test_a_low_potential_customer_with_growing_high_margin_orders_who_asks_to_meet_is_underrated() -> None:
    planted = account("c-small", potential="low", margin="38")
    # Orders doubled: the last 12 months ordered twice as often as the 12 before.
    planted.orders[:] = [o for o in planted.orders if o.date <= day(365)] + [
        OrderIn("c-small", day(d), Decimal("10000"), Decimal("38")) for d in range(15, 365, 30)
    ]
    planted.meetings[:] = [
        replace(m, requested_by_customer=True) if m.start in (at(40), at(160)) else m for m in planted.meetings
    ]
    book = merge(account("c-ok"), account("c-ok2"), planted)
    assert findings(book) == {"c-small": ["underrated"]}
    reason = attention(book, "anna", TODAY, language="en").items[0].reasons[0]
    assert reason.message.startswith("Filed as low potential, but its own signals say strong: orders up ")
    assert "margin 38% (the book: 25%)" in reason.message
    assert "asked to meet 2 times in 2 years" in reason.message
    assert reason.message.endswith("Consider re-rating it.")
    assert reason.facts["margin_pct"] == 38.0
    assert reason.facts["asked_to_meet"] == 2
    assert reason.facts["orders_growth_pct"] > 50


def test_a_low_potential_customer_with_ordinary_signals_is_not_underrated() -> None:
    assert findings(merge(account("c-ok"), account("c-low", potential="low"))) == {}


def test_expertise_in_facts_counts_as_a_signal() -> None:
    planted = account("c-niche", potential="unknown", margin="38", span=1500)
    planted.facts.append(FactIn("c-niche", "c-niche-a", "other", "Market leader in its niche: cold-rolled steel"))
    book = merge(account("c-ok"), planted)
    assert findings(book) == {"c-niche": ["underrated"]}
    facts = attention(book, "anna", TODAY).items[0].reasons[0].facts
    assert facts["expertise"] == ["market leader", "niche"]
    assert facts["years_known"] == 4


def test_a_single_threaded_account_is_found() -> None:
    planted = account("c-one", people=("a",))
    book = merge(account("c-ok"), planted)
    assert findings(book) == {"c-one": ["single_threaded"]}
    reason = attention(book, "anna", TODAY, language="en").items[0].reasons[0]
    assert reason.message == (
        "All 12 meetings in 12 months were with Person A of c-one. 2 other people are known there: meet them too."
    )
    assert reason.facts == {"meetings": 12, "contact": "c-one-a", "other_contacts": 2}


def stalled_book() -> Book:
    # Met twice a year (so 100 days of silence is its rhythm), with a deal open 150 days.
    planted = account("c-deal", every=180, last=100)
    planted.deals.append(DealIn("d-1", "c-deal", "Cold-rolled coils", "open", day(150), updated=day(150)))
    closed = [DealIn(f"d-w{i}", "c-ok", "Won", "won", day(400 + i), day(340 + i)) for i in range(5)]
    return merge(account("c-ok"), planted, Book([], deals=closed))


def test_a_stalled_deal_is_found_against_the_teams_usual_time() -> None:
    book = stalled_book()
    assert findings(book) == {"c-deal": ["deal_stalled"]}
    reason = attention(book, "anna", TODAY, language="en").items[0].reasons[0]
    assert (
        reason.message
        == "Deal “Cold-rolled coils” has not moved for 100 days; the team usually closes a deal in 60 days."
    )
    assert reason.facts["idle_days"] == 100
    assert reason.facts["team_cycle_days"] == 60


def test_a_deal_that_moved_recently_is_not_stalled() -> None:
    book = stalled_book()
    book.deals[0] = replace(book.deals[0], updated=day(20))
    assert findings(book) == {}


def test_the_team_norm_given_by_the_loader_wins_over_the_books_own() -> None:
    book = stalled_book()
    book.norms = TeamNorms(in_person_share=0.5, deal_cycle_days=120, closed_deals=40)
    assert findings(book) == {}


def test_messages_speak_swedish() -> None:
    planted = account("c-req")
    planted.requests.append(RequestIn("c-req", at(23), ref="r-1"))
    result = attention(merge(planted), "anna", TODAY, language="sv")
    assert result.items[0].reasons[0].message == "Bad om ett möte för 23 dagar sedan; ännu inte tillgodosett."


def test_health_shows_its_parts_and_explains_them() -> None:
    book = merge(account("c-ok"))
    h = health(book.customers[0], book, TODAY)
    assert [p.code for p in h.parts] == ["recency", "in_person", "reciprocity", "breadth", "orders", "deals"]
    assert 0 <= h.score <= 100
    recency = h.parts[0]
    assert recency.facts["usual_gap_days"] == 30
    assert recency.score == 1.0
    assert "Last met 10 days ago; usually every 30 days" in recency.explanation


def test_health_falls_and_shows_a_down_arrow_when_a_customer_goes_quiet() -> None:
    book = account("c-quiet", every=30, last=100)
    h = health(book.customers[0], book, TODAY)
    assert h.trend == "down"
    assert h.previous is not None and h.previous - h.score >= 5
    assert h.arrow == "↓"


def test_a_short_history_uses_the_documented_default_cadence() -> None:
    t = Thresholds()
    book = account("c-new", every=30, last=10, span=80)  # three meetings: too few to learn from
    h = health(book.customers[0], book, TODAY, t)
    assert h.parts[0].facts["usual_gap_days"] == t.default_cadence_days
    assert h.parts[0].facts["cadence_from_history"] is False


def test_thresholds_change_the_judgement() -> None:
    planted = account("c-req")
    planted.requests.append(RequestIn("c-req", at(5), ref="r-1"))
    assert attention(planted, "anna", TODAY, Thresholds(request_wait_days=3)).items[0].codes == ["request_waiting"]
    assert attention(planted, "anna", TODAY).items == []


@pytest.mark.parametrize("bad_margin", [None])
def test_orders_that_could_not_be_converted_are_left_out_and_counted(bad_margin: Decimal | None) -> None:
    book = account("c-ok")
    book.orders.append(OrderIn("c-ok", day(3), None, bad_margin))
    h = health(book.customers[0], book, TODAY)
    orders = next(p for p in h.parts if p.code == "orders")
    assert orders.facts["unconverted_orders"] == 1
