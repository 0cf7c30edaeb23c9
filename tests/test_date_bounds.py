"""A date a record holds lies in the years 1900-2200 on every way in (core/days.py), as the API's
schema says: a form, the gift check and `gift-check --date` refuse another year with the field
named (a gift dated 0001-01-01 answered 500 on the page and `failed: ValueError` from the command,
one dated 9999-12-31 was stored), and nothing is stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kanelbulle.core.money import Money
from kanelbulle.customers.models import Customer
from kanelbulle.deals.actions import deal_create
from kanelbulle.deals.models import Deal
from kanelbulle.gifts.models import Gift
from kanelbulle.meetings.models import Meeting
from tests.cli import run
from tests.gifts_helpers import DAY, FAST_HASHERS, gift_book
from tests.personas import Personas, logged_in

pytestmark = pytest.mark.django_db
YEARS = "year must be between 1900 and 2200"
SEK = Money(Decimal("1000.00"), "SEK")
FAR = ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def book(personas: Personas) -> Customer:
    return gift_book(personas.seller)


def gift_form(day: str) -> dict[str, str]:
    return {
        "customer": "c-lulea-1", "contact": "p-1", "direction": "given", "date": day,
        "description": "Chocolate", "category": "food", "amount": "250.00", "currency": "SEK",
        "occasion": "christmas", "action": "record",
    }  # fmt: skip


@pytest.mark.parametrize("day", FAR)
def test_the_gift_form_and_its_check_refuse_the_year_next_to_the_field(
    book: Customer, personas: Personas, day: str
) -> None:
    anna = logged_in(personas.seller)
    response = anna.post("/gifts/new/", gift_form(day))
    assert response.status_code == 400
    assert YEARS in response.content.decode()
    assert not Gift.objects.exists()
    preview = anna.post("/gifts/check/", gift_form(day))
    assert preview.status_code == 200 and YEARS in preview.content.decode()


def test_the_gift_check_command_refuses_the_year_in_one_line(book: Customer) -> None:
    result = run(
        "gift-check", "--customer", "c-lulea-1", "--value", "100", "SEK", "--description", "Flowers",
        "--date", "0001-01-01",
    )  # fmt: skip
    assert result.code == 2, result.err
    assert len(result.err_lines) == 1 and "date" in result.err_lines[0] and YEARS in result.err_lines[0]


def test_the_gift_check_command_takes_a_year_in_range(book: Customer) -> None:
    result = run(
        "gift-check", "--customer", "c-lulea-1", "--value", "100", "SEK", "--description", "Flowers",
        "--date", DAY.isoformat(),
    )  # fmt: skip
    assert result.code == 0, result.err


def test_an_action_refuses_a_stored_date_outside_the_years_naming_the_field(book: Customer) -> None:
    with pytest.raises(ValidationError) as refused:
        deal_create(None, book, title="Steel", value=SEK, created=dt.date(9999, 12, 31))
    assert refused.value.message_dict == {"created": [YEARS]}
    assert not Deal.objects.exists()
    deal_create(None, book, title="Steel", value=SEK, created=dt.date(2200, 12, 31))  # the last year is taken
    assert Deal.objects.count() == 1


def test_the_meeting_form_refuses_the_year_next_to_the_field(book: Customer, personas: Personas) -> None:
    data = {
        "customer": book.ref, "start": "9999-12-31T10:00", "modality": "in_person",
        "duration_minutes": "90", "notes": "Coffee and buns",
    }  # fmt: skip
    response = logged_in(personas.seller).post("/customers/log/", data)
    assert response.status_code == 400
    assert YEARS in response.content.decode()
    assert not Meeting.objects.exists()
