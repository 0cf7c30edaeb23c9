"""Is the trip worth it, as a page and through the API: the same answer as the command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from kanelbulle.core.models import ExchangeRate
from kanelbulle.core.money import Money
from kanelbulle.deals.actions import deal_create
from tests.cli import run
from tests.personas import Personas
from tests.test_workspace_book import Book, make_book

pytestmark = pytest.mark.django_db
TODAY = "2026-06-01"  # the day the book is valued on: its EUR order of 2026-01-05 is then under a year old


def command_verdict(ref: str, language: str) -> str:
    """The heading the page must show: the command's own verdict on the same day."""
    doc = run("trip-worth", "--customer", ref, "--today", TODAY, "--json").json
    assert doc is not None
    english = "Worth the trip" if doc["worth_it"] else "Not worth the trip"
    swedish = "Värt resan" if doc["worth_it"] else "Inte värt resan"
    return swedish if language == "sv" else english


@pytest.fixture
def book(personas: Personas) -> Book:
    book = make_book(personas)
    for currency, rate in (("SEK", "11.50"), ("EUR", "1")):
        ExchangeRate.objects.create(date=dt.date(2025, 1, 2), currency=currency, per_eur=Decimal(rate))
    deal_create(personas.seller, book.lulea, title="Rails", value=Money(Decimal("240000.00"), "SEK"))
    return book


def test_the_seller_sees_car_train_plane_and_video_with_a_verdict(
    client: Client, personas: Personas, book: Book
) -> None:
    client.force_login(personas.seller)
    page = client.get(f"/plan/worth/{book.lulea.ref}/", {"today": TODAY})
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Car", "Train", "Plane", "Video call"):
        assert f'<th scope="row">{label}' in html
    verdict = command_verdict(book.lulea.ref, "en")
    assert f"{verdict}:" in html
    assert ("Not worth the trip" in html) is verdict.startswith("Not")
    assert "kg" in html


def test_the_page_speaks_swedish(client: Client, personas: Personas, book: Book) -> None:
    client.force_login(personas.seller)
    client.post("/i18n/setlang/", {"language": "sv", "next": "/home/"})
    html = client.get(f"/plan/worth/{book.lulea.ref}/", {"today": TODAY}).content.decode()
    assert "Tåg" in html and "Videomöte" in html
    verdict = command_verdict(book.lulea.ref, "sv")
    assert f"{verdict}:" in html
    assert ("Inte värt resan" in html) is verdict.startswith("Inte")


def test_a_missing_exchange_rate_is_said_not_crashed(client: Client, personas: Personas, book: Book) -> None:
    ExchangeRate.objects.all().delete()
    client.force_login(personas.seller)
    page = client.get(f"/plan/worth/{book.lulea.ref}/", {"today": TODAY})
    assert page.status_code == 409
    assert "no exchange rate for" in page.content.decode()
    api = client.get(f"/api/v1/trip-worth/{book.lulea.ref}", {"today": TODAY})
    assert api.status_code == 409
    assert "no exchange rate for" in api.json()["errors"][0]["message"]


def test_another_team_gets_404_and_the_api_answers_the_document(client: Client, personas: Personas, book: Book) -> None:
    client.force_login(personas.outsider)
    assert client.get(f"/plan/worth/{book.lulea.ref}/").status_code == 404
    client.force_login(personas.other_seller)
    doc = client.get(f"/api/v1/trip-worth/{book.lulea.ref}", {"today": TODAY}).json()
    assert doc["format"] == "kanelbulle-trip-worth/1"
    assert doc["customer"]["ref"] == book.lulea.ref
    assert {o["mode"] for o in doc["options"]} >= {"car", "video"}
    client.force_login(personas.outsider)
    assert client.get(f"/api/v1/trip-worth/{book.lulea.ref}").status_code == 404
