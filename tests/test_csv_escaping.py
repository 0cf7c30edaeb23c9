"""Every CSV the product writes neutralises cells a spreadsheet would run as a formula
(core/csvout.py): the gift register (page and command), the size-bias list and the audit log."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from kanelbulle.core.csvout import safe_cell
from kanelbulle.core.models import AuditEntry
from kanelbulle.customers.models import Customer
from kanelbulle.exchange.importer import import_document
from kanelbulle.gifts.actions import parse_input, record_gift
from tests.cli import run
from tests.gifts_helpers import DAY, FAST_HASHERS, contact, customer, rates
from tests.personas import Personas
from tests.test_insights_db import TODAY, scenario_book

pytestmark = pytest.mark.django_db
LINK = '=HYPERLINK("http://evil.example/","click")'


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def neutralised(text: str) -> None:
    """The formula arrives as text (after an apostrophe), and no cell starts a formula."""
    found = cells(text)
    assert "'" + LINK in found
    assert not [c for c in found if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in found if c.startswith("-") and not c.lstrip("-").replace(".", "").isdigit()]


def test_the_helper() -> None:
    assert safe_cell(LINK) == "'" + LINK
    for text in ("+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(text) == "'" + text
    assert [safe_cell(v) for v in ("-1200.50", "+46", "Kanelbulle AB", 12, None)] == [
        "-1200.50", "+46", "Kanelbulle AB", 12, None
    ]  # fmt: skip


def test_the_gift_register_csv_page_and_command(personas: Personas) -> None:
    rates()
    cust = customer(personas.seller)
    contact(cust)
    Customer.objects.filter(pk=cust.pk).update(name="@SUM(1+1)")
    gift = parse_input(
        personas.seller, customer=cust.ref, contact="p-1", amount="250.00", currency="SEK", description=LINK,
        category="food", date=DAY.isoformat(), direction="given", occasion="+christmas",
    )  # fmt: skip
    record_gift(personas.seller, gift)
    result = run(
        "gifts",
        "report",
        "--from",
        DAY.replace(day=1).isoformat(),
        "--to",
        DAY.replace(day=31).isoformat(),
        "--format",
        "csv",
    )
    assert result.code == 0, result.err
    neutralised(result.out)
    assert "'@SUM(1+1)" in cells(result.out) and "'+christmas" in cells(result.out)
    client = Client()
    client.force_login(personas.seller)
    page = client.get(
        "/gifts/report.csv", {"from": DAY.replace(day=1).isoformat(), "to": DAY.replace(day=31).isoformat()}
    )
    assert page.status_code == 200
    neutralised(page.content.decode())


def test_the_size_bias_csv(personas: Personas) -> None:
    import_document(scenario_book().doc)
    Customer.objects.filter(ref="c-small").update(name=LINK)
    client = Client()
    client.force_login(personas.manager)
    response = client.get(f"/attention/size-bias/?today={TODAY}&format=csv")
    assert response.status_code == 200
    neutralised(response.content.decode())


def test_the_audit_log_csv(personas: Personas) -> None:
    AuditEntry.objects.create(actor=None, actor_label=LINK, action="import", kind="customer", ref="-1+1", detail={})
    client = Client()
    client.force_login(personas.admin)
    response = client.get("/privacy/audit/?format=csv")
    assert response.status_code == 200
    neutralised(response.content.decode())
    assert "'-1+1" in cells(response.content.decode())
