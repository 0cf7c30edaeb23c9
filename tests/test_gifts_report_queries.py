"""The printable gift report and its CSV hold every gift of the period and ask the same number of
queries for 3 gifts or 30 (no query per gift: not for the customer, the person, the approver, the
policy, nor the conversion of an imported gift without a stored company value)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kanelbulle.gifts.models import Gift, GiftPolicy
from tests.gifts_helpers import DAY, FAST_HASHERS, contact, customer, gift_book
from tests.personas import Personas, logged_in

pytestmark = pytest.mark.django_db
PERIOD = {"from": "2024-01-01", "to": "2024-12-31"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def add_gifts(personas: Personas, first: int, n: int) -> None:
    """``n`` gifts, each to its own customer and person, some approved, voided, imported (no
    company value, in euros: converted at the stored rate) or under a policy."""
    policy = GiftPolicy.current()
    for i in range(first, first + n):
        cust = customer(personas.seller, ref=f"c-gift-{i}", name=f"Kund {i:02} AB")
        person = contact(cust, ref=f"p-gift-{i}", name=f"Person {i:02}")
        imported = i % 3 == 0
        Gift.objects.create(
            ref=f"g-{i:02}", direction="given" if i % 2 else "received", customer=cust, contact=person,
            user=personas.seller, date=DAY, description=f"Gåva {i:02}", category="food",
            value_amount=Decimal("100.00"), value_currency="EUR" if imported else "SEK",
            value_company_amount=None if imported else Decimal("100.00"),
            value_company_currency="" if imported else "SEK", verdict="ask" if i % 4 == 0 else "ok",
            policy=None if imported else policy, approved_by=personas.manager if i % 4 == 0 else None,
            approved_at=timezone.now() if i % 4 == 0 else None,
            voided_at=timezone.now() if i % 5 == 0 else None, void_reason="fel" if i % 5 == 0 else "",
        )  # fmt: skip


def queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, PERIOD)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("url", ["/gifts/report/", "/gifts/report.csv"])
def test_the_report_asks_as_many_queries_for_30_gifts_as_for_3(personas: Personas, url: str) -> None:
    gift_book(personas.seller)
    admin = logged_in(personas.admin)
    add_gifts(personas, 1, 3)
    few, text = queries(admin, url)
    assert "Gåva 03" in text
    add_gifts(personas, 4, 27)
    many, text = queries(admin, url)
    assert many == few
    assert all(f"Gåva {i:02}" in text for i in range(1, 31))  # every gift of the period, no page


def test_the_printed_report_shows_each_gift_as_the_register_holds_it(personas: Personas) -> None:
    gift_book(personas.seller)
    add_gifts(personas, 1, 12)
    page = logged_in(personas.admin).get("/gifts/report/", PERIOD).content.decode()
    assert "Person 04" in page and "Kund 04 AB" in page
    assert "Maria" in page  # the approver's name, on the approved gifts
    assert "voided" in page and "fel" in page
    # the imported gifts (3, 6, 9, 12: EUR 100 at 11 SEK, the voided none) count at 1,100 SEK each
    csv = logged_in(personas.admin).get("/gifts/report.csv", PERIOD).content.decode()
    total = [row for row in csv.splitlines() if row.startswith("total,")]
    given = sum(100 for i in range(1, 13) if i % 2 and i % 5 and i % 3) + sum(
        1100 for i in range(1, 13) if i % 2 and i % 5 and not i % 3
    )
    assert any(f"{given}.00,SEK" in row and ",given," in row for row in total), total
