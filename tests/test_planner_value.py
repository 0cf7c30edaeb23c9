"""The value of a visit learns: the evidence's in-person uplift when it has the data, else the
prior; a drifting customer is worth more; and the planner's words come out in Swedish too."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from kanelbulle.customers.models import Customer
from kanelbulle.deals.models import Deal, Stage
from kanelbulle.meetings.models import Meeting
from kanelbulle.planner import book as planner_book
from kanelbulle.planner.book import visit_values
from tests.cli import run
from tests.personas import Personas

TODAY = dt.date(2026, 11, 25)


def customer(personas: Personas, ref: str, lat: float = 59.40, lon: float = 17.95) -> Customer:
    return Customer.objects.create(
        ref=ref, name=ref.title(), country="SE", city="Stockholm", lat=lat, lon=lon,
        time_zone="Europe/Stockholm", owner=personas.seller,
    )  # fmt: skip


def open_deal(personas: Personas, c: Customer, ref: str, value: str = "600000") -> Deal:
    return Deal.objects.create(
        ref=ref, customer=c, user=personas.seller, title="Line 3", value_amount=Decimal(value),
        value_currency="SEK", probability_pct=Decimal("50"), stage=Stage.OPEN, created=TODAY - dt.timedelta(days=20),
    )  # fmt: skip


def meet(personas: Personas, c: Customer, ref: str, day: dt.date, modality: str = "in_person") -> None:
    Meeting.objects.create(
        ref=ref, customer=c, user=personas.seller, modality=modality,
        start=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
    )  # fmt: skip


def history(personas: Personas) -> None:
    """48 closed deals on 12 customers: met in person wins 3 in 4, not met wins 1 in 4."""
    customers = [customer(personas, f"c-h{k:02d}", 59.3 + k / 100, 18.0) for k in range(12)]
    for i in range(48):
        c = customers[i % 12]
        created = TODAY - dt.timedelta(days=400 - 5 * i)
        closed = created + dt.timedelta(days=60)
        met = i % 2 == 0
        won = (i % 4 != 0) if met else (i % 8 == 1 or (i % 8 == 3 and i % 16 == 3))
        Deal.objects.create(
            ref=f"d-h{i:02d}", customer=c, user=personas.seller, title="Past", value_amount=Decimal("100000"),
            value_currency="SEK", stage=Stage.WON if won else Stage.LOST, created=created, closed=closed,
        )  # fmt: skip
        if met:
            meet(personas, c, f"m-h{i:02d}", created + dt.timedelta(days=10))
        else:
            meet(personas, c, f"m-h{i:02d}", created + dt.timedelta(days=10), "video")


@pytest.mark.django_db
def test_a_tiny_book_values_a_visit_with_the_documented_prior(personas: Personas) -> None:
    c = customer(personas, "c-one")
    open_deal(personas, c, "d-one")
    value = visit_values(personas.seller, [c], "SEK", TODAY)["c-one"]
    assert value.amount == Decimal("60000.00")  # 600,000 × 50 % × 20 %
    assert value.uplift is not None and value.uplift.source == "prior"
    assert any("20% in-person uplift (prior: the evidence has 0 closed deals, 30 needed)" in p for p in value.parts)


@pytest.mark.django_db
def test_with_enough_evidence_the_uplift_is_the_evidence_modules_shrunk_estimate(personas: Personas) -> None:
    from kanelbulle.evidence.analysis import shrunk_win_uplift, uplifted_probability
    from kanelbulle.evidence.book import evidence_for

    history(personas)
    c = customer(personas, "c-new")
    open_deal(personas, c, "d-new")
    expected_ratio = shrunk_win_uplift(evidence_for(None, seller=personas.seller, today=TODAY))
    assert expected_ratio > 1.05  # the book was made with an in-person effect (shrunk toward 1)
    value = visit_values(personas.seller, [c], "SEK", TODAY)["c-new"]
    assert value.uplift is not None and value.uplift.source == "evidence"
    assert value.uplift.odds_ratio == pytest.approx(expected_ratio)
    gain = Decimal("600000") * (Decimal(repr(uplifted_probability(0.5, expected_ratio))) - Decimal("0.5"))
    assert value.amount == gain.quantize(Decimal("0.01"))
    assert any(f"win odds × {expected_ratio:.2f} from the evidence on your deals (n=48" in p for p in value.parts)


@pytest.mark.django_db
def test_a_drifting_customer_is_worth_more_than_an_otherwise_identical_healthy_one(personas: Personas) -> None:
    healthy, drifting = customer(personas, "c-healthy"), customer(personas, "c-drifting")
    for c in (healthy, drifting):
        open_deal(personas, c, f"d-{c.ref}")
    meet(personas, healthy, "m-healthy", TODAY - dt.timedelta(days=10))
    meet(personas, drifting, "m-drifting", TODAY - dt.timedelta(days=250))  # usually every 90 days
    values = visit_values(personas.seller, [healthy, drifting], "SEK", TODAY)
    assert values["c-healthy"].health == []
    assert values["c-drifting"].health == ["drifting"]
    assert values["c-drifting"].amount == values["c-healthy"].amount * (1 + planner_book.HEALTH_WEIGHTS["drifting"])
    assert any(p.startswith("drifting: + 50% (Last met 250 days ago") for p in values["c-drifting"].parts)


PROBLEM = {
    "format": "kanelbulle-plan/1",
    "start": "2026-11-30",
    "days": 1,
    "time_zone": "Europe/Stockholm",
    "seller": {"home": {"lat": 59.3293, "lon": 18.0686}, "workday": ["08:00", "17:00"],
               "weekdays": ["mon", "tue", "wed", "thu", "fri"],
               "overnight": {"allowed": False, "cost": {"amount": "1400.00", "currency": "SEK"}}},
    "travel": {"cost_per_hour": {"amount": "450.00", "currency": "SEK"},
               "modes": {"car": {"factor": 1.3, "speed_kmh": 75, "overhead_minutes": 0, "min_km": 0,
                                 "cost_per_km": {"amount": "2.50", "currency": "SEK"},
                                 "fixed_cost": {"amount": "0.00", "currency": "SEK"}, "co2_g_per_km": 120}}},
    "visits": [{"ref": "c-uppsala", "lat": 59.8586, "lon": 17.6389, "minutes": 60,
                "value": {"amount": "10.00", "currency": "SEK"}, "required": False,
                "windows": [["2026-11-30T08:00:00+01:00", "2026-11-30T17:00:00+01:00"]]}],
}  # fmt: skip


def test_a_dropped_visits_reason_comes_out_in_swedish_with_its_code_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(PROBLEM), encoding="utf-8")
    english = run("plan", "--problem", str(path), "--iterations", "200", "--json")
    swedish = run("plan", "--problem", str(path), "--iterations", "200", "--json", "--language", "sv")
    assert english.code == swedish.code == 0, swedish.err
    assert english.json["solver"]["stopped_by"] == swedish.json["solver"]["stopped_by"] == "iterations"
    en, sv = english.json["dropped"][0], swedish.json["dropped"][0]
    assert en["code"] == sv["code"] == "not_worth"
    assert en["reason"].startswith("not worth the trip: value SEK\xa010 < marginal travel cost")
    assert sv["reason"].startswith("inte värt resan: värdet 10\xa0kr < resekostnaden för att lägga till besöket")
    text = run("plan", "--problem", str(path), "--iterations", "200", "--language", "sv")
    assert "inte värt resan" in text.out and "totalt" in text.out
