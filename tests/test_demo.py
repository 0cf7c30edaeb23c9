"""The demo book of business: reproducible, big enough, its stories findable, and loadable twice."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from kanelbulle.demo.generator import MANAGER, SELLERS, STORY, TEAM, build_demo
from tests.cli import run

TODAY = dt.date(2026, 11, 24)
KINDS = ("customers", "contacts", "meetings", "meeting_requests", "deals", "orders", "gifts")


@cache
def _doc_json(today: dt.date = TODAY, seed: int = 2025) -> str:
    return json.dumps(build_demo(today, seed), ensure_ascii=False, sort_keys=True)


def demo(today: dt.date = TODAY, seed: int = 2025) -> dict[str, Any]:
    return json.loads(_doc_json(today, seed))  # type: ignore[no-any-return]


def by_ref(doc: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {r["ref"]: r for r in doc[kind]}


def day_of(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


# ---- the generator -------------------------------------------------------------------------


def test_the_same_day_gives_the_same_document_and_another_seed_another() -> None:
    first = json.dumps(build_demo(TODAY), ensure_ascii=False, sort_keys=True)
    assert first == json.dumps(build_demo(TODAY), ensure_ascii=False, sort_keys=True)
    assert first != json.dumps(build_demo(TODAY, seed=7), ensure_ascii=False, sort_keys=True)


def test_every_day_gives_the_same_refs_so_a_reload_is_an_update() -> None:
    base = demo()
    for other in (dt.date(2026, 12, 30), dt.date(2027, 1, 4), dt.date(2027, 6, 15)):
        doc = demo(other)
        for kind in KINDS:
            assert sorted(r["ref"] for r in doc[kind]) == sorted(r["ref"] for r in base[kind]), kind


def test_dates_are_counted_back_from_today() -> None:
    later = demo(dt.date(2027, 3, 10))
    request = by_ref(later, "meeting_requests")[STORY["waiting_request"]]
    assert (dt.date(2027, 3, 10) - day_of(request["requested_at"])).days == 21
    assert by_ref(later, "meetings")[STORY["december_meeting"]]["start"].startswith("2026-12-")


def test_the_book_is_big_and_varied_enough() -> None:
    doc = demo()
    customers = doc["customers"]
    swedish = [c for c in customers if c["country"] == "SE"]
    assert len(swedish) >= 50
    assert len(customers) - len(swedish) >= 8
    cities = {c["city"] for c in customers}
    for city in ("Luleå", "Trollhättan", "Hässleholm", "Stockholm", "Göteborg", "Malmö", "Umeå", "Sundsvall",
                 "Jönköping", "Örebro", "Västerås", "Linköping", "Karlstad", "Gävle", "Växjö",
                 "Ningbo", "Shenzhen", "Memphis", "Boston"):  # fmt: skip
        assert city in cities, city
    assert {"CN", "DE", "US", "DK", "NO", "FI", "JP"} <= {c["country"] for c in customers}
    assert sum(c["name"].endswith(" AB") for c in swedish) >= 45
    meetings = doc["meetings"]
    assert len(meetings) >= 200
    starts = sorted(day_of(m["start"]) for m in meetings)
    assert (TODAY - starts[0]).days >= 700
    assert Counter(m["modality"] for m in meetings).keys() == {"in_person", "video", "phone", "email"}
    assert sum(bool(m.get("unsaid")) for m in meetings) >= 20
    assert sum(m["requested_by_customer"] for m in meetings) >= 20
    deals = doc["deals"]
    stages = Counter(d["stage"] for d in deals)
    assert len(deals) >= 50 and stages["open"] >= 10 and stages["won"] + stages["lost"] >= 80
    assert sum("probability_pct" in d for d in deals if d["stage"] == "open") >= 5
    assert {o["value"]["currency"] for o in doc["orders"]} >= {"SEK", "EUR", "USD", "CNY", "JPY"}
    active = [c for c in customers if sum(o["customer"] == c["ref"] for o in doc["orders"]) >= 3]
    assert len(active) >= 50
    assert {g["direction"] for g in doc["gifts"]} == {"given", "received"}
    assert {r["status"] for r in doc["meeting_requests"]} == {"open", "honoured", "declined"}
    assert sum(len(p.get("facts", [])) for p in doc["contacts"]) >= 150
    assert {f["kind"] for p in doc["contacts"] for f in p.get("facts", [])} == {
        "pet", "family", "interest", "preference", "dislike", "date", "other",
    }  # fmt: skip
    assert all(p["lawful_basis"] and p.get("source") for p in doc["contacts"])


def test_the_team_is_three_sellers_and_their_manager() -> None:
    users = {u["username"]: u for u in demo()["users"]}
    assert [u for u in users if users[u]["role"] == "seller"] == list(SELLERS)
    assert users[MANAGER]["role"] == "manager"
    assert {u["team"] for u in users.values()} == {TEAM}
    assert {users[s]["home"]["city"] for s in SELLERS} == {"Stockholm", "Göteborg", "Malmö"}


def test_every_ref_is_unique_and_every_reference_resolves() -> None:
    doc = demo()
    users = {u["username"] for u in doc["users"]}
    refs = {kind: [r["ref"] for r in doc[kind]] for kind in KINDS}
    for kind, values in refs.items():
        assert len(values) == len(set(values)), kind
    customers = set(refs["customers"])
    contact_customer = {p["ref"]: p["customer"] for p in doc["contacts"]}
    meetings = by_ref(doc, "meetings")
    for c in doc["customers"]:
        assert c["owner"] in users
    for kind in ("contacts", "meetings", "meeting_requests", "deals", "orders", "gifts"):
        for r in doc[kind]:
            assert r["customer"] in customers, (kind, r["ref"])
            for p in r.get("contacts", []) + ([r["contact"]] if "contact" in r else []):
                assert contact_customer[p] == r["customer"], (kind, r["ref"], p)
            for key in ("user", "approved_by"):
                if key in r:
                    assert r[key] in users, (kind, r["ref"])
    for r in doc["meeting_requests"]:
        if "honoured_by" in r:
            assert r["status"] == "honoured"
            assert meetings[r["honoured_by"]]["customer"] == r["customer"]
            assert r["requested_at"] < meetings[r["honoured_by"]]["start"]


def test_values_have_the_exchange_format_shape() -> None:
    doc = demo()
    assert doc["format"] == "kanelbulle/1"
    for m in doc["meetings"]:
        assert dt.datetime.fromisoformat(m["start"]).tzinfo is not None
    for kind in ("deals", "orders", "gifts"):
        for r in doc[kind]:
            assert set(r["value"]) == {"amount", "currency"}
            assert Decimal(r["value"]["amount"]) > 0 and r["value"]["amount"].endswith(".00")
    for c in doc["customers"]:
        assert 45 <= c["visit_minutes"] <= 120
    with_hours = [c for c in doc["customers"] if "opening_hours" in c]
    assert len(with_hours) >= 40
    assert all(set(c["opening_hours"]) == {"mon", "tue", "wed", "thu", "fri"} for c in with_hours)


def test_nothing_but_planned_meetings_lies_in_the_future() -> None:
    doc = demo()
    future = [m for m in doc["meetings"] if day_of(m["start"]) > TODAY]
    assert 1 <= len(future) <= 10
    for kind, key in (("orders", "date"), ("gifts", "date"), ("meeting_requests", "requested_at")):
        assert all(day_of(r[key]) <= TODAY for r in doc[kind]), kind
    for d in doc["deals"]:
        assert day_of(d["created"]) <= TODAY and ("closed" not in d or day_of(d["closed"]) <= TODAY)
        assert ("closed" in d) == (d["stage"] != "open")


# ---- the planted stories -------------------------------------------------------------------


def test_the_small_customer_strong_in_its_niche() -> None:
    doc = demo()
    customer = by_ref(doc, "customers")[STORY["small_strong_customer"]]
    assert customer["potential"] == "low" and customer["country"] == "CN"
    ceo = by_ref(doc, "contacts")[STORY["small_strong_ceo"]]
    assert any(f["kind"] == "pet" and f["text"] == "Två schnauzer, Max och Moritz" for f in ceo["facts"])
    meeting = by_ref(doc, "meetings")[STORY["december_meeting"]]
    assert meeting["modality"] == "in_person" and meeting["requested_by_customer"]
    assert meeting["start"].startswith("2025-12-")
    assert "schnauzer" in meeting["notes"] and "slåss" in meeting["notes"] and "formella" in meeting["notes"]
    gift = by_ref(doc, "gifts")[STORY["december_gift_received"]]
    assert (gift["direction"], gift["category"], gift["occasion"]) == ("received", "food", "christmas")
    assert "hoklad" in gift["description"] and "smörkakor" in gift["description"]
    assert gift["date"] == meeting["start"][:10]
    order = by_ref(doc, "orders")[STORY["order_after_december"]]
    assert 0 < (day_of(order["date"]) - day_of(meeting["start"])).days <= 10
    orders = sorted((o for o in doc["orders"] if o["customer"] == customer["ref"]), key=lambda o: o["date"])
    assert len(orders) >= 12 and all(Decimal(o["margin_pct"]) >= 40 for o in orders)
    first_year = sum(Decimal(o["value"]["amount"]) for o in orders[:6])
    last_year = sum(Decimal(o["value"]["amount"]) for o in orders[-6:])
    assert last_year > first_year
    asked = [m for m in doc["meetings"] if m["customer"] == customer["ref"] and m["requested_by_customer"]]
    assert len(asked) >= 4
    request = by_ref(doc, "meeting_requests")[STORY["december_request"]]
    assert request["honoured_by"] == STORY["december_meeting"]


def test_a_meeting_request_has_waited_three_weeks() -> None:
    doc = demo()
    request = by_ref(doc, "meeting_requests")[STORY["waiting_request"]]
    assert request["status"] == "open" and request["customer"] == STORY["waiting_customer"]
    assert (TODAY - day_of(request["requested_at"])).days == 21
    later = [
        m
        for m in doc["meetings"]
        if m["customer"] == STORY["waiting_customer"] and m["start"] > request["requested_at"]
    ]
    assert later == []
    others = [r for r in doc["meeting_requests"] if r["status"] == "open" and r["ref"] != request["ref"]]
    assert all((TODAY - day_of(r["requested_at"])).days < 10 for r in others)


def test_the_drifting_account_went_from_visits_to_video_and_orders_fell() -> None:
    doc = demo()
    ref = STORY["drifting_customer"]
    meetings = sorted((m for m in doc["meetings"] if m["customer"] == ref), key=lambda m: m["start"])
    recent = [m for m in meetings if (TODAY - day_of(m["start"])).days <= 270]
    before = [m for m in meetings if 270 < (TODAY - day_of(m["start"])).days <= 730]
    assert len(recent) >= 5 and {m["modality"] for m in recent} == {"video"}
    assert len(before) >= 5 and {m["modality"] for m in before} == {"in_person"}
    gaps = [(day_of(b["start"]) - day_of(a["start"])).days for a, b in itertools.pairwise(before)]
    assert all(60 <= g <= 100 for g in gaps)
    orders = [o for o in doc["orders"] if o["customer"] == ref]

    def total(low: int, high: int) -> Decimal:
        return sum(
            (Decimal(o["value"]["amount"]) for o in orders if low < (TODAY - day_of(o["date"])).days <= high),
            Decimal(0),
        )

    assert total(0, 270) * 2 < total(270, 540)


def test_the_lulea_cluster_is_worth_a_trip() -> None:
    doc = demo()
    customers = by_ref(doc, "customers")
    deals = by_ref(doc, "deals")
    for cref, dref in zip(STORY["lulea_customers"], STORY["lulea_deals"], strict=True):
        assert customers[cref]["city"] == "Luleå" and customers[cref]["owner"] == "anna"
        assert "opening_hours" in customers[cref]
        deal = deals[dref]
        assert deal["customer"] == cref and deal["stage"] == "open" and deal["user"] == "anna"
        assert Decimal(deal["value"]["amount"]) >= 60_000 and deal["value"]["currency"] == "SEK"
    recent_visits = [
        m
        for m in doc["meetings"]
        if m["customer"] in STORY["lulea_customers"]
        and m["modality"] == "in_person"
        and (TODAY - day_of(m["start"])).days < 365
    ]
    assert recent_visits == []
    assert customers[STORY["trollhattan_customer"]]["city"] == "Trollhättan"
    assert customers[STORY["hassleholm_customer"]]["city"] == "Hässleholm"


def test_public_sector_tender_and_no_gifts() -> None:
    customers = by_ref(demo(), "customers")
    public = customers[STORY["public_sector_customer"]]
    assert public["public_sector"] and Decimal(public["gift_policy"]["max_value"]["amount"]) <= 100
    tender = customers[STORY["tender_customer"]]
    assert dt.date.fromisoformat(tender["tender_open_until"]) > TODAY
    assert customers[STORY["no_gifts_customer"]]["gift_policy"] == {"accepts_gifts": False}
    gifts = demo()["gifts"]
    assert not [g for g in gifts if g["customer"] == STORY["no_gifts_customer"]]


def test_meeting_in_person_wins_more_and_potential_confounds_it() -> None:
    doc = demo()
    potential = {c["ref"]: c["potential"] for c in doc["customers"]}
    visits: dict[str, list[dt.date]] = {}
    for m in doc["meetings"]:
        if m["modality"] == "in_person":
            visits.setdefault(m["customer"], []).append(day_of(m["start"]))
    won = Counter[tuple[str, bool]]()
    seen = Counter[tuple[str, bool]]()
    for d in doc["deals"]:
        if d["stage"] == "open":
            continue
        created, closed = day_of(d["created"]), day_of(d["closed"])
        met = any(created <= v <= closed for v in visits.get(d["customer"], []))
        for key in (("all", met), (potential[d["customer"]], met)):
            seen[key] += 1
            won[key] += d["stage"] == "won"
    assert seen["all", True] >= 30 and seen["all", False] >= 30
    assert won["all", True] / seen["all", True] > won["all", False] / seen["all", False] + 0.15

    # The confounder: high-potential deals see a visit more often than low-potential ones.
    def share(p: str) -> float:
        return seen[p, True] / (seen[p, True] + seen[p, False])

    assert share("high") > share("low")


# ---- loading it ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bad_today_is_bad_usage() -> None:
    result = run("demo", "--no-serve", "--today", "2026-13-01")
    assert result.code == 2
    assert result.err_lines == ["--today: '2026-13-01' is not a date; use YYYY-MM-DD, e.g. 2026-01-31"]


@pytest.mark.slow
@pytest.mark.django_db
def test_loading_twice_changes_nothing_and_the_demo_users_can_log_in() -> None:
    from kanelbulle.accounts.models import User
    from kanelbulle.core.models import ExchangeRate
    from kanelbulle.customers.models import Customer
    from kanelbulle.exchange.exporter import export_document
    from kanelbulle.meetings.models import Meeting

    first = run("demo", "--no-serve", "--today", TODAY.isoformat())
    assert first.code == 0, first.err
    assert "loading demo for 2026-11-24: 63 customers" in first.out
    assert "demo ready: http://127.0.0.1:8000/" in first.out
    assert "warning: these passwords are for local use only" in first.out
    doc = demo()
    assert Customer.objects.count() == len(doc["customers"])
    assert Meeting.objects.count() == len(doc["meetings"])
    assert ExchangeRate.objects.filter(currency="SEK").exists()
    exported = export_document()
    second = run("demo", "--no-serve", "--today", TODAY.isoformat())
    assert second.code == 0, second.err
    assert "nothing changed" in second.out
    again = export_document()
    exported.pop("exported_at", None)
    again.pop("exported_at", None)
    assert again == exported
    # What was loaded is the generated document, record for record.
    for kind in KINDS:
        assert {r["ref"]: r for r in exported[kind]} == by_ref(doc, kind), kind
    user = User.objects.get(username="demo")
    assert user.role == "manager" and user.team == TEAM and user.is_active
    assert user.check_password("kanelbulle")
    assert User.objects.get(username="anna").check_password("kanelbulle")
