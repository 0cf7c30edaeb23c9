"""The gift form in a real browser: the customer is found by typing (htmx type-ahead), the verdict
and the etiquette appear as you type, and recording an `ask` gift lands on its page, waiting for
approval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.server import Installation

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "pw-anna-123456"
BOOK = {
    "format": "kanelbulle/1",
    "users": [{"username": "anna", "name": "Anna Berg", "role": "seller"}],
    "customers": [
        {"ref": "c-ningbo", "name": "Ningbo Precision", "country": "CN", "city": "Ningbo", "lat": 29.87,
         "lon": 121.54, "time_zone": "Asia/Shanghai", "owner": "anna", "potential": "high", "public_sector": False,
         "visit_minutes": 60}
    ],
    "contacts": [
        {"ref": "p-chen", "customer": "c-ningbo", "name": "Chen Hao", "lawful_basis": "legitimate_interest"}
    ],
}  # fmt: skip


def test_a_table_clock_for_a_chinese_contact_is_warned_as_you_type(kb: Installation, page: Any, tmp_path: Path) -> None:
    created = kb.cli("user", "create", "anna", "--role", "seller", "--password-stdin", stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    book = tmp_path / "book.json"
    book.write_text(json.dumps(BOOK), encoding="utf-8")
    imported = kb.cli("import", str(book))
    assert imported.returncode == 0, imported.stderr
    base = kb.start()
    page.goto(base + "/")
    page.fill("input[name=username]", "anna")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/home/")
    page.goto(base + "/gifts/new/")
    page.fill("#g-q", "ningbo")  # the customer is found by typing, never picked from the whole book
    page.click("#suggest a.suggestion:has-text('Ningbo Precision')")
    page.wait_for_url("**/gifts/new/?customer=c-ningbo")
    page.select_option("#g-contact", "p-chen")
    page.fill("#g-description", "Table clock with our logo")
    page.fill("#g-amount", "312")
    verdict = page.locator("#verdict")
    verdict.get_by_text("deathbed").wait_for(timeout=10_000)
    assert "over_our_limit" in verdict.inner_text()
    page.click("button[value=record]")
    page.wait_for_url("**/gifts/g-*/")
    assert "Waiting for approval" in page.content()
