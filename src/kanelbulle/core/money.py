"""Money: a Decimal amount with its ISO 4217 currency, never a float.

One type, one parser and one pair of model fields, so that every amount in the product is
validated the same way (`"12,5"` and `"SEKK"` are refused everywhere alike).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

AMOUNT_DIGITS = 18
AMOUNT_PLACES = 2


@cache
def is_currency(code: str) -> bool:
    """True for an active ISO 4217 code such as ``SEK``."""
    return len(code) == 3 and code.isupper() and pycountry.currencies.get(alpha_3=code) is not None


def parse_amount(raw: Any) -> Decimal:
    """A decimal string such as ``"1234.50"``; raises ValueError with a plain message otherwise.

    Floats are refused: they cannot carry an exact amount of money.
    """
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        raise ValueError(f'amount must be a decimal string such as "120.50", not {raw!r}')
    text = str(raw).strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f'amount {text!r} is not a decimal number (use a point: "12.50")') from None
    if not value.is_finite():
        raise ValueError(f"amount {text!r} is not a finite number")
    if value.as_tuple().exponent < -AMOUNT_PLACES:  # type: ignore[operator]
        raise ValueError(f"amount {text!r} has more than {AMOUNT_PLACES} decimals")
    if abs(value) >= Decimal(10) ** (AMOUNT_DIGITS - AMOUNT_PLACES):
        raise ValueError(f"amount {text!r} is too large")
    return value.quantize(Decimal(1).scaleb(-AMOUNT_PLACES))


def parse_currency(raw: Any) -> str:
    if not isinstance(raw, str) or not is_currency(raw):
        raise ValueError(f'currency {raw!r} is not an ISO 4217 code such as "SEK"')
    return raw


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")
        parse_currency(self.currency)

    @classmethod
    def parse(cls, raw: Any) -> Money:
        """From the exchange format's ``{"amount": "…", "currency": "…"}``."""
        if not isinstance(raw, dict):
            raise ValueError('must be an object {"amount": "…", "currency": "…"}')
        extra = set(raw) - {"amount", "currency"}
        if extra:
            raise ValueError(f"unknown field {sorted(extra)[0]!r} in an amount")
        if "amount" not in raw or "currency" not in raw:
            raise ValueError('needs both "amount" and "currency"')
        return cls(parse_amount(raw["amount"]), parse_currency(raw["currency"]))

    def to_json(self) -> dict[str, str]:
        return {"amount": f"{self.amount:.{AMOUNT_PLACES}f}", "currency": self.currency}

    def __str__(self) -> str:
        return f"{self.amount:.{AMOUNT_PLACES}f} {self.currency}"


def validate_currency(value: str) -> None:
    if not is_currency(value):
        raise ValidationError(_("%(value)s is not an ISO 4217 currency code."), params={"value": value})


class CurrencyField(models.CharField):  # type: ignore[type-arg]
    """A three-letter ISO 4217 code, validated."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("validators", [validate_currency])
        super().__init__(*args, **kwargs)


class AmountField(models.DecimalField):  # type: ignore[type-arg]
    """An amount of money; pairs with a CurrencyField named ``<prefix>_currency``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", AMOUNT_DIGITS)
        kwargs.setdefault("decimal_places", AMOUNT_PLACES)
        super().__init__(*args, **kwargs)


class MoneyProperty:
    """Reads and writes an ``<prefix>_amount`` / ``<prefix>_currency`` pair as one Money.

    ``None`` when the amount is empty (an optional amount, such as a customer's gift limit).
    """

    def __init__(self, prefix: str) -> None:
        self.amount_attr = f"{prefix}_amount"
        self.currency_attr = f"{prefix}_currency"

    def __get__(self, obj: Any, objtype: Any = None) -> Money | None:
        if obj is None:
            return self  # type: ignore[return-value]
        amount = getattr(obj, self.amount_attr)
        if amount is None:
            return None
        return Money(Decimal(amount), getattr(obj, self.currency_attr))

    def __set__(self, obj: Any, value: Money | None) -> None:
        setattr(obj, self.amount_attr, None if value is None else value.amount)
        setattr(obj, self.currency_attr, "" if value is None else value.currency)


LOCALES = {"sv": "sv_SE", "en": "en_GB"}


def format_money(amount: Decimal | int | str, currency: str, language: str | None = None) -> str:
    """The one way an amount is written for a reader, in their language (Babel's CLDR patterns):
    ``SEK 163,000`` and ``€8,000.50`` in English, ``163 000 kr`` and ``8 000,50 €`` in Swedish.

    Öre and cents are shown only when there are any; a currency written as letters is kept apart
    from the digits by a no-break space. ``language`` defaults to the active one. The locale and
    pattern are parsed once per language and currency (a printed register writes thousands).
    """
    from django.utils.translation import get_language

    lang = (language or get_language() or "en").split("-")[0].split("_")[0]
    value = Decimal(amount)
    locale, pattern = _money_pattern(lang, currency, value == value.to_integral_value())
    return str(pattern.apply(value, locale, currency=currency, currency_digits=False))


@cache
def _money_pattern(lang: str, currency: str, whole: bool) -> tuple[Any, Any]:
    """Babel's locale and currency pattern for ``format_money`` (as ``format_currency`` would
    parse them on every call)."""
    from babel import Locale
    from babel.numbers import get_currency_symbol, parse_pattern

    locale = Locale.parse(LOCALES.get(lang, "en_GB"))
    pattern = locale.currency_formats["standard"].pattern
    if whole:
        pattern = pattern.replace(".00", "")
    if get_currency_symbol(currency, locale).isalpha():
        pattern = pattern.replace("¤#", "¤\xa0#").replace("¤-", "¤\xa0-")
    return locale, parse_pattern(pattern)
