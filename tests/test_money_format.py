"""One formatter for every amount a reader sees (core.money.format_money), in their language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from kanelbulle.core.money import format_money


@pytest.mark.parametrize(
    ("amount", "currency", "en", "sv"),
    [
        ("163000.00", "SEK", "SEK\xa0163,000", "163\xa0000\xa0kr"),
        ("47905.50", "SEK", "SEK\xa047,905.50", "47\xa0905,50\xa0kr"),
        ("8000.00", "EUR", "€8,000", "8\xa0000\xa0€"),
        ("-1234.50", "SEK", "-SEK\xa01,234.50", "-1\xa0234,50\xa0kr"),
        ("0", "SEK", "SEK\xa00", "0\xa0kr"),
    ],
)
def test_amounts_read_as_each_language_writes_them(amount: str, currency: str, en: str, sv: str) -> None:
    assert format_money(Decimal(amount), currency, "en") == en
    assert format_money(Decimal(amount), currency, "sv") == sv


def test_the_pages_filter_and_the_active_language_use_the_same_formatter() -> None:
    page = Template("{% load kb %}{{ v|money:'SEK' }}")
    for language, expected in (("en", "SEK\xa0163,000"), ("sv", "163\xa0000\xa0kr")):
        with translation.override(language):
            assert format_money(Decimal("163000"), "SEK") == expected
            assert page.render(Context({"v": Decimal("163000.00")})) == expected


def test_a_plan_reason_is_written_in_the_language_of_its_reader() -> None:
    """Plan drop reasons keep their words (message id and parameters) and are rendered when read."""
    from kanelbulle.planner.reasons import render

    words = {
        "msgid": "required, but %(reason)s",
        "params": {
            "reason": {
                "msgid": "not worth the trip: value %(value)s < marginal travel cost %(cost)s",
                "params": {
                    "value": {"amount": "1500.00", "currency": "SEK"},
                    "cost": {"amount": "3120.40", "currency": "SEK"},
                },
            }
        },
    }
    with translation.override("en"):
        assert (
            render(words)
            == "required, but not worth the trip: value SEK\xa01,500 < marginal travel cost SEK\xa03,120.40"
        )
    with translation.override("sv"):
        said = render(words)
    assert said.startswith("obligatoriskt, men inte värt resan: värdet 1\xa0500\xa0kr")
    assert "3\xa0120,40\xa0kr" in said


def test_documents_amounts_on_pages_use_the_same_formatter() -> None:
    page = Template("{% load kb %}{{ v|money_doc }}")
    with translation.override("sv"):
        assert page.render(Context({"v": {"amount": "47905.00", "currency": "SEK"}})) == "47\xa0905\xa0kr"
    with translation.override("en"):
        assert page.render(Context({"v": {"amount": "47905.00", "currency": "SEK"}})) == "SEK\xa047,905"
        assert page.render(Context({"v": None})) == ""
