"""A credit note (a negative order) never makes a visit's value negative: the book plans and prices."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from kanelbulle.accounts.models import ApiToken
from kanelbulle.exchange.importer import import_document
from kanelbulle.planner.book import problem_for
from tests.cli import run
from tests.personas import Personas

START = dt.date(2026, 11, 30)  # a Monday
TODAY = dt.date(2026, 11, 27)


def credit_book() -> dict[str, Any]:
    """Anna's customer in Uppsala whose only order in the year is a credit note of −2,000 SEK."""
    return {
        "format": "kanelbulle/1",
        "customers": [
            {
                "ref": "c-credit",
                "name": "Kreditkunden AB",
                "country": "SE",
                "city": "Uppsala",
                "lat": 59.8586,
                "lon": 17.6389,
                "owner": "anna",
                "potential": "medium",
                "public_sector": False,
                "visit_minutes": 60,
            }
        ],
        "orders": [
            {
                "ref": "o-credit",
                "customer": "c-credit",
                "date": "2026-10-01",
                "value": {"amount": "-2000.00", "currency": "SEK"},
            }
        ],
    }


@pytest.fixture
def credited(personas: Personas) -> Personas:
    import_document(credit_book())
    return personas


def test_the_visit_value_is_zero_not_negative(credited: Personas) -> None:
    raw, values = problem_for(credited.seller, START, 5, today=TODAY)
    visit = next(v for v in raw["visits"] if v["ref"] == "c-credit")
    assert visit["value"] == {"amount": "0.00", "currency": "SEK"}
    assert values["c-credit"].amount == 0
    assert any("credit notes lower a visit's value to zero at most" in part for part in values["c-credit"].parts)


def test_plan_for_the_user_exits_0(credited: Personas) -> None:
    result = run(
        "plan", "--user", "anna", "--start", START.isoformat(), "--days", "5", "--iterations", "200",
        "--today", TODAY.isoformat(), "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.json["as_of"] == TODAY.isoformat()
    assert "must not be negative" not in result.err
    value = next(v for v in result.json["values"] if v["ref"] == "c-credit")
    assert value["value"]["amount"] == "0.00"


def test_the_plan_page_and_the_plan_api_succeed(credited: Personas) -> None:
    client = Client()
    client.force_login(credited.seller)
    response = client.post("/plan/solve/", {"start": START.isoformat(), "days": "5", "today": TODAY.isoformat()})
    assert response.status_code == 302, response.content[:500]
    token = "Bearer " + ApiToken.issue(credited.seller)[1]
    api = Client().post(
        "/api/v1/plan",
        {"start": START.isoformat(), "days": 5, "today": TODAY.isoformat()},
        content_type="application/json",
        headers={"authorization": token},
    )
    assert api.status_code == 200, api.content
    assert api.json()["as_of"] == TODAY.isoformat()
    value = next(v for v in api.json()["values"] if v["ref"] == "c-credit")
    assert value["value"]["amount"] == "0.00"


def test_trip_worth_never_says_a_negative_value(credited: Personas) -> None:
    for language in ("en", "sv"):
        result = run("trip-worth", "--customer", "c-credit", "--language", language, "--today", TODAY.isoformat())
        assert result.code == 0, result.err
        assert not re.search(r"(^|\s)[-−]\s?\d", result.out), result.out
    doc = run("trip-worth", "--customer", "c-credit", "--today", TODAY.isoformat(), "--json").json
    assert doc["value"]["in_person"]["amount"] == "0.00"
    client = Client()
    client.force_login(credited.seller)
    page = client.get("/api/v1/trip-worth/c-credit", {"today": TODAY.isoformat()}).json()
    assert page["value"]["in_person"]["amount"] == "0.00"
    assert not re.search(r"would add [-−]", page["summary"])
