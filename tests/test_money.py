from __future__ import annotations

from decimal import Decimal

import pytest

from kanelbulle.core.money import Money, parse_amount


def test_it_parses_an_amount_and_currency() -> None:
    assert Money.parse({"amount": "120000.00", "currency": "SEK"}) == Money(Decimal("120000.00"), "SEK")
    assert Money.parse({"amount": "8000", "currency": "EUR"}).to_json() == {"amount": "8000.00", "currency": "EUR"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"amount": "12,5", "currency": "SEK"}, "not a decimal number"),
        ({"amount": "12.5", "currency": "SEKK"}, "not an ISO 4217 code"),
        ({"amount": "12.5", "currency": "sek"}, "not an ISO 4217 code"),
        ({"amount": "12.5", "currency": "XYZ"}, "not an ISO 4217 code"),
        ({"amount": 12.5, "currency": "SEK"}, "decimal string"),
        ({"amount": "NaN", "currency": "SEK"}, "not a finite number"),
        ({"amount": "1.005", "currency": "SEK"}, "more than 2 decimals"),
        ({"amount": "1"}, "needs both"),
        ({"amount": "1", "currency": "SEK", "vat": "0"}, "unknown field 'vat'"),
        ("12 SEK", "must be an object"),
    ],
)
def test_it_refuses_malformed_money_with_a_plain_message(raw: object, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        Money.parse(raw)


def test_it_never_accepts_a_float() -> None:
    with pytest.raises(ValueError):
        parse_amount(0.1)
    with pytest.raises(TypeError):
        Money(0.1, "SEK")  # type: ignore[arg-type]
