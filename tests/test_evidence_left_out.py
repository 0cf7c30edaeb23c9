"""One record that cannot be converted never breaks a team's evidence: it is left out, and the page,
the API and the command say how many and which."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kanelbulle.customers.models import Customer
from kanelbulle.deals.models import Deal, Order, Stage
from tests.cli import run
from tests.personas import Personas

pytestmark = pytest.mark.django_db
TODAY = "2026-11-27"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def book(personas: Personas) -> Personas:
    """Anna's deals in SEK, and three records stored before the rule or before any rate was loaded:
    a deal in XAU, a deal in USD without a USD rate, and an order in XTS."""
    c = Customer.objects.create(
        ref="c-lulea-1", name="Norrbotten Stål AB", country="SE", city="Luleå", lat=65.58, lon=22.15,
        time_zone="Europe/Stockholm", owner=personas.seller,
    )  # fmt: skip
    for i, (stage, currency) in enumerate(
        [(Stage.WON, "SEK"), (Stage.LOST, "SEK"), (Stage.OPEN, "SEK"), (Stage.WON, "XAU"), (Stage.LOST, "USD")]
    ):
        Deal.objects.create(
            ref=f"d-{i}-{currency.lower()}", customer=c, user=personas.seller, title=f"Deal {i}",
            value_amount=Decimal("1000.00"), value_currency=currency, stage=stage, created=dt.date(2026, 3, 1),
            closed=None if stage == Stage.OPEN else dt.date(2026, 6, 1),
        )  # fmt: skip
    Order.objects.create(
        ref="o-xts", customer=c, date=dt.date(2026, 2, 1), value_amount=Decimal("5.00"), value_currency="XTS"
    )
    return personas


LEFT_OUT = {"d-3-xau", "d-4-usd", "o-xts"}


def test_the_api_answers_for_the_manager_and_the_admin_and_lists_what_it_left_out(book: Personas) -> None:
    for who in (book.manager, book.admin):
        client = Client()
        client.force_login(who)
        response = client.get(f"/api/v1/evidence?today={TODAY}")
        assert response.status_code == 200, response.content
        doc = response.json()
        assert doc["n_deals"] == 3
        assert doc["left_out"]["count"] == 3
        assert {r["ref"] for r in doc["left_out"]["records"]} == LEFT_OUT
        assert "3 records left out" in doc["left_out"]["note"] and "d-3-xau (XAU 2026-06-01)" in doc["left_out"]["note"]


def test_the_page_says_so(book: Personas) -> None:
    client = Client()
    client.force_login(book.manager)
    assert client.post("/evidence/recompute/").status_code == 302  # analysed at once on the tests' queue
    page = client.get("/evidence/").content.decode()
    assert "3 records left out: their amounts cannot be converted to SEK (no exchange rate)" in page
    assert all(ref in page for ref in LEFT_OUT)
    from django.utils import translation

    from kanelbulle.evidence.book import evidence_for, left_out_note

    result = evidence_for(book.manager, today=dt.date(2026, 11, 27))
    with translation.override("sv"):
        assert left_out_note(result.left_out).startswith("3 poster utelämnade")


def test_the_command_says_so(book: Personas) -> None:
    result = run("evidence", "--today", TODAY)
    assert result.code == 0, result.err
    assert "3 records left out" in result.out and "o-xts (XTS 2026-02-01)" in result.out
    doc = run("evidence", "--today", TODAY, "--json").json
    assert doc["left_out"]["count"] == 3


def test_nothing_is_said_when_nothing_is_left_out(personas: Personas) -> None:
    result = run("evidence", "--today", TODAY, "--json")
    assert result.code == 0, result.err
    assert result.json["left_out"] == {"count": 0, "records": []}
